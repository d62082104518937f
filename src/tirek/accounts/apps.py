from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tirek.core import wiring

from .roles import Role


class AccountsConfig(wiring.AppConfig):
    name = "tirek.accounts"
    verbose_name = _("Accounts")
    nav = [
        wiring.Nav(
            _("Administration"),
            "admin:index",
            lambda user: user.is_staff and user.has_role(Role.ADMIN),
            95,
        )
    ]

    def ready(self) -> None:
        super().ready()
        from . import signals  # noqa: F401  (connects login auditing)
