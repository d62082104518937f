"""The data protection officer browses and verifies the audit log; nobody else may."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.audit.services import record
from tirek.testing import World, logged_in_client


@pytest.fixture
def dpo(world: World):
    return world.staff(Role.DPO, username="olga")


def _rows(response) -> str:
    html = response.content.decode()
    return html[html.index("<tbody>") : html.index("</tbody>")]


def test_it_shows_the_audit_log_to_the_data_protection_officer(dpo) -> None:
    record(actor="someone", action=Action.LOGIN_FAILED, object_type="accounts.user")
    response = logged_in_client(dpo).get("/audit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Журнал аудита" in html
    assert "Неудачный вход" in _rows(response)


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.DPO])
def test_it_refuses_the_audit_log_to_every_other_role(world: World, role: str) -> None:
    client = logged_in_client(world.staff(role))
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/verify/").status_code == 403


def test_it_sends_anonymous_visitors_to_sign_in(db: None) -> None:
    response = Client().get("/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_shows_the_audit_log_in_the_navigation_of_the_dpo_only(world: World, dpo) -> None:
    assert 'href="/audit/"' in logged_in_client(dpo).get("/").content.decode()
    other = logged_in_client(world.staff(Role.SUPERVISOR))
    assert 'href="/audit/"' not in other.get("/").content.decode()


def test_it_filters_by_person_action_kind_and_date(dpo) -> None:
    record(actor="aigerim", action=Action.READ, object_type="cases.case", object_id=7)
    record(actor="marat", action=Action.EXPORT, object_type="training.report", object_id=3)
    old = record(actor="marat", action=Action.READ, object_type="cases.case", object_id=8)
    AuditEntry.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=40))
    client = logged_in_client(dpo)

    by_actor = _rows(client.get("/audit/", {"actor": "aiger"}))
    assert "aigerim" in by_actor and "marat" not in by_actor
    by_action = _rows(client.get("/audit/", {"action": Action.EXPORT}))
    assert "отчёт об обучении" in by_action and "#7" not in by_action
    by_kind = _rows(client.get("/audit/", {"object_type": "cases.case"}))
    assert "#8" in by_kind and "#7" in by_kind and "отчёт" not in by_kind
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    recent = _rows(client.get("/audit/", {"date_from": since, "actor": "marat"}))
    assert "отчёт об обучении" in recent and "#8" not in recent
    until = (timezone.localdate() - timedelta(days=30)).isoformat()
    older = _rows(client.get("/audit/", {"date_to": until}))
    assert "#8" in older and "#7" not in older


def test_it_names_people_cases_and_dates_as_people_read_them(world: World, dpo) -> None:
    from tirek.cases.tests.factories import open_case

    manager = world.staff(Role.CASE_MANAGER, username="aigerim")
    manager.first_name, manager.last_name = "Айгерим", "Нурланова"
    manager.save()
    case = open_case(manager)
    other = open_case(manager)
    record(actor=manager, action=Action.READ, obj=case, detail={"section": "core"})
    record(
        actor=manager,
        action=Action.UPDATE,
        object_type="cases.contactnote",
        object_id=5,
        detail={"case": case.pk, "filters": {}},
    )
    record(actor=manager, action=Action.READ, obj=other)
    client = logged_in_client(dpo)

    rows = _rows(client.get("/audit/", {"case": case.number.lower()}))
    assert "Айгерим Нурланова" in rows and "(aigerim)" in rows
    assert f"дело {case.number}" in rows  # not "cases.case #1"
    assert f"дело: {case.number}" in rows  # the note's entry names its case by number
    assert other.number not in rows
    assert "filters" not in rows and "cases.case" not in rows
    assert timezone.localtime().strftime("%d.%m.%Y") in rows  # the reader's date format
    assert _rows(client.get("/audit/", {"case": "KZ-0000-99999"})).count("<tr>") == 1


def test_it_names_the_cases_a_page_of_my_work_showed(world: World, dpo) -> None:
    from tirek.cases.tests.factories import open_case

    manager = world.staff(Role.CASE_MANAGER, username="aigerim")
    first, second = open_case(manager), open_case(manager)  # both with steps due
    assert logged_in_client(manager).get("/").status_code == 200

    rows = _rows(logged_in_client(dpo).get("/audit/", {"actor": "aigerim"}))
    assert "вид: страница «Моя работа»" in rows
    assert "показано записей: 2" in rows
    assert f"записи: {first.number}, {second.number}" in rows  # numbers, not ids
    assert "my work" not in rows and "ids" not in rows


def test_filtering_by_case_finds_the_lists_that_showed_it(world: World, dpo) -> None:
    from tirek.audit.services import record_list
    from tirek.cases.tests.factories import open_case

    manager = world.staff(Role.CASE_MANAGER, username="aigerim")
    case, other = open_case(manager), open_case(manager)
    assert logged_in_client(manager).get("/").status_code == 200  # shows both
    record_list(actor=manager, object_type="cases.case", rows=[other])  # a list without it
    # Another kind of record whose ids happen to include the case's id: not the case.
    record_list(actor=manager, object_type="referrals.referral", rows=[case])

    client = logged_in_client(dpo)
    rows = _rows(client.get("/audit/", {"case": case.number}))
    assert "вид: страница «Моя работа»" in rows
    assert "вид: список" not in rows and "направление" not in rows
    rows = _rows(client.get("/audit/", {"case": other.number}))
    assert "вид: страница «Моя работа»" in rows and "вид: список" in rows


def test_filtering_by_case_finds_records_naming_it_among_others(world: World, dpo) -> None:
    from tirek.audit.services import record_list
    from tirek.cases.tests.factories import open_case

    manager = world.staff(Role.CASE_MANAGER, username="aigerim")
    case, other, third = open_case(manager), open_case(manager), open_case(manager)
    # A list of referrals of two children (by the referrals' own ids), and an incident
    # recorded on two cases.
    record_list(actor=manager, object_type="referrals.referral", rows=[], cases=[case.pk, other.pk])
    record(actor=manager, action=Action.CREATE, object_type="incidents.incident", object_id=7,
           detail={"cases": [other.pk, third.pk]})  # fmt: skip
    # Group arrivals used to count their cases under the same key: not a list naming one.
    record(actor=manager, action=Action.CREATE, object_type="transfers.groupimport", object_id=9,
           detail={"cases": case.pk})  # fmt: skip
    client = logged_in_client(dpo)
    rows = _rows(client.get("/audit/", {"case": case.number}))
    assert f"дела: {case.number}, {other.number}" in rows  # the cases by their numbers
    assert "#7" not in rows  # the incident does not name this case
    assert "#9" not in rows  # nor does a count of cases
    rows = _rows(client.get("/audit/", {"case": other.number}))
    assert f"дела: {case.number}, {other.number}" in rows and "#7" in rows


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "2025-02-30"},
        {"action": "nonsense"},
        {"actor": "x" * 500},
        {"page": "999999"},
        {"page": "9" * 400},
        {"page": "-3"},
        {"page": "\u0663"},  # an Arabic-Indic three: a digit to Python, page 3
        {"actor": "\x00"},
        {"case": "KZ-2026-\u200b000001"},
        {"case": "9" * 400},
        {"case": "KZ-2026-\x00000001"},
        {"case": "кз-2026-000001"},  # Cyrillic look-alikes: capitalised, still no case
    ],
)
def test_it_survives_bad_filters(dpo, query: dict) -> None:
    assert logged_in_client(dpo).get("/audit/", query).status_code == 200


def test_it_audits_every_look_at_the_log(dpo) -> None:
    client = logged_in_client(dpo)
    client.get("/audit/", {"actor": "marat", "action": Action.EXPORT})
    client.get("/audit/verify/")
    looks = AuditEntry.objects.filter(actor=dpo, action=Action.READ).order_by("id")
    assert [e.object_type for e in looks] == ["audit.log", "audit.verify"]
    assert looks[0].detail == {"filters": {"actor": "marat", "action": Action.EXPORT}}


def test_it_pages_a_long_log(dpo) -> None:
    for n in range(120):
        record(actor="bulk", action=Action.READ, object_type="cases.case", object_id=n)
    client = logged_in_client(dpo)
    first = client.get("/audit/", {"actor": "bulk"}).content.decode()
    assert first.count("<tr>") == 51  # header + 50 rows
    # The log is not counted (it grows with every read): the page, and the next one.
    assert "Страница 1" in first and "Страница 1 из" not in first
    assert "page=2" in first and "Назад" not in first
    third = client.get("/audit/", {"actor": "bulk", "page": 3}).content.decode()
    assert third.count("<tr>") == 21
    assert "page=2" in third and "page=4" not in third  # the last page: no next
    beyond = client.get("/audit/", {"actor": "bulk", "page": 7}).content.decode()
    assert "Нет подходящих записей." in beyond and "page=6" in beyond  # a way back


def test_it_reports_integrity_on_the_verify_page(dpo) -> None:
    entry = record(actor="aigerim", action=Action.READ, object_type="cases.case", object_id=1)
    client = logged_in_client(dpo)
    intact = client.get("/audit/verify/").content.decode()
    assert "notice ok" in intact
    AuditEntry.objects.filter(pk=entry.pk).update(actor_name="nobody")
    tampered = client.get("/audit/verify/").content.decode()
    assert "notice error" in tampered
    assert f"id {entry.pk}" in tampered
