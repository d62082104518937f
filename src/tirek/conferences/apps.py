from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConferencesConfig(AppConfig):
    name = "tirek.conferences"
    verbose_name = _("Case conferences")

    def ready(self) -> None:
        from . import wiring

        wiring.register()
