from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.cases.models import Case
from tirek.cases.tests.factories import notes_in_every_section, open_case
from tirek.testing import World

TEAM_ROLES = [
    Role.PSYCHOLOGIST,
    Role.SOCIAL_WORKER,
    Role.LAWYER,
    Role.SCHOOL_LIAISON,
    Role.HEALTH_WORKER,
    Role.INTERVIEWER,
    Role.RELIGIOUS_COUNSELLOR,
]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class Setting:
    world: World
    case: Case
    team: dict[str, User]  # role → member (the case manager under its role)
    supervisor: User


def build_setting(world: World) -> Setting:
    manager = world.staff(Role.CASE_MANAGER)
    team = {Role.CASE_MANAGER.value: manager}
    for role in TEAM_ROLES:
        team[role.value] = world.staff(role)
    case = open_case(manager, team=[(team[r.value], r) for r in TEAM_ROLES])
    notes_in_every_section(case, manager)
    return Setting(world, case, team, world.staff(Role.SUPERVISOR))


@pytest.fixture
def setting(world: World) -> Setting:
    return build_setting(world)
