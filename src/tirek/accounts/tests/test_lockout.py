"""Lockout stops guessing but cannot be used to lock someone out (issue 10: five wrong
passwords from anywhere locked any known account for 15 minutes)."""

from __future__ import annotations

import time

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client, override_settings

from tirek.accounts import lockout
from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.testing import PASSWORD, World

from .helpers import enrol, password_step

VICTIM_DESK = "10.1.1.10"


def _from(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def _signs_in(address: str) -> bool:
    """The password step succeeds (the second factor comes next)."""
    response = password_step(_from(address), "aigerim", PASSWORD)
    return response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"


@pytest.fixture
def victim(world: World):
    user = world.staff(Role.CASE_MANAGER, username="aigerim")
    enrol(user)
    return user


def test_an_attacker_at_one_address_cannot_lock_the_victim_out_of_another(victim) -> None:
    for _attempt in range(5):
        password_step(_from("203.0.113.7"), "aigerim", "guess")
    # Guessing from there is over: even the right password is refused.
    assert password_step(_from("203.0.113.7"), "aigerim", PASSWORD).status_code == 429
    assert AuditEntry.objects.filter(action=Action.LOCKED_OUT, actor_name="aigerim").exists()
    # The victim, at their own desk, signs in.
    assert _signs_in(VICTIM_DESK)


def test_the_same_address_cannot_keep_guessing_after_the_cool_off(victim) -> None:
    for _round in range(4):
        for _attempt in range(5):
            password_step(_from("203.0.113.7"), "aigerim", "guess")
        AccessAttempt.objects.all().delete()  # as if the 15-minute cool-off had passed
    # Twenty failures, but one address counts at most five towards the account.
    assert lockout.account_failures("aigerim") == 5
    assert _signs_in(VICTIM_DESK)


@override_settings(LOCKOUT_ACCOUNT_SLOWDOWN=100, LOCKOUT_ACCOUNT_FAILURES=15)
def test_guessing_from_many_addresses_locks_the_account_everywhere(victim) -> None:
    for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        for _attempt in range(5):
            password_step(_from(address), "aigerim", "guess")
    assert lockout.account_failures("aigerim") == 15
    # A fourth address with the right password is refused: the guesser cannot profit either.
    assert password_step(_from("198.51.100.4"), "aigerim", PASSWORD).status_code == 429
    assert not _signs_in(VICTIM_DESK)
    assert AuditEntry.objects.filter(
        action=Action.LOCKED_OUT, actor_name="aigerim", detail__scope="account"
    ).exists()
    # An administrator lifts it.
    call_command("users", "unlock", "aigerim")
    assert _signs_in(VICTIM_DESK)


@override_settings(LOCKOUT_ACCOUNT_SLOWDOWN=10, LOCKOUT_ACCOUNT_FAILURES=50)
def test_many_addresses_meet_a_progressive_delay(victim, monkeypatch) -> None:
    for address in ("198.51.100.1", "198.51.100.2"):
        for _attempt in range(5):
            password_step(_from(address), "aigerim", "guess")
    assert lockout.account_failures("aigerim") == 10
    # Right after the tenth failure every address waits (1 s, doubling with each failure).
    assert password_step(_from("198.51.100.3"), "aigerim", "guess").status_code == 429
    later = time.time() + 2
    monkeypatch.setattr(lockout.time, "time", lambda: later)
    assert lockout.account_wait_seconds("aigerim") == 0
    assert _signs_in(VICTIM_DESK)


def test_a_colleague_behind_the_same_network_address_is_not_locked(world: World, victim) -> None:
    colleague = world.staff(Role.CASE_MANAGER, username="marat")
    enrol(colleague)
    for _attempt in range(5):
        password_step(_from(VICTIM_DESK), "aigerim", "guess")
    response = password_step(_from(VICTIM_DESK), "marat", PASSWORD)
    assert response.status_code == 302
