"""The health endpoint, the JSON-lines request log and the daily reminder digest."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from django.core import mail
from django.test import Client
from django.utils import timezone

from tirek.accounts.roles import Role
from tirek.assessments.tests.factories import make_case
from tirek.ops import digest
from tirek.ops.logs import JsonLinesFormatter
from tirek.ops.models import WorkerHeartbeat
from tirek.ops.worker import Heartbeat
from tirek.testing import World, logged_in_client


def health(client: Client) -> tuple[int, dict]:
    response = client.get("/healthz")
    return response.status_code, response.json()


def test_health_is_ok_when_database_cache_worker_and_disk_are(db) -> None:
    Heartbeat("worker-1").beat()
    status, body = health(Client())
    assert status == 200
    # Exactly this, for anyone: no version, host, counts or error text.
    assert body == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "worker": "ok", "disk": "ok"},
    }


def test_health_fails_without_a_live_worker(db) -> None:
    Heartbeat("worker-1").beat()
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - timedelta(minutes=5))
    status, body = health(Client())
    assert status == 503 and body["checks"]["worker"] == "fail" and body["status"] == "fail"


def test_health_fails_when_the_attachment_disk_is_full(db, monkeypatch) -> None:
    Heartbeat("worker-1").beat()
    monkeypatch.setenv("TIREK_HEALTH_MIN_FREE_MB", str(10**12))  # more than any disk
    status, body = health(Client())
    assert status == 503 and body["checks"]["disk"] == "fail"


def test_health_hides_why_the_cache_failed(db, monkeypatch, caplog) -> None:
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("redis at 10.0.0.7:6379 refused")

    Heartbeat("worker-1").beat()
    monkeypatch.setattr(cache, "set", down)
    response = Client().get("/healthz")
    assert response.status_code == 503 and response.json()["checks"]["cache"] == "fail"
    assert b"10.0.0.7" not in response.content  # the reason is in the log only
    assert "health check cache failed" in caplog.text


def test_each_request_is_one_json_line_with_ids_and_no_names(world: World, caplog) -> None:
    caplog.set_level(logging.INFO, logger="tirek.requests")
    manager = world.staff(Role.CASE_MANAGER)
    case = make_case(world, manager=manager)
    client = logged_in_client(manager)
    response = client.get(f"/cases/{case.pk}/", HTTP_X_REQUEST_ID="abc123")
    assert response["X-Request-ID"] == "abc123"
    record = [r for r in caplog.records if r.name == "tirek.requests"][-1]
    line = json.loads(JsonLinesFormatter().format(record))
    assert line["request_id"] == "abc123" and line["user_id"] == manager.pk
    assert line["method"] == "GET" and line["status"] == response.status_code
    assert line["route"] == "/cases/<int:pk>/"  # the pattern, not the case's id
    text = json.dumps(line, ensure_ascii=False)
    for secret in (case.person.family_name, case.number, manager.username, str(case.pk) + "/"):
        assert secret not in text


def test_a_forged_request_id_is_replaced(db) -> None:
    response = Client().get("/healthz", HTTP_X_REQUEST_ID="x\r\nSet-Cookie: a=b")
    assert response["X-Request-ID"].isalnum() and len(response["X-Request-ID"]) == 32


def test_the_digest_gives_counts_and_a_link_only(world: World, instruments: None, settings) -> None:
    settings.BASE_URL = "https://tirek.example.org"
    manager = world.staff(Role.CASE_MANAGER)
    manager.email = "manager@example.org"
    manager.save()
    overdue = make_case(world, manager=manager, opened_days_ago=10)  # initial assessment late
    upcoming = make_case(world, manager=manager)  # initial assessment due within 72 hours
    other = world.staff(Role.CASE_MANAGER)
    other.email = "other@example.org"
    other.save()
    make_case(world, manager=other, opened_days_ago=10)

    assert digest.send_digests.call() == 2
    mine = next(m for m in mail.outbox if m.to == ["manager@example.org"])
    assert mine.body.count("1") >= 2  # one overdue, one due this week
    assert "https://tirek.example.org/work/tasks/" in mine.body
    for case in (overdue, upcoming):
        assert case.number not in mine.body and case.person.family_name not in mine.body
        assert case.person.given_name not in mine.body
    assert digest.digest_for(manager, timezone.now()) == digest.Digest(overdue=1, due_this_week=1)

    assert digest.send_digests.call() == 0  # a retried run the same day sends nothing twice
    assert len(mail.outbox) == 2


def test_no_digest_for_someone_with_nothing_due_or_no_address(
    world: World, instruments: None
) -> None:
    idle = world.staff(Role.CASE_MANAGER)
    idle.email = "idle@example.org"
    idle.save()
    busy_without_address = world.staff(Role.CASE_MANAGER)
    make_case(world, manager=busy_without_address, opened_days_ago=10)
    assert digest.send_digests.call() == 0 and not mail.outbox
