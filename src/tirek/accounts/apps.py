from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tirek.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from tirek.core.registry import NavItem, add_nav

        from . import signals  # noqa: F401  (connects login auditing)
        from .roles import Role

        add_nav(
            NavItem(
                label=_("Administration"),
                url_name="admin:index",
                visible=lambda user: user.is_staff and user.has_role(Role.ADMIN),
                order=95,
            )
        )
