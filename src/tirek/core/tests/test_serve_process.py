"""`tirek serve` as a newcomer runs it: a real gunicorn process on a fresh var/ folder."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback only)
        return response.status, response.headers.get("Content-Type", ""), response.read()


@pytest.mark.skipif(sys.platform == "win32", reason="gunicorn needs a POSIX system")
def test_it_serves_pages_and_its_own_css_from_a_fresh_folder(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "TIREK_VAR_DIR": str(tmp_path),
        "TIREK_DEMO": "1",
        "TIREK_DEBUG": "",
        "TIREK_WORKERS": "1",
        "DATABASE_URL": "",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "tirek.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(f"{base}/static/tirek/favicon.svg")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("tirek serve did not start")
                time.sleep(0.5)
        status, content_type, body = _get(f"{base}/static/tirek/tirek.css")
        assert status == 200 and content_type.startswith("text/css") and b"--accent" in body
        status, _type, _body = _get(f"{base}/static/tirek/htmx.min.js")
        assert status == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
