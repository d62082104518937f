from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterviewsConfig(AppConfig):
    name = "tirek.interviews"
    verbose_name = _("Child-sensitive interviews")

    def ready(self) -> None:
        from . import wiring

        wiring.register()
