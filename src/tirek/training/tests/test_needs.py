from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tirek.accounts.models import Competency
from tirek.accounts.roles import Role
from tirek.accounts.services import competency_grant
from tirek.cases.models import Case, CaseTeamMember
from tirek.people.models import Person
from tirek.testing import World, logged_in_client
from tirek.training.selectors import training_needs


def _case(world: World, manager, number: str, status: str = "active") -> Case:
    person = Person.objects.create(given_name="Али", family_name="Тестов")
    return Case.objects.create(
        number=number,
        person=person,
        status=status,
        case_manager=manager,
        supervising_unit=world.unit,
        region=world.karaganda,
    )


def test_it_lists_staff_on_active_cases_who_lack_a_needed_competency(world: World) -> None:
    coordinator = world.staff(Role.TRAINING_COORDINATOR)
    manager = world.staff(Role.CASE_MANAGER)
    psychologist = world.staff(Role.PSYCHOLOGIST, username="psy-needs")
    trained = world.staff(Role.PSYCHOLOGIST, username="psy-trained")
    interviewer = world.staff(Role.INTERVIEWER, username="int-needs")
    competency_grant(user=trained, competency=Competency.TRAUMA_INFORMED)
    expired = world.staff(Role.PSYCHOLOGIST, username="psy-expired")
    competency_grant(
        user=expired,
        competency=Competency.TRAUMA_INFORMED,
        expires_at=timezone.now() - timedelta(days=1),
    )
    cases = [_case(world, manager, f"K-{i}") for i in range(3)]
    closed = _case(world, manager, "K-closed", status="closed")
    for case in cases[:2]:
        CaseTeamMember.objects.create(case=case, user=psychologist, role=Role.PSYCHOLOGIST)
    CaseTeamMember.objects.create(case=closed, user=psychologist, role=Role.PSYCHOLOGIST)
    CaseTeamMember.objects.create(case=cases[0], user=trained, role=Role.PSYCHOLOGIST)
    CaseTeamMember.objects.create(case=cases[0], user=expired, role=Role.PSYCHOLOGIST)
    CaseTeamMember.objects.create(
        case=cases[2], user=interviewer, role=Role.INTERVIEWER, removed_at=timezone.now()
    )
    needs = {(n.name, n.competency): n.cases for n in training_needs(coordinator)}
    assert needs[("psy-needs", Competency.TRAUMA_INFORMED)] == 2  # the closed case does not count
    assert needs[("psy-expired", Competency.TRAUMA_INFORMED)] == 1
    assert not any(name == "psy-trained" for name, _c in needs)
    assert not any(name == "int-needs" for name, _c in needs)  # removed from the team
    assert not training_needs(coordinator, region_path=world.almaty.path)

    page = logged_in_client(coordinator).get("/training/needs/")
    body = page.content.decode()
    assert page.status_code == 200 and "psy-needs" in body
    assert "K-0" not in body and "Тестов" not in body  # no case details, only counts
    for role in (Role.TRAINER, Role.SUPERVISOR, Role.ADMIN):
        assert logged_in_client(world.staff(role)).get("/training/needs/").status_code == 403
    assert (
        logged_in_client(coordinator).get("/training/needs/?region=abc&agency=%00").status_code
        == 200
    )
