from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "tirek.retention"
    verbose_name = _("Retention")

    def ready(self) -> None:
        from tirek.cases import attachments
        from tirek.cases.panels import add_panel
        from tirek.core.registry import (
            NavItem,
            add_demo_loader,
            add_my_work_panel,
            add_nav,
            add_urls,
            person_key_movers,
        )
        from tirek.people.services import photos_to_person_keys

        from . import demo, views
        from .selectors import is_dpo

        add_nav(
            NavItem(label=_("Retention"), url_name="retention:work_list", visible=is_dpo, order=86)
        )
        add_urls("retention/", "tirek.retention.urls")
        add_my_work_panel(16, views.dpo_panel)
        add_demo_loader(90, demo.load)
        add_panel(12, views.corrections_panel)
        for move in (attachments.move_to_person_keys, photos_to_person_keys):
            if move not in person_key_movers:
                person_key_movers.append(move)
