from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from tirek.accounts import demo_org
from tirek.core.registry import demo_loaders


class Command(BaseCommand):
    help = "Migrate the database and load the invented demo data (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        demo_org.load(self.stdout)
        for _order, loader in demo_loaders:
            loader(self.stdout)
        self.stdout.write("")
        self.stdout.write(
            f"Demo accounts: demo-<role>, e.g. demo-case-manager; password: {demo_org.DEMO_PASSWORD}"
        )
        self.stdout.write("They sign in without two-factor authentication only while TIREK_DEMO=1.")
