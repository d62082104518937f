from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "tirek.training"
    verbose_name = _("Training")

    def ready(self) -> None:
        from tirek.core.registry import (
            NavItem,
            add_api_router,
            add_demo_loader,
            add_my_work_panel,
            add_nav,
            add_urls,
            encrypted_file_rotators,
        )

        from . import demo, permissions, tasks
        from .api import router
        from .views import my_work_panel

        add_nav(
            NavItem(
                label=_("Training"),
                url_name="training:my_courses",
                visible=lambda user: True,
                order=80,
            )
        )
        add_nav(
            NavItem(
                label=_("Events"),
                url_name="training:events",
                visible=permissions.sees_events_nav,
                order=81,
            )
        )
        add_urls("training/", "tirek.training.urls")
        add_urls("verify/", "tirek.training.verify_urls")
        add_api_router("/training", router)
        add_my_work_panel(80, my_work_panel)
        add_demo_loader(60, demo.load)
        if tasks.rotate_files not in encrypted_file_rotators:
            encrypted_file_rotators.append(tasks.rotate_files)
