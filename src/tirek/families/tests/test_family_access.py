"""Who sees a family and its plan (issue 16, parts 1 and 3): the FAMILY section of at
least one member's case opens the family; each member's case shows as the policy decides
for that person; the community worker sees CORE and FAMILY and their own tasks only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation
from django.utils.translation import gettext

from tirek.access import policy
from tirek.accounts.roles import Role
from tirek.audit.models import AuditEntry
from tirek.cases import services as case_services
from tirek.cases.models import Case
from tirek.core.exceptions import Refused
from tirek.families import selectors, services
from tirek.families.models import Family, FamilyMember
from tirek.plans.models import PlanStatus
from tirek.testing import World, logged_in_client, today
from tirek.transfers import services as transfer_services

from .helpers import register_family

pytestmark = pytest.mark.django_db


def _cases(family: Family) -> dict[str, Case]:
    return {
        m.role + str(m.position): Case.objects.get(person=m.person)
        for m in FamilyMember.objects.filter(family=family)
    }


def test_the_family_page_follows_the_policy_member_by_member(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    family = register_family(manager)
    cases = _cases(family)
    mother_case = cases["mother0"]
    # The mother's case passes to a case manager of another region.
    other = world.staff(Role.CASE_MANAGER, agency=world.centre_almaty)
    supervisor = world.staff(Role.SUPERVISOR)
    receiving = world.staff(Role.SUPERVISOR, agency=world.centre_almaty)
    transfer = transfer_services.transfer_request(
        by=supervisor,
        case=mother_case,
        to_unit=world.unit_almaty,
        reason="Переезд матери в Алматы",
        sections=[],
        legal_basis="Решение комиссии",
    )
    transfer_services.transfer_accept(
        by=receiving, transfer=transfer, version=transfer.version, case_manager=other
    )
    mother_case.refresh_from_db()
    assert not policy.visible_cases(manager).filter(pk=mother_case.pk).exists()
    page = logged_in_client(manager).get(f"/families/{family.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert cases["child1"].number in body and cases["child2"].number in body
    assert mother_case.number not in body
    assert body.count('data-testid="held-elsewhere"') == 1
    # The other region's case manager sees the family through the mother's case only.
    theirs = logged_in_client(other).get(f"/families/{family.pk}/").content.decode()
    assert mother_case.number in theirs and cases["child1"].number not in theirs
    assert theirs.count('data-testid="held-elsewhere"') == 2
    assert AuditEntry.objects.filter(
        object_type="families.family", object_id=family.pk, action="read", actor=manager
    ).exists()


@pytest.mark.parametrize(
    "role, sees",
    [
        (Role.CASE_MANAGER, True),
        (Role.PSYCHOLOGIST, True),
        (Role.SOCIAL_WORKER, True),
        (Role.LAWYER, True),
        (Role.COMMUNITY_WORKER, True),
        (Role.SCHOOL_LIAISON, False),  # protected cases: no FAMILY section for school staff
        (Role.HEALTH_WORKER, False),
        (Role.INTERVIEWER, False),
        (Role.RELIGIOUS_COUNSELLOR, False),
    ],
)
def test_reading_a_family_needs_the_family_section_of_a_member_case(
    world: World, role: str, sees: bool
) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    family = register_family(manager)
    child_case = _cases(family)["child1"]
    user = world.staff(role)
    case_services.team_member_add(by=manager, case=child_case, user=user, role=role)
    response = logged_in_client(user).get(f"/families/{family.pk}/")
    assert response.status_code == (200 if sees else 404)
    listed = logged_in_client(user).get("/families/").content.decode()
    assert (f"/families/{family.pk}/" in listed) is sees


def test_a_stranger_a_missing_family_and_a_bad_id_are_the_same_404(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    family = register_family(manager)
    stranger = world.staff(Role.CASE_MANAGER)  # same unit, not on any member's team
    client = logged_in_client(stranger)
    for url in (f"/families/{family.pk}/", "/families/999999/", f"/families/{family.pk}/goal/"):
        response = client.get(url) if not url.endswith("goal/") else client.post(url, {})
        assert response.status_code == 404, url
    assert AuditEntry.objects.filter(
        object_type="families.family", object_id=family.pk, action="denied", actor=stranger
    ).exists()
    assert "/families/" in client.get("/families/").content.decode()  # the list opens, empty
    assert f"/families/{family.pk}/" not in client.get("/families/").content.decode()


def test_the_family_plan_is_approved_by_a_supervisor_who_did_not_submit_it(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    supervisor = world.staff(Role.SUPERVISOR)
    family = register_family(manager)
    with pytest.raises(Refused):
        services.plan_submit(by=manager, family=family)  # no goal yet
    goal = services.goal_add(by=manager, family=family, area="housing", title="Жильё для семьи")
    with pytest.raises(PermissionDenied):
        services.plan_decide(by=manager, family=family, approve=True)
    services.plan_submit(by=manager, family=family)
    with pytest.raises(Refused):
        services.goal_add(by=manager, family=family, area="income", title="Работа матери")
    client = logged_in_client(supervisor)
    assert client.post(f"/families/{family.pk}/return/", {"comment": ""}).status_code == 200
    assert selectors.plan_of(family).status == PlanStatus.SUBMITTED  # type: ignore[union-attr]
    assert client.post(f"/families/{family.pk}/approve/", {"comment": "Да"}).status_code == 302
    plan = selectors.plan_of(family)
    assert plan is not None and plan.status == PlanStatus.APPROVED
    assert plan.approved_by_id == supervisor.pk
    # A change after approval starts the next revision.
    services.goal_add(by=manager, family=family, area="income", title="Работа матери")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert goal.plan_id == plan.pk


def test_the_community_worker_sees_the_family_and_their_tasks_and_nothing_else(
    world: World,
) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    psychologist = world.staff(Role.PSYCHOLOGIST)
    worker = world.staff(Role.COMMUNITY_WORKER, agency=world.ministry, unit=None)
    family = register_family(manager)
    cases = _cases(family)
    child = cases["child1"]
    case_services.team_member_add(by=manager, case=child, user=psychologist, role=Role.PSYCHOLOGIST)
    # Only a case manager of the family adds them; then to every member's case.
    with pytest.raises(PermissionDenied):
        services.community_worker_add(by=psychologist, family=family, user=worker)
    client = logged_in_client(manager)
    response = client.post(f"/families/{family.pk}/worker/", {"user": str(worker.pk)})
    assert response.status_code == 302
    for case in cases.values():
        assert policy.sections_for(worker, case) == {"core", "family"}
        assert case.protected_identity  # FAMILY stays open on protected cases (policy.py)
    goal = services.goal_add(by=manager, family=family, area="contact", title="Встречи с матерью")
    due = timezone.localdate() + timedelta(days=7)
    mine = services.task_add(
        by=manager, goal=goal, title="Визит на дом", owner=worker, due_date=due
    )
    services.task_add(by=manager, goal=goal, title="Консультация", owner=psychologist, due_date=due)
    web = logged_in_client(worker)
    page = web.get(f"/families/{family.pk}/").content.decode()
    assert "Визит на дом" in page and "Консультация" not in page
    assert 'data-testid="family-goal"' not in page  # the plan itself is not theirs
    home = web.get("/").content.decode()
    assert "Визит на дом" in home and "Консультация" not in home
    # The line names the task, the household's label and the date, and links the family.
    line = home[home.index('data-testid="family-task"') :]
    line = " ".join(
        re.sub(r"<[^>]+>", " ", line[line.index(">") + 1 : line.index("</li>")]).split()
    )
    with translation.override("ru"):
        assert line == f"Визит на дом — {family.label}, {gettext('due')} {due:%d.%m.%Y}"
    assert f'<a href="/families/{family.pk}/">Визит на дом</a>' in home
    # Nothing else of the cases: no plan, no interviews, no psychological section.
    for tab in ("plan", "referrals", "interviews"):
        assert web.get(f"/cases/{child.pk}/sections/{tab}/").status_code == 404, tab
    assert web.get(f"/cases/{child.pk}/sections/family/").status_code == 200
    for section in ("psychological", "legal", "return_history", "security"):
        assert not policy.can_see(worker, child, section)
    # Their visits are contact notes in the family section.
    assert case_services.note_sections_for(worker, child) == ["family"]
    note = case_services.note_create(
        by=worker, case=child, kind="home_visit", section="family",
        occurred_on=today(), narrative="Визит: семья дома, дети в школе.",
    )  # fmt: skip
    assert note.section == "family"
    # The owner marks their task done.
    assert web.post(f"/families/{family.pk}/done/", {"task": mine.pk}).status_code == 302
    mine.refresh_from_db()
    assert mine.done_at is not None
    # A task owner must be on a member's team.
    outsider = world.staff(Role.COMMUNITY_WORKER, agency=world.ministry, unit=None)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.task_add(by=manager, goal=goal, title="x", owner=outsider, due_date=due)
