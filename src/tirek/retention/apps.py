from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tirek.core import wiring


class RetentionConfig(wiring.AppConfig):
    name = "tirek.retention"
    verbose_name = _("Retention")
    nav = [wiring.Nav(_("Retention"), "retention:work_list", ".selectors.is_dpo", 86)]
    urls = [("retention/", ".urls")]
    my_work_panels = [(16, ".views.dpo_panel")]
    demo_loaders = [(90, ".demo.load")]
    case_panels = [(12, ".views.corrections_panel")]
    person_key_movers = [
        "tirek.cases.attachments.move_to_person_keys",
        "tirek.people.services.photos_to_person_keys",
    ]
