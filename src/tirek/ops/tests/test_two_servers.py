"""Two ``tirek serve`` processes on two loopback ports, one database and the local Redis:
a person signs in on one and goes on working on the other, and the sign-in rate limit
counts attempts made on both. Skipped, saying why, where Redis is not running."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from tirek.accounts.models import User
from tirek.testing import PASSWORD

SRC = Path(__file__).resolve().parents[3]
REDIS_URL = os.environ.get("TIREK_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


def redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).flushdb()
    except redis.RedisError:
        pytest.skip(f"Redis is not running at {REDIS_URL} (two servers need a shared cache)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def shared_database_url(tmp_path: Path) -> str:
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        path = tmp_path / "shared.sqlite3"
        source, copy = sqlite3.connect(settings_dict["NAME"], uri=True), sqlite3.connect(path)
        source.backup(copy)
        copy.close()
        source.close()
        return f"sqlite:///{path}"
    port = settings_dict["PORT"] or 5432
    return (
        f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{port}/{settings_dict['NAME']}"
    )


def serve(port: int, url: str, var: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "DATABASE_URL": url,
        "TIREK_VAR_DIR": str(var),
        "TIREK_REDIS_URL": REDIS_URL,
        "TIREK_DEMO": "1",  # demo accounts sign in without a second factor
        "TIREK_LOGIN_RATE": "6",
        "TIREK_LOG_FORMAT": "text",
    }
    env.pop("TIREK_TEST_DB_NAME", None)
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "tirek.cli", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


class Browser:
    """Cookies (shared by host, whatever the port, as browsers do); no redirect following."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), self._NoRedirect()
        )

    def request(
        self, url: str, data: dict[str, str] | None = None, **headers: str
    ) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            request = urllib.request.Request(url, body, headers)  # noqa: S310  http://127.0.0.1 only
            with self.opener.open(request, timeout=20) as answer:
                return answer.status, answer.read().decode(), answer.headers.get("Location", "")
        except urllib.error.HTTPError as answer:
            return answer.code, answer.read().decode(), answer.headers.get("Location", "")


def wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2).close()  # noqa: S310
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"the server on port {port} did not start")


def sign_in(browser: Browser, base: str, username: str, password: str) -> int:
    _status, page, _location = browser.request(f"{base}/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    status, _page, _location = browser.request(
        f"{base}/accounts/login/",
        {"login": username, "password": password, "csrfmiddlewaretoken": token},
        Referer=f"{base}/accounts/login/",
    )
    return status


@pytest.mark.django_db(transaction=True)
def test_two_servers_share_sessions_and_rate_limits_through_redis(world, tmp_path) -> None:
    redis_or_skip()
    from tirek.accounts.roles import Role

    user = world.staff(Role.CASE_MANAGER, username="demo-case-manager")
    # Tests hash with MD5 for speed; the servers accept only production hashers.
    hashed = PBKDF2PasswordHasher().encode(PASSWORD, "twoservers", iterations=1000)
    User.objects.filter(pk=user.pk).update(is_demo=True, password=hashed)
    url = shared_database_url(tmp_path)
    ports = [free_port(), free_port()]
    servers = [serve(port, url, tmp_path / f"var{i}") for i, port in enumerate(ports)]
    try:
        for port in ports:
            wait_until_up(port)
        one, two = (f"http://127.0.0.1:{port}" for port in ports)

        if time.localtime().tm_sec > 30:
            time.sleep(61 - time.localtime().tm_sec)  # every attempt in one minute's window
        browser = Browser()
        assert sign_in(browser, one, "demo-case-manager", PASSWORD) == 302
        # Cookies are per host, not per port: the same session goes to the other server.
        status, page, _location = browser.request(f"{two}/")
        assert status == 200 and "demo-case-manager" in page
        assert browser.request(f"{two}/me/")[0] == 200
        assert Browser().request(f"{two}/me/")[0] == 302  # a stranger is sent to sign in

        attacker = Browser()
        statuses = [
            sign_in(attacker, (one, two)[attempt % 2], f"nobody-{attempt}", "wrong")
            for attempt in range(8)
        ]
        # Six attempts a minute from one address (the sign-in above was the first),
        # counted across both servers: alone, each server would have allowed six.
        assert statuses[:5] == [200] * 5
        assert statuses[5:] == [429, 429, 429]
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(20)
