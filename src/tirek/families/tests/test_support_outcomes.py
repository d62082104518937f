"""The adults' support outcomes that feed the family plan (issue 16, part 2): each kind
belongs to a section — livelihood (training, employment, housing) to social work,
religious counselling to the counselling section — and each viewer sees, on the family
plan and on the mother's case, the kinds whose section is theirs, nothing else.

The expected answers are written from DESIGN.md section 2, not from the policy:
- case manager: "cases on their team; leads the plan" — social work, not counselling
  notes: the livelihood outcomes, not the religious counselling;
- psychologist: psychological notes and the plan, not social work or counselling: none;
- religious counsellor: "counselling notes of team cases (adults mostly)": the
  counselling sessions only; no family section, so no family page;
- probation officer: "security and counselling sections of adults": the counselling
  sessions, not livelihood; no family page;
- school liaison: "education section only": none, no family page;
- community worker: "basic information, family, and the family-plan tasks assigned to
  them": none (the family page, without the plan's support)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tirek.accounts.roles import Role
from tirek.audit.models import AuditEntry
from tirek.cases import services as case_services
from tirek.cases.models import Case
from tirek.families.models import FamilyMember, MemberRole
from tirek.justice import services as justice_services
from tirek.testing import World, logged_in_client

from .helpers import register_family

pytestmark = pytest.mark.django_db

LIVELIHOOD = "Курс швеи окончен, сертификат"
COUNSELLING = "Шесть бесед с теологом"

# role: (sees livelihood outcomes, sees religious counselling outcomes, opens the family)
EXPECTED = {
    Role.CASE_MANAGER: (True, False, True),
    Role.PSYCHOLOGIST: (False, False, True),
    Role.RELIGIOUS_COUNSELLOR: (False, True, False),
    Role.PROBATION_OFFICER: (False, True, False),
    Role.SCHOOL_LIAISON: (False, False, False),
    Role.COMMUNITY_WORKER: (False, False, True),
}


@pytest.fixture
def scene(world: World) -> dict[str, object]:
    manager = world.staff(Role.CASE_MANAGER)
    supervisor = world.staff(Role.SUPERVISOR)
    family = register_family(manager)
    mother = Case.objects.get(
        person=FamilyMember.objects.get(family=family, role=MemberRole.MOTHER).person
    )
    start = timezone.localdate() - timedelta(days=90)
    justice_services.support_record(
        by=supervisor, case=mother, kind="training", provider="Колледж сервиса",
        start_date=start, outcome=LIVELIHOOD,
    )  # fmt: skip
    justice_services.support_record(
        by=supervisor, case=mother, kind="counselling", provider="Духовное управление",
        start_date=start, outcome=COUNSELLING,
    )  # fmt: skip
    viewers = {Role.CASE_MANAGER: manager}
    for role in EXPECTED:
        if role == Role.CASE_MANAGER:
            continue
        extra = {"agency": world.police, "unit": None} if role == Role.PROBATION_OFFICER else {}
        user = world.staff(role, **extra)
        case_services.team_member_add(by=manager, case=mother, user=user, role=role)
        viewers[role] = user
    return {"family": family, "mother": mother, "viewers": viewers}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_viewer_sees_the_support_outcomes_of_their_sections_only(
    scene: dict, role: str
) -> None:
    livelihood, counselling, opens_family = EXPECTED[role]
    family, mother = scene["family"], scene["mother"]
    client = logged_in_client(scene["viewers"][role])
    # The family plan.
    page = client.get(f"/families/{family.pk}/")
    assert page.status_code == (200 if opens_family else 404)
    body = page.content.decode()
    assert (LIVELIHOOD in body) is (livelihood and opens_family)
    assert COUNSELLING not in body or counselling
    # The mother's case: the justice page and the case page's tabs.
    on_case = client.get(f"/justice/case/{mother.pk}/")
    assert on_case.status_code == (200 if livelihood or counselling else 404)
    tabs = "".join(
        client.get(f"/cases/{mother.pk}/sections/{tab}/").content.decode()
        for tab in ("justice", "plan", "overview")
    )
    for text in (on_case.content.decode(), tabs):
        assert (LIVELIHOOD in text) is livelihood
        assert (COUNSELLING in text) is counselling


def test_the_family_plan_shows_the_case_manager_the_livelihood_outcomes_audited(
    scene: dict,
) -> None:
    manager, mother = scene["viewers"][Role.CASE_MANAGER], scene["mother"]
    body = logged_in_client(manager).get(f"/families/{scene['family'].pk}/").content.decode()
    assert 'data-testid="family-support"' in body and LIVELIHOOD in body
    entry = AuditEntry.objects.filter(
        actor=manager, object_id=str(mother.pk), detail__via="family plan"
    ).get()
    assert entry.detail["sections"] == ["social"]


def test_the_supervisor_sees_both_kinds_on_the_family_plan(world: World, scene: dict) -> None:
    supervisor = world.staff(Role.SUPERVISOR)
    body = logged_in_client(supervisor).get(f"/families/{scene['family'].pk}/").content.decode()
    assert LIVELIHOOD in body and COUNSELLING in body


def test_each_role_records_only_the_kinds_of_its_section(scene: dict) -> None:
    from django.http import Http404

    from tirek.justice.models import SupportRecord

    mother = scene["mother"]
    viewers = scene["viewers"]
    today = timezone.localdate()
    # The case manager records employment; religious counselling is not theirs (404: the
    # section does not exist for them), and the form does not offer it.
    justice_services.support_record(
        by=viewers[Role.CASE_MANAGER], case=mother, kind="employment", provider="Швейный цех",
        start_date=today,
    )  # fmt: skip
    with pytest.raises(Http404):
        justice_services.support_record(
            by=viewers[Role.CASE_MANAGER], case=mother, kind="counselling", provider="x",
            start_date=today,
        )  # fmt: skip
    client = logged_in_client(viewers[Role.CASE_MANAGER])
    form = client.get(f"/justice/case/{mother.pk}/").content.decode()
    assert 'value="employment"' in form and 'value="counselling"' not in form
    refused = client.post(
        f"/justice/case/{mother.pk}/support/",
        {"kind": "counselling", "provider": "x", "start_date": today.isoformat()},
    )
    assert refused.status_code == 400
    # The probation officer records counselling sessions, not housing.
    probation = logged_in_client(viewers[Role.PROBATION_OFFICER])
    assert (
        probation.post(
            f"/justice/case/{mother.pk}/support/",
            {"kind": "housing", "provider": "Акимат", "start_date": today.isoformat()},
        ).status_code
        == 400
    )
    # The school liaison sees neither section: 404.
    liaison = logged_in_client(viewers[Role.SCHOOL_LIAISON])
    assert (
        liaison.post(
            f"/justice/case/{mother.pk}/support/",
            {"kind": "housing", "provider": "Акимат", "start_date": today.isoformat()},
        ).status_code
        == 404
    )
    assert SupportRecord.objects.filter(case=mother).count() == 3
