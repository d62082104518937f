from __future__ import annotations

import re
from typing import Any

import pytest

from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.cases.models import Case, CaseTeamMember
from tirek.testing import World, logged_in_client

from .factories import open_case, person


def _edit_data(case: Case, **changes: Any) -> dict[str, Any]:
    data = {
        "version": case.version,
        "status": case.status,
        "phase": case.phase,
        "risk_level": case.risk_level,
        "protected_identity": "on" if case.protected_identity else "",
        "country_returned_from": case.country_returned_from,
        "return_date": "",
        "return_history": case.return_history,
    }
    data.update(changes)
    return data


def test_it_refuses_a_stale_edit_with_a_clear_message_and_keeps_the_newer_one(
    world: World,
) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    supervisor = world.staff(Role.SUPERVISOR)
    case = open_case(manager)
    stale_form = _edit_data(case, phase="monitoring")
    saved = logged_in_client(supervisor).post(
        f"/cases/{case.pk}/edit/", _edit_data(case, phase="reintegration")
    )
    assert saved.status_code == 302
    response = logged_in_client(manager).post(f"/cases/{case.pk}/edit/", stale_form)
    assert response.status_code == 409
    assert "Обновите страницу" in response.content.decode()
    case.refresh_from_db()
    assert case.phase == "reintegration"
    assert case.version == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("country_returned_from", "Ир\x00ак"),
        ("country_returned_from", "x" * 101),
        ("return_date", "2021-02-30"),
        ("return_date", "завтра"),
        ("status", "archived"),
        ("version", "abc"),
        ("return_history", "x" * 20001),
    ],
)
def test_it_answers_bad_case_input_with_a_clear_error_and_changes_nothing(
    world: World, field: str, value: str
) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    case = open_case(manager)
    response = logged_in_client(manager).post(
        f"/cases/{case.pk}/edit/", _edit_data(case, **{field: value})
    )
    assert response.status_code == 422
    assert "errorlist" in response.content.decode()
    case.refresh_from_db()
    assert case.version == 1
    assert case.country_returned_from == ""


def test_it_lists_cases_discreetly_with_filters_and_paging(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    for _ in range(27):
        open_case(manager)
    special = open_case(manager, person=person(given_name="Сафия", family_name="Бекенова"))
    client = logged_in_client(manager)
    first = client.get("/cases/").content.decode()
    assert "Сафия" not in first and "Бекенова" not in first  # initials only
    assert special.number in first
    assert "С. Б." in first
    assert "Страница 1 из 2" in first
    second = client.get("/cases/?page=2").content.decode()
    assert "Страница 2 из 2" in second
    found = client.get("/cases/?q=бекенов").content.decode()
    assert f'href="/cases/{special.pk}/"' in found
    assert re.findall(r'href="/cases/(\d+)/"', found) == [str(special.pk)]
    Case.objects.filter(pk=special.pk).update(phase="monitoring")
    monitoring = client.get("/cases/?phase=monitoring").content.decode()
    assert f'href="/cases/{special.pk}/"' in monitoring
    assert client.get("/cases/?page=999").status_code == 200
    bad = client.get("/cases/?status=archived&q=%00")
    assert bad.status_code == 200
    assert "Проверьте" in bad.content.decode()


def test_it_shows_a_supervisor_the_whole_unit_and_a_worker_only_their_team(
    world: World,
) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    other_manager = world.staff(Role.CASE_MANAGER)
    supervisor = world.staff(Role.SUPERVISOR)
    mine = open_case(manager)
    theirs = open_case(other_manager)
    elsewhere_manager = world.staff(
        Role.CASE_MANAGER, agency=world.centre_almaty, unit=world.unit_almaty
    )
    elsewhere = open_case(elsewhere_manager)
    listing = logged_in_client(supervisor).get("/cases/?scope=unit").content.decode()
    assert mine.number in listing and theirs.number in listing
    assert elsewhere.number not in listing
    own = logged_in_client(manager).get("/cases/").content.decode()
    assert mine.number in own and theirs.number not in own


def test_it_adds_and_removes_team_members_from_the_team_page(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    school = world.staff(Role.SCHOOL_LIAISON)
    case = open_case(manager)
    client = logged_in_client(manager)
    wrong = client.post(f"/cases/{case.pk}/team/", {"user": school.pk, "role": "psychologist"})
    assert wrong.status_code == 422
    added = client.post(f"/cases/{case.pk}/team/", {"user": school.pk, "role": "school-liaison"})
    assert added.status_code == 302
    member = CaseTeamMember.objects.get(case=case, user=school)
    assert logged_in_client(school).get(f"/cases/{case.pk}/").status_code == 200
    # The school liaison reads the case but does not manage its team.
    lawyer = world.staff(Role.LAWYER)
    refused = logged_in_client(school).post(
        f"/cases/{case.pk}/team/", {"user": lawyer.pk, "role": "lawyer"}
    )
    assert refused.status_code == 403
    removed = client.post(f"/cases/{case.pk}/team/{member.pk}/remove/")
    assert removed.status_code == 302
    assert logged_in_client(school).get(f"/cases/{case.pk}/").status_code == 404
    timeline = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Добавлен(а) в команду" in timeline and "Исключён(а) из команды" in timeline
    assert AuditEntry.objects.filter(
        action=Action.PERMISSION_CHANGE, object_id=str(case.pk), detail__team_removed=school.pk
    ).exists()


def test_it_shows_the_timeline_of_what_happened(world: World) -> None:
    from tirek.cases import services

    manager = world.staff(Role.CASE_MANAGER)
    case = open_case(manager)
    services.case_update(by=manager, case=case, version=1, changes={"status": "active"})
    page = logged_in_client(manager).get(f"/cases/{case.pk}/sections/timeline/").content.decode()
    assert "Случай открыт" in page
    assert "Статус изменён" in page
    assert "Зарегистрирован → Активный" in page


def test_it_counts_my_open_cases_and_those_lacking_consent_on_my_work(world: World) -> None:
    from tirek.privacy.services import consent_record

    manager = world.staff(Role.CASE_MANAGER)
    covered = open_case(manager)
    lacking = open_case(manager)
    consent_record(
        by=manager,
        person=covered.person,
        purposes=["case_management"],
        given_by="guardian",
        valid_from=covered.opened_at.date(),
    )
    consent_record(
        by=manager,
        person=covered.person,
        purposes=["case_management"],
        given_by="child",
        kind="assent",
        valid_from=covered.opened_at.date(),
    )
    page = logged_in_client(manager).get("/").content.decode()
    panel = page[page.index("<h2>Мои случаи</h2>") :]
    panel = panel[: panel.index("</section>")]
    assert "2 открытых случая" in panel
    assert lacking.number in panel
    assert covered.number not in panel
