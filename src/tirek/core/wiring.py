"""One way to wire an app: its config declares what it plugs in, and ``ready()`` plugs it.

An app's ``apps.py`` subclasses :class:`AppConfig` (``from tirek.core import wiring``:
import the module, not the class, since Django takes an app's config from the one
AppConfig subclass its ``apps.py`` holds) and lists what it plugs in as class attributes
of dotted paths; a leading "." starts from the app's package, so in ``tirek.conferences``
``".panels.case_panel"`` is ``tirek.conferences.panels.case_panel``. The paths are imported
in ``ready()``: core imports no app, and loading an ``apps.py`` loads no models.

An app that owns extension points reads what every app declares for them in
``plug_in(app)``, which each app's ``ready()`` calls on every app: core registers the
navigation, URLs, API routers, "my work" panels, demo loaders, key rotation and the
records kept about cases;
``tirek.cases`` the case page's panels, summaries and timeline sources.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from django import apps as django_apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from tirek.accounts.models import User


class Nav(NamedTuple):
    """A link in the main navigation, shown when ``visible(user)`` is true; ``visible`` is
    a callable or the dotted path of one."""

    label: str | Promise
    url_name: str
    visible: str | Callable[[User], bool]
    order: int


class AppConfig(django_apps.AppConfig):
    # Core's extension points (tirek.core.registry); the numbers order links, panels, loaders.
    nav: ClassVar[Sequence[Nav]] = ()
    urls: ClassVar[Sequence[tuple[str, str]]] = ()  # (prefix, module of page URLs)
    api_routers: ClassVar[Sequence[tuple[str, str]]] = ()  # (prefix under /api/v1, router)
    my_work_panels: ClassVar[Sequence[tuple[int, str]]] = ()  # (order, panel)
    my_work_scopes: ClassVar[Sequence[str]] = ()  # context managers the panels run in
    demo_loaders: ClassVar[Sequence[tuple[int, str]]] = ()  # (order, loader)
    encrypted_file_rotators: ClassVar[Sequence[str]] = ()
    person_key_movers: ClassVar[Sequence[str]] = ()
    case_records: ClassVar[Sequence[str]] = ()  # what the app keeps about cases, for the audit log
    # The case page's, owned by tirek.cases: (order, panel) or (order, panel, tab).
    case_panels: ClassVar[Sequence[tuple[int, str] | tuple[int, str, str]]] = ()
    case_summaries: ClassVar[Sequence[str]] = ()
    timeline_sources: ClassVar[Sequence[str]] = ()
    caseload_reads: ClassVar[Sequence[str]] = ()  # read with "my work"'s open caseload

    def ready(self) -> None:
        for config in django_apps.apps.get_app_configs():
            if isinstance(config, AppConfig):
                config.plug_in(self)
            elif config.name.startswith("tirek."):
                # Django fell back to its own config: ready() would never run for that app.
                raise ImproperlyConfigured(
                    f"{config.name}: its config must subclass tirek.core.wiring.AppConfig"
                    " (and apps.py must hold no other AppConfig subclass)"
                )

    def plug_in(self, app: AppConfig) -> None:
        """Registers what ``app`` declares for the extension points this app owns (none)."""

    def absolute(self, path: str) -> str:
        return self.name + path if path.startswith(".") else path

    def resolve(self, path: str) -> Any:
        """The object at the dotted ``path`` (a leading "." starts from this app)."""
        return import_string(self.absolute(path))
