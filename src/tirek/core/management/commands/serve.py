from __future__ import annotations

import ipaddress
import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from gunicorn.app.base import BaseApplication


def is_loopback(host: str) -> bool:
    if host in {"localhost", "ip6-localhost"}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class _Gunicorn(BaseApplication):  # type: ignore[misc]  # gunicorn is untyped
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        # Imported here, after collectstatic: WhiteNoise indexes the static files when
        # the application is built, so building it earlier would serve no CSS or JS.
        from tirek.wsgi import application

        return application


class Command(BaseCommand):
    help = "Serve Tirek with gunicorn (production-grade); static files are served by the app."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("TIREK_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("TIREK_PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("TIREK_WORKERS", "2"))
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        if settings.DEMO_MODE and not settings.DEBUG and not is_loopback(host):
            raise CommandError(
                "Refusing to serve demo mode on a non-loopback address: demo accounts skip "
                "two-factor authentication. Unset TIREK_DEMO, or bind to 127.0.0.1."
            )
        call_command("collectstatic", interactive=False, verbosity=0)
        # The shared cache's table (rate limits, lockout); a no-op when it exists or Redis is used.
        call_command("createcachetable", verbosity=0)
        bind = f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"
        self.stdout.write(f"Tirek at http://{bind}/")
        _Gunicorn(
            {
                "bind": bind,
                "workers": options["workers"],
                "threads": 4,
                "worker_class": "gthread",
                "accesslog": "-",
                "timeout": 60,
                "max_requests": 2000,
                "max_requests_jitter": 200,
            }
        ).run()
