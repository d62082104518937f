"""Panels other apps add to the case page (assessments, plans, referrals...).

``add_panel(order, fn)`` with ``fn(request, case, sections) -> dict | None``: the dict
has ``title`` and ``template`` plus its context; ``None`` hides the panel. ``sections`` is
what the user may see of this case — a panel must only show what falls inside it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

Panel = Callable[[HttpRequest, Any, frozenset[str]], dict[str, Any] | None]
case_panels: list[tuple[int, Panel]] = []


def add_panel(order: int, panel: Panel) -> None:
    if all(existing is not panel for _order, existing in case_panels):
        case_panels.append((order, panel))
        case_panels.sort(key=lambda p: p[0])


def render_panels(
    request: HttpRequest, case: Any, sections: frozenset[str]
) -> list[dict[str, Any]]:
    panels = []
    for _order, panel in case_panels:
        content = panel(request, case, sections)
        if content:
            panels.append(content)
    return panels
