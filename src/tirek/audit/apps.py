from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "tirek.audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from tirek.accounts.roles import Role
        from tirek.core.registry import NavItem, add_nav

        add_nav(
            NavItem(
                label=_("Audit log"),
                url_name="audit:log",
                visible=lambda user: user.has_role(Role.DPO),
                order=90,
            )
        )
