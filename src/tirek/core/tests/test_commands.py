"""`tirek serve` and `tirek demo`."""

from __future__ import annotations

from io import StringIO
from typing import Any
from unittest import mock

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from tirek.accounts.models import User
from tirek.core.management.commands.serve import is_loopback


class _FakeServer:
    started: list[dict[str, Any]] = []

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options

    def run(self) -> None:
        self.started.append(self.options)


@pytest.fixture
def fake_server():
    _FakeServer.started = []
    with (
        mock.patch("tirek.core.management.commands.serve._Gunicorn", _FakeServer),
        mock.patch("tirek.core.management.commands.serve.call_command"),
    ):
        yield _FakeServer.started


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "tirek.example.org"])  # noqa: S104
@override_settings(DEMO_MODE=True, DEBUG=False)
def test_it_refuses_demo_mode_on_a_public_address(fake_server, host: str) -> None:
    with pytest.raises(CommandError, match="demo"):
        call_command("serve", "--host", host, stdout=StringIO())
    assert fake_server == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "[::1]"])
@override_settings(DEMO_MODE=True, DEBUG=False)
def test_it_serves_demo_mode_on_loopback(fake_server, host: str) -> None:
    call_command("serve", "--host", host, "--port", "8123", stdout=StringIO())
    assert fake_server[0]["bind"].endswith(":8123")


@override_settings(DEMO_MODE=False, DEBUG=False)
def test_it_serves_a_real_installation_on_any_address(fake_server) -> None:
    call_command("serve", "--host", "0.0.0.0", stdout=StringIO())  # noqa: S104
    assert fake_server[0]["bind"] == "0.0.0.0:8000"


def test_it_knows_loopback_addresses() -> None:
    assert is_loopback("127.0.0.5") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("10.0.0.1") and not is_loopback("example.org") and not is_loopback("")


def _counts() -> dict[str, int]:
    # Every table except the logs that record the loading itself.
    skip = {"audit.auditentry", "audit.auditchain", "sessions.session", "admin.logentry"}
    return {
        model._meta.label_lower: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.label_lower not in skip and not model._meta.proxy
    }


@pytest.mark.django_db(transaction=True)
def test_it_loads_the_demo_twice_without_duplicates() -> None:
    out = StringIO()
    call_command("demo", stdout=out)
    first = _counts()
    call_command("demo", stdout=StringIO())
    assert _counts() == first
    assert User.objects.filter(username="demo-case-manager", is_demo=True).exists()
    assert User.objects.filter(username="demo-case-manager-2").exists()
    assert User.objects.get(username="demo-admin").is_staff
    assert "Tirek-demo-2026" in out.getvalue()
