from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tirek.accounts.roles import Role
from tirek.core import wiring


class AuditConfig(wiring.AppConfig):
    name = "tirek.audit"
    verbose_name = _("Audit log")
    nav = [wiring.Nav(_("Audit log"), "audit:log", lambda user: user.has_role(Role.DPO), 90)]
    my_work_scopes = (".services.my_work_reads",)
