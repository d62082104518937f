"""Consent-expiry reminders in the daily digest, and the digest's once-a-day mark kept in
the database (a cache flush or a second server never sends it twice)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.assessments.tests.factories import make_case
from tirek.cases.models import Case, CaseTeamMember
from tirek.ops import digest
from tirek.ops.models import DigestSent
from tirek.privacy.models import Consent, ConsentKind, GivenBy, Purpose
from tirek.privacy.selectors import ConsentReminder, consent_reminder
from tirek.testing import World

# A fixed clock: every date below counts from this morning.
NOW = timezone.make_aware(datetime(2026, 3, 2, 8, 0))
TODAY = date(2026, 3, 2)


def consent(case: Case, by: User, *, until: date | None, **extra: object) -> Consent:
    fields: dict[str, object] = {
        "person": case.person,
        "purpose": Purpose.CASE_MANAGEMENT,
        "kind": ConsentKind.CONSENT,
        "given_by": GivenBy.GUARDIAN,
        "giver_name": "Мать",
        "valid_from": date(2025, 1, 1),
        "valid_until": until,
        "recorded_by": by,
    }
    fields.update(extra)
    return Consent.objects.create(**fields)


def with_address(user: User, address: str) -> User:
    user.email = address
    user.save()
    return user


@pytest.fixture
def scene(world: World) -> dict[str, Any]:
    """A case manager's four open cases and one closed: a consent ending in ten days, one
    ended five days ago, one ended but renewed, one withdrawn; the closed case's expired."""
    manager = with_address(world.staff(Role.CASE_MANAGER), "manager@example.org")
    expiring, expired, renewed, withdrawn, closed = (
        make_case(world, manager=manager) for _ in range(5)
    )
    consent(expiring, manager, until=TODAY + timedelta(days=10))
    consent(expired, manager, until=TODAY - timedelta(days=5))
    consent(renewed, manager, until=TODAY - timedelta(days=40))
    consent(renewed, manager, until=TODAY + timedelta(days=300))
    consent(withdrawn, manager, until=TODAY + timedelta(days=3), withdrawn_at=NOW)
    consent(closed, manager, until=TODAY - timedelta(days=1))
    Case.objects.filter(pk=closed.pk).update(status="closed")
    return {"manager": manager, "expiring": expiring, "expired": expired}


def test_counts_only_the_consents_on_open_cases_the_person_works_on(
    world: World, scene: dict[str, Any]
) -> None:
    manager = scene["manager"]
    assert consent_reminder(manager, NOW) == ConsentReminder(expiring=1, expired=1)
    # A lawyer on the case team sees its consent (core section): counted for them too.
    lawyer = world.staff(Role.LAWYER)
    CaseTeamMember.objects.create(case=scene["expired"], user=lawyer, role=Role.LAWYER)
    assert consent_reminder(lawyer, NOW) == ConsentReminder(expiring=0, expired=1)
    # Not on the team: nothing, however the user is placed (same unit, supervisor, DPO).
    for role in (Role.CASE_MANAGER, Role.SUPERVISOR, Role.DPO, Role.ME_ANALYST):
        assert consent_reminder(world.staff(role), NOW).is_empty, role


def test_the_notice_period_moves_with_the_clock(scene: dict[str, Any]) -> None:
    manager = scene["manager"]
    # 25 days earlier the consent ending in ten days was not yet due for renewal.
    assert consent_reminder(manager, NOW - timedelta(days=25)) == ConsentReminder(1, 0)
    # Eleven days later it has expired too.
    assert consent_reminder(manager, NOW + timedelta(days=11)) == ConsentReminder(0, 2)


def test_the_digest_gives_consent_counts_and_a_link_only(
    scene: dict[str, Any], settings: Any
) -> None:
    settings.BASE_URL = "https://tirek.example.org"
    settings.LANGUAGE_CODE = "en"
    manager = scene["manager"]
    manager.preferred_language = "en"
    manager.save()
    assert digest.send_digests.call(NOW.isoformat()) == 1
    (message,) = mail.outbox
    assert message.to == ["manager@example.org"]
    assert "expire within 30 days: 1" in message.body
    assert "have expired: 1" in message.body
    assert "https://tirek.example.org/\n" in message.body
    for case in Case.objects.all():
        assert case.number not in message.body
        assert case.person.family_name not in message.body
        assert case.person.given_name not in message.body


def test_two_servers_with_their_own_caches_send_one_digest_a_day(scene: dict[str, Any]) -> None:
    assert digest.send_digests.call(NOW.isoformat()) == 1
    cache.clear()  # the second server: nothing in its cache (or the cache was flushed)
    assert digest.send_digests.call((NOW + timedelta(hours=3)).isoformat()) == 0
    assert len(mail.outbox) == 1
    assert DigestSent.objects.filter(user=scene["manager"], day=TODAY).count() == 1
    # The next morning it goes out again.
    cache.clear()
    assert digest.send_digests.call((NOW + timedelta(days=1)).isoformat()) == 1
    assert len(mail.outbox) == 2


def test_a_failed_digest_is_retried_for_that_person_only(
    world: World, scene: dict[str, Any], settings: Any, monkeypatch: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    other = with_address(world.staff(Role.CASE_MANAGER), "other@example.org")
    consent(make_case(world, manager=other), other, until=TODAY)  # ends today
    real_send = digest.send_mail

    def send_mail(subject: str, body: str, sender: Any, to: list[str], **kwargs: Any) -> int:
        if to == ["manager@example.org"]:
            raise OSError("mail server down")
        return real_send(subject, body, sender, to, **kwargs)

    monkeypatch.setattr(digest, "send_mail", send_mail)
    with pytest.raises(digest.DigestFailed):
        digest.send_digests.call(NOW.isoformat())
    assert [m.to for m in mail.outbox] == [["other@example.org"]]
    assert not DigestSent.objects.filter(user=scene["manager"]).exists()
    retry = DBTaskResult.objects.get(task_path="tirek.ops.digest.send_digests")
    assert retry.args_kwargs["kwargs"] == {"attempt": 2}

    monkeypatch.setattr(digest, "send_mail", real_send)
    assert digest.send_digests.call(*retry.args_kwargs["args"], attempt=2) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["manager@example.org", "other@example.org"]


def test_my_work_shows_the_same_counts_to_the_team_only(
    world: World, scene: dict[str, Any]
) -> None:
    from tirek.testing import logged_in_client

    page = logged_in_client(scene["manager"]).get("/").content.decode()
    assert 'data-testid="consent-counts"' in page
    # Counted on the real clock (the page has no other), where the fixed clock's dates
    # have moved on: read the counts from the selector, then find them on the page.
    reminder = consent_reminder(scene["manager"])
    paragraph = re.search(r'data-testid="consent-counts">(.*?)</p>', page, re.S)
    assert paragraph is not None
    assert sorted(map(int, re.findall(r"\d+", paragraph.group(1)))) == sorted(
        [reminder.expiring, reminder.expired, 30]
    )
    stranger = logged_in_client(world.staff(Role.CASE_MANAGER)).get("/").content.decode()
    assert 'data-testid="consent-counts"' not in stranger
