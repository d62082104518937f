from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tirek.accounts import services
from tirek.accounts.models import Competency, User
from tirek.accounts.roles import Role
from tirek.organisations.models import Agency


class Command(BaseCommand):
    help = "Provision staff accounts without a browser: create, disable, reset-mfa, unlock, grant, list."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="operation", required=True)
        create = sub.add_parser("create", help="Create an account")
        create.add_argument("username")
        create.add_argument("--role", action="append", required=True, choices=Role.values)
        create.add_argument("--agency", help="Agency name")
        create.add_argument("--first-name", default="")
        create.add_argument("--last-name", default="")
        create.add_argument("--email", default="")
        create.add_argument(
            "--password-env",
            default="TIREK_NEW_PASSWORD",
            help="Environment variable holding the password (asked for when unset)",
        )
        for name, text in (
            ("disable", "Disable an account and revoke its tokens"),
            ("reset-mfa", "Remove an account's two-factor devices"),
            ("unlock", "Lift a sign-in lockout"),
        ):
            sub.add_parser(name, help=text).add_argument("username")
        grant = sub.add_parser("grant", help="Record a competency")
        grant.add_argument("username")
        grant.add_argument("competency", choices=Competency.values)
        sub.add_parser("list", help="List accounts and roles")

    def handle(self, *args: Any, **options: Any) -> None:
        operation = options["operation"]
        if operation == "list":
            for user in User.objects.order_by("username").prefetch_related("roles"):
                roles = ",".join(sorted(r.role for r in user.roles.all()))
                state = "active" if user.is_active else "disabled"
                self.stdout.write(f"{user.username}\t{state}\t{roles}")
            return
        if operation == "create":
            self._create(options)
            return
        user = self._user(options["username"])
        if operation == "disable":
            services.user_disable(user=user)
            self.stdout.write(f"Disabled {user.username}.")
        elif operation == "reset-mfa":
            count = services.user_reset_mfa(user=user)
            self.stdout.write(f"Removed {count} authenticator(s) of {user.username}.")
        elif operation == "unlock":
            cleared = services.user_unlock(user=user)
            self.stdout.write(
                f"Unlocked {user.username} ({cleared} failed attempt record(s) cleared)."
            )
        elif operation == "grant":
            services.competency_grant(
                user=user, competency=options["competency"], source="recorded by administrator"
            )
            self.stdout.write(f"Granted {options['competency']} to {user.username}.")

    def _user(self, username: str) -> User:
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"No account named {username!r}.") from exc

    def _create(self, options: dict[str, Any]) -> None:
        agency = None
        if options["agency"]:
            agency = Agency.objects.filter(name=options["agency"]).first()
            if agency is None:
                raise CommandError(f"No agency named {options['agency']!r}.")
        password = os.environ.get(options["password_env"]) or getpass.getpass("Password: ")
        try:
            user = services.user_create(
                username=options["username"],
                password=password,
                roles=options["role"],
                agency=agency,
                first_name=options["first_name"],
                last_name=options["last_name"],
                email=options["email"],
                must_change_password=True,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"Created {user.username} ({', '.join(options['role'])}). "
            "They choose their own password at their first sign-in."
        )
