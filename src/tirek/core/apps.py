from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tirek.core import wiring


class CoreConfig(wiring.AppConfig):
    name = "tirek.core"
    verbose_name = _("Core")

    def plug_in(self, app: wiring.AppConfig) -> None:
        """Registers what ``app`` declares for core's extension points (``registry``)."""
        from . import registry

        for nav in app.nav:
            visible = app.resolve(nav.visible) if isinstance(nav.visible, str) else nav.visible
            registry.add_nav(registry.NavItem(nav.label, nav.url_name, visible, nav.order))
        for prefix, module in app.urls:
            registry.add_urls(prefix, app.absolute(module))
        for prefix, router in app.api_routers:
            registry.add_api_router(prefix, app.resolve(router))
        for order, panel in app.my_work_panels:
            registry.add_my_work_panel(order, app.resolve(panel))
        for scope in app.my_work_scopes:
            registry.add_my_work_scope(app.resolve(scope))
        for order, loader in app.demo_loaders:
            registry.add_demo_loader(order, app.resolve(loader))
        for rotator in app.encrypted_file_rotators:
            registry.add_encrypted_file_rotator(app.resolve(rotator))
        for mover in app.person_key_movers:
            registry.add_person_key_mover(app.resolve(mover))
        for records in app.case_records:
            registry.add_case_records(app.resolve(records))
