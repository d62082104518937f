"""A new password ends every API token and every other session (issue 10: API tokens
survived a password change), and HSTS is sent behind TLS."""

from __future__ import annotations

import os
import subprocess
import sys

from django.test import Client, override_settings

from tirek.accounts.models import ApiToken
from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.testing import PASSWORD, World, api_client, logged_in_client

NEW_PASSWORD = "a-brand-new-passphrase-77"  # noqa: S105


def test_changing_the_password_revokes_api_tokens_and_other_sessions(world: World) -> None:
    user = world.staff(Role.CASE_MANAGER, username="aigerim")
    api = api_client(user)
    assert api.get("/api/v1/auth/me").status_code == 200
    elsewhere = logged_in_client(user)  # e.g. a browser left signed in at another desk
    assert elsewhere.get("/").status_code == 200
    here = logged_in_client(user)
    response = here.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert api.get("/api/v1/auth/me").status_code == 401
    assert not ApiToken.objects.usable().filter(user=user).exists()
    assert elsewhere.get("/").status_code == 302  # signed out
    assert here.get("/").status_code == 200  # the session that changed it stays
    assert AuditEntry.objects.filter(
        action=Action.TOKEN_REVOKED, actor=user, detail__reason="password changed"
    ).exists()


def test_a_password_set_by_an_administrator_revokes_tokens_too(world: World) -> None:
    user = world.staff(Role.CASE_MANAGER)
    api = api_client(user)
    admin_client = logged_in_client(world.staff(Role.ADMIN))
    response = admin_client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert api.get("/api/v1/auth/me").status_code == 401


def test_signing_in_again_after_a_change_gets_a_working_token(world: World) -> None:
    user = world.staff(Role.CASE_MANAGER)
    user.set_password(NEW_PASSWORD)
    user.save()
    assert api_client(user).get("/api/v1/auth/me").status_code == 200


_HSTS_UNDER = """
import importlib, json, os, sys
results = []
for env in json.loads(sys.argv[1]):
    for key in [k for k in os.environ if k.startswith("TIREK_")]:
        del os.environ[key]
    os.environ.update({"TIREK_SECRET_KEY": "x" * 50, **env})
    import tirek.settings as s
    s = importlib.reload(s)
    results.append([s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS])
print(json.dumps(results))
"""


def test_hsts_is_one_year_behind_tls_without_subdomains_unless_asked(tmp_path) -> None:
    import json

    cases = [
        {"TIREK_TLS": "1"},
        {},  # production defaults to secure cookies, and so to TLS
        {"TIREK_DEBUG": "1"},
        {"TIREK_TLS": "1", "TIREK_HSTS_INCLUDE_SUBDOMAINS": "1"},
    ]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "TIREK_VAR_DIR": str(tmp_path)}
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", _HSTS_UNDER, json.dumps(cases)],
        env=env, capture_output=True, text=True, check=True, cwd=tmp_path,
    ).stdout  # fmt: skip
    year = 365 * 24 * 3600
    assert json.loads(out) == [[year, False], [year, False], [0, False], [year, True]]


@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=False)
def test_the_header_is_sent_on_secure_requests_only(db: None) -> None:
    secure = Client().get("/accounts/login/", secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in Client().get("/accounts/login/")
