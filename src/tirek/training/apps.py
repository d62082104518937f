from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tirek.core import wiring


class TrainingConfig(wiring.AppConfig):
    name = "tirek.training"
    verbose_name = _("Training")
    nav = [
        wiring.Nav(_("Training"), "training:my_courses", lambda user: True, 80),
        wiring.Nav(_("Events"), "training:events", ".permissions.sees_events_nav", 81),
    ]
    urls = [("training/", ".urls"), ("verify/", ".verify_urls")]
    api_routers = [("/training", ".api.router")]
    my_work_panels = [(80, ".views.my_work_panel")]
    demo_loaders = [(60, ".demo.load")]
    encrypted_file_rotators = [".tasks.rotate_files"]
