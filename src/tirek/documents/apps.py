from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "tirek.documents"
    verbose_name = _("Case documents")

    def ready(self) -> None:
        from tirek.core.registry import add_urls

        # The link to the case summaries is on the case header.
        add_urls("documents/", "tirek.documents.urls")
