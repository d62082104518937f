""" "My work": what is due and overdue for me, for my unit, and alerts."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from tirek.accounts.roles import Role
from tirek.assessments.tests.factories import make_case, make_team
from tirek.cases.models import Case
from tirek.plans import selectors, services
from tirek.plans.models import Plan
from tirek.testing import World, api_client, logged_in_client

from .test_plan import submitted, version_of


def test_it_shows_my_due_and_overdue_cases_with_initials_only(
    world: World, instruments: None
) -> None:
    team = make_team(world)
    overdue = make_case(world, manager=team.manager, opened_days_ago=5)
    elsewhere = make_case(world, opened_days_ago=5)  # someone else's case
    page = logged_in_client(team.manager).get("/").content.decode()
    assert "Сроки по моим случаям" in page
    assert team.case.number in page and overdue.number in page
    assert elsewhere.number not in page
    assert "просрочено" in page and "скоро" in page
    assert overdue.person.family_name not in page  # lists show initials, never names
    assert overdue.person.initials in page


def test_a_follow_up_due_shows_when_every_case_of_mine_is_closed(
    world: World, instruments: None
) -> None:
    from tirek.plans.models import CaseMilestones

    manager = world.staff(Role.CASE_MANAGER)
    case = make_case(world, manager=manager, opened_days_ago=400)
    Case.objects.filter(pk=case.pk).update(status="closed")
    CaseMilestones.objects.update_or_create(
        case=case, defaults={"next_follow_up_at": timezone.now() - timedelta(days=2)}
    )
    page = logged_in_client(manager).get("/").content.decode()
    assert "Сроки по моим случаям" in page and case.number in page


def test_my_due_cases_are_those_of_my_teams_whose_plan_i_see_open_or_with_a_follow_up_due(
    world: World, instruments: None
) -> None:
    """The due panel is drawn from the cases "my work" reads once for every panel: it lists
    what the task list lists, and no more."""
    from tirek.cases.models import CaseTeamMember
    from tirek.plans.models import CaseMilestones

    manager = world.staff(Role.CASE_MANAGER, roles=[Role.CASE_MANAGER, Role.HEALTH_WORKER])
    due_open = make_case(world, manager=manager, opened_days_ago=5)
    follow_up_due, follow_up_later, moved_away = (
        make_case(world, manager=manager, opened_days_ago=400) for _n in range(3)
    )
    Case.objects.filter(pk__in=[follow_up_due.pk, follow_up_later.pk]).update(status="closed")
    Case.objects.filter(pk=moved_away.pk).update(status="transferred")
    now = timezone.now()
    for case, follow_up in ((follow_up_due, -2), (follow_up_later, 60)):
        CaseMilestones.objects.update_or_create(
            case=case, defaults={"next_follow_up_at": now + timedelta(days=follow_up)}
        )
    # On this child's team as a health worker: the plan is not theirs to see.
    as_health_worker = make_case(world, opened_days_ago=5)
    CaseTeamMember.objects.create(case=as_health_worker, user=manager, role=Role.HEALTH_WORKER)
    someone_elses = make_case(world, opened_days_ago=5)

    page = logged_in_client(manager).get("/").content.decode()
    panel = page[page.index("Сроки по моим случаям") :]
    panel = panel[: panel.index("</section>")]
    listed = {c.number for c in (due_open, follow_up_due)}
    not_listed = {c.number for c in (follow_up_later, moved_away, as_health_worker, someone_elses)}
    assert all(number in panel for number in listed)
    assert not any(number in panel for number in not_listed)
    assert {c.number for c in selectors.due_cases(manager)} == listed


def test_it_shows_nothing_to_people_without_casework(world: World, instruments: None) -> None:
    make_team(world)
    page = (
        logged_in_client(world.staff(Role.TRAINER, agency=world.ministry)).get("/").content.decode()
    )
    assert "Сроки по моим случаям" not in page


def test_it_gives_the_supervisor_the_unit_and_approvals(world: World, instruments: None) -> None:
    team = submitted(world)
    late = make_case(world, opened_days_ago=40)  # another worker's case in the same unit
    almaty = make_case(world, opened_days_ago=40)
    Case.objects.filter(pk=almaty.pk).update(supervising_unit=world.unit_almaty)
    page = logged_in_client(team.supervisor).get("/").content.decode()
    assert "Планы, ожидающие моего утверждения" in page and team.case.number in page
    assert "Просрочено в подразделении" in page and late.number in page
    assert almaty.number not in page
    other = logged_in_client(team.other_supervisor).get("/").content.decode()
    assert team.case.number not in other and late.number not in other
    assert almaty.number in other


def test_the_unit_panel_lists_ten_overdue_cases_and_counts_them_all(
    world: World, instruments: None
) -> None:
    team = make_team(world)
    late = [make_case(world, opened_days_ago=40) for _n in range(12)]
    total = selectors.due_cases(team.supervisor, scope="unit", overdue_only=True).count()
    assert total >= 12
    page = logged_in_client(team.supervisor).get("/").content.decode()
    assert f"Все просроченные в подразделении ({total})" in page
    assert sum(case.number in page for case in late) == 10


def test_it_alerts_about_a_missed_review(world: World, instruments: None) -> None:
    team = submitted(world)
    services.plan_approve(
        user=team.supervisor, case_id=team.case.pk, expected_version=version_of(team)
    )
    Plan.objects.filter(case=team.case).update(
        first_approved_at=timezone.now() - timedelta(days=100)
    )  # approved long ago, never reviewed
    from tirek.plans.milestones import milestones_refresh

    milestones_refresh(team.case.pk)
    page = logged_in_client(team.manager).get("/").content.decode()
    assert "Предупреждения" in page
    assert "пересмотр плана нужно было провести" in page


def test_it_alerts_about_expiring_consent(world: World, instruments: None) -> None:
    from tirek.privacy import services as privacy
    from tirek.privacy.models import GivenBy, Purpose

    team = make_team(world, birth_date=date(2022, 3, 1))  # under 6: the caregiver consents
    today = timezone.localdate()
    privacy.consent_record(
        by=team.manager,
        person=team.case.person,
        purposes=[Purpose.CASE_MANAGEMENT],
        given_by=GivenBy.GUARDIAN,
        giver_name="Бабушка",
        recipients=[],
        valid_from=today - timedelta(days=10),
        valid_until=today + timedelta(days=10),
    )
    page = logged_in_client(team.manager).get("/").content.decode()
    assert "согласие истекает" in page and team.case.number in page


def test_it_pages_the_task_list_and_the_api(world: World, instruments: None) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    cases = [make_case(world, manager=manager, opened_days_ago=5 + i) for i in range(30)]
    client = logged_in_client(manager)
    first = client.get("/work/tasks/").content.decode()
    assert cases[-1].number in first  # the most overdue first
    assert "Страница 1 из 2" in first
    second = client.get("/work/tasks/?page=2").content.decode()
    assert cases[0].number in second
    api = api_client(manager)
    body = api.get("/api/v1/tasks?limit=10&offset=25").json()
    assert body["count"] == 30 and len(body["items"]) == 5
    assert all(item["overdue"] for item in body["items"])
    assert body["items"][-1]["case_number"] == cases[0].number
    assert api.get("/api/v1/tasks?limit=100000").status_code == 422
    assert api.get("/api/v1/tasks?scope=everyone").status_code == 422
    assert api.get("/api/v1/tasks?scope=unit").json()["count"] == 0  # not a supervisor
    outsider = api_client(world.staff(Role.CASE_MANAGER))
    assert outsider.get("/api/v1/tasks").json() == {"count": 0, "items": []}
