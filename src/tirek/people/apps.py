from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tirek.core import wiring


class PeopleConfig(wiring.AppConfig):
    name = "tirek.people"
    verbose_name = _("People and families")
    nav = [wiring.Nav(_("People"), "people:list", ".views.may_use_people", 15)]
    urls = [("people/", ".urls")]
    api_routers = [("/persons", ".api.router")]
    my_work_panels = [(30, ".views.my_work_panel")]
    demo_loaders = [(10, ".demo.load")]
    encrypted_file_rotators = [".services.photos_rotate"]
    case_panels = [(5, ".views.case_panel", "family")]
