from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tirek.core import wiring


class AccessConfig(wiring.AppConfig):
    name = "tirek.access"
    verbose_name = _("Access policy")
    my_work_scopes = (".policy.case_grants_read_once_for",)
