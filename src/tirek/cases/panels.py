"""What other apps add to the case page (assessments, plans, referrals...).

``add_panel(order, fn, tab=...)`` with ``fn(request, case, sections) -> dict | None``: the
dict has ``title`` and ``template`` plus its context; ``None`` hides the panel. ``sections``
is what the user may see of this case — a panel must only show what falls inside it.
``tab`` names the section of the case page the panel belongs to (``tirek.cases.case_page
.TABS``); a panel without one goes to the overview. Each panel runs only when its tab is
opened, so the page costs what the open tab costs.

``add_summary(fn)`` with the same signature returns ``{"deadlines": [...], "alerts":
[...]}`` (either may be missing) for the header every tab shows: ``Deadline`` and
``Alert`` below. A provider must only return what ``sections`` allows and must stay cheap
(one or two queries): it runs on every load of the case page. While the page is drawn,
``case.page_memo`` is a dict that panels and providers may use to share what they
loaded (e.g. the plans app's journey), under keys named after their app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tirek.core.http import AuthenticatedHttpRequest

Panel = Callable[[AuthenticatedHttpRequest, Any, frozenset[str]], dict[str, Any] | None]
OVERVIEW = "overview"
case_panels: list[tuple[int, Panel, str]] = []
summary_providers: list[Panel] = []


@dataclass(frozen=True)
class Deadline:
    label: str
    due_at: datetime
    overdue: bool = False
    url: str = ""


@dataclass(frozen=True)
class Alert:
    text: str
    url: str = ""
    level: str = "warning"  # "warning" or "error", as the notice styles


def add_panel(order: int, panel: Panel, tab: str = OVERVIEW) -> None:
    if all(existing is not panel for _order, existing, _tab in case_panels):
        case_panels.append((order, panel, tab))
        case_panels.sort(key=lambda p: p[0])


def add_summary(provider: Panel) -> None:
    if provider not in summary_providers:
        summary_providers.append(provider)


def render_panels(
    request: AuthenticatedHttpRequest, case: Any, sections: frozenset[str], tab: str | None = None
) -> list[dict[str, Any]]:
    """The panels of ``tab`` (every panel when ``tab`` is None) that have something to show."""
    panels = []
    for _order, panel, panel_tab in case_panels:
        if tab is not None and panel_tab != tab:
            continue
        content = panel(request, case, sections)
        if content:
            panels.append(content)
    return panels


def summary(
    request: AuthenticatedHttpRequest, case: Any, sections: frozenset[str]
) -> dict[str, list[Any]]:
    """The next three deadlines (soonest first) and the open alerts of the case."""
    deadlines: list[Deadline] = []
    alerts: list[Alert] = []
    for provider in summary_providers:
        found = provider(request, case, sections) or {}
        deadlines.extend(found.get("deadlines", []))
        alerts.extend(found.get("alerts", []))
    deadlines.sort(key=lambda d: d.due_at)
    return {"deadlines": deadlines[:3], "alerts": alerts}
