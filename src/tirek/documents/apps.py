from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tirek.core import wiring


class DocumentsConfig(wiring.AppConfig):
    name = "tirek.documents"
    verbose_name = _("Case documents")
    urls = [("documents/", ".urls")]  # the link to the case summaries is on the case header
