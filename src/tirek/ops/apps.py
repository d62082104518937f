from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tirek.core import wiring


class OpsConfig(wiring.AppConfig):
    name = "tirek.ops"
    label = "ops"
    verbose_name = _("Operations")
