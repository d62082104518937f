from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "tirek.privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from . import wiring

        wiring.register()
