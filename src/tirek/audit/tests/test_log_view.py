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
def dpo(world: World):  # type: ignore[no-untyped-def]
    return world.staff(Role.DPO, username="olga")


def _rows(response) -> str:  # type: ignore[no-untyped-def]
    html = response.content.decode()
    return html[html.index("<tbody>") : html.index("</tbody>")]


def test_it_shows_the_audit_log_to_the_data_protection_officer(dpo) -> None:  # type: ignore[no-untyped-def]
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


def test_it_shows_the_audit_log_in_the_navigation_of_the_dpo_only(world: World, dpo) -> None:  # type: ignore[no-untyped-def]
    assert 'href="/audit/"' in logged_in_client(dpo).get("/").content.decode()
    other = logged_in_client(world.staff(Role.SUPERVISOR))
    assert 'href="/audit/"' not in other.get("/").content.decode()


def test_it_filters_by_person_action_object_and_date(dpo) -> None:  # type: ignore[no-untyped-def]
    record(actor="aigerim", action=Action.READ, object_type="cases.case", object_id=7)
    record(actor="marat", action=Action.EXPORT, object_type="reports.report", object_id=3)
    old = record(actor="marat", action=Action.READ, object_type="cases.case", object_id=8)
    AuditEntry.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=40))
    client = logged_in_client(dpo)

    by_actor = _rows(client.get("/audit/", {"actor": "aiger"}))
    assert "aigerim" in by_actor and "marat" not in by_actor
    by_action = _rows(client.get("/audit/", {"action": Action.EXPORT}))
    assert "reports.report" in by_action and "cases.case" not in by_action
    by_object = _rows(client.get("/audit/", {"object_type": "cases.case", "object_id": "8"}))
    assert "#8" in by_object and "#7" not in by_object
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    recent = _rows(client.get("/audit/", {"date_from": since, "actor": "marat"}))
    assert "reports.report" in recent and "#8" not in recent
    until = (timezone.localdate() - timedelta(days=30)).isoformat()
    older = _rows(client.get("/audit/", {"date_to": until}))
    assert "#8" in older and "#7" not in older


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "2025-02-30"},
        {"action": "nonsense"},
        {"actor": "x" * 500},
        {"page": "999999"},
        {"actor": "\x00"},
    ],
)
def test_it_survives_bad_filters(dpo, query: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    assert logged_in_client(dpo).get("/audit/", query).status_code == 200


def test_it_audits_every_look_at_the_log(dpo) -> None:  # type: ignore[no-untyped-def]
    client = logged_in_client(dpo)
    client.get("/audit/", {"actor": "marat", "action": Action.EXPORT})
    client.get("/audit/verify/")
    looks = AuditEntry.objects.filter(actor=dpo, action=Action.READ).order_by("id")
    assert [e.object_type for e in looks] == ["audit.log", "audit.verify"]
    assert looks[0].detail == {"filters": {"actor": "marat", "action": Action.EXPORT}}


def test_it_pages_a_long_log(dpo) -> None:  # type: ignore[no-untyped-def]
    for n in range(120):
        record(actor="bulk", action=Action.READ, object_type="cases.case", object_id=n)
    client = logged_in_client(dpo)
    first = client.get("/audit/", {"actor": "bulk"})
    assert first.content.decode().count("<tr>") == 51  # header + 50 rows
    assert "Страница 1 из 3" in first.content.decode()
    third = client.get("/audit/", {"actor": "bulk", "page": 3})
    assert third.content.decode().count("<tr>") == 21


def test_it_reports_integrity_on_the_verify_page(dpo) -> None:  # type: ignore[no-untyped-def]
    entry = record(actor="aigerim", action=Action.READ, object_type="cases.case", object_id=1)
    client = logged_in_client(dpo)
    intact = client.get("/audit/verify/").content.decode()
    assert "notice ok" in intact
    AuditEntry.objects.filter(pk=entry.pk).update(actor_name="nobody")
    tampered = client.get("/audit/verify/").content.decode()
    assert "notice error" in tampered
    assert f"id {entry.pk}" in tampered
