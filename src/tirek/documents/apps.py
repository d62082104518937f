from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "tirek.documents"
    verbose_name = _("Case documents")

    def ready(self) -> None:
        from . import wiring

        wiring.register()
