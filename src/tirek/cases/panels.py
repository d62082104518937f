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
from typing import Any, Final

from django.db.models import CharField, DateField, DateTimeField, IntegerField
from django.db.models import Value as V

from tirek.audit.services import shown
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


# --- "my work": the rows of several apps' panels in one query ------------------------------
# Panels that list a few rows owned by the user (actions, tasks, meetings) give their
# querysets as ``WorkRow``s; the first such panel drawn on the page reads the rows of all of
# them in one UNION ALL query, kept on the request. Each queryset carries its own
# visibility rules (the app's selectors), so nothing changes in what a panel shows.

# kind, id, ref (the id the link needs), text, day (date), at (datetime), num, label,
# two names (e.g. the person's, for initials), another text (e.g. who holds a task) and
# the child's case the row is about, if it is about one (the audit log names it)
WorkRow = tuple[str, int, Any, str, Any, Any, Any, str, str, str, str, int | None]
_CASE: Final = 11  # the index of a WorkRow's case


def row_initials(row: WorkRow) -> str:
    """The initials of the person a row names in name1 and name2 (given, family name)."""
    from tirek.people.models import Person

    return Person(given_name=row[8], family_name=row[9]).initials


class _Typed(V):
    """A constant column of a WorkRow, typed on PostgreSQL: a UNION there matches its parts
    two at a time, and two untyped NULLs become text, which a timestamp then does not match.
    Cheaper than ``Cast(Value(...))``, which every part of every page would build."""

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        sql, params = super().as_sql(compiler, connection)
        if connection.vendor == "postgresql":
            sql = f"{sql}::{self.output_field.cast_db_type(connection)}"
        return sql, params


# The columns a part does not fill: NULL or empty.
_EMPTY_COLUMNS: dict[str, Any] = {
    "ref": _Typed(None, output_field=IntegerField()),
    "text": _Typed("", output_field=CharField()),
    "day": _Typed(None, output_field=DateField()),
    "at": _Typed(None, output_field=DateTimeField()),
    "num": _Typed(None, output_field=IntegerField()),
    "label": _Typed("", output_field=CharField()),
    "name1": _Typed("", output_field=CharField()),
    "name2": _Typed("", output_field=CharField()),
    "note": _Typed("", output_field=CharField()),
    "case": _Typed(None, output_field=IntegerField()),
}

# Each kind of row's record type ("incidents.incidentaction"), as ``work_row`` last saw it.
_ROW_TYPES: dict[str, str] = {}


def work_row(qs: Any, kind: str, **columns: Any) -> Any:
    """``qs`` as ``WorkRow``s: ``columns`` maps some of ref, text, day, at, num, label,
    name1, name2, note, case to expressions (the others are NULL or empty). A row about
    one child's case names it in ``case``, so the DPO finds the entry by that case."""
    from django.db.models import F

    if unknown := columns.keys() - _EMPTY_COLUMNS.keys():
        raise ValueError(f"work_row: no column {sorted(unknown)}")  # the parts must line up
    names = {f"w_{k}": columns.get(k, empty) for k, empty in _EMPTY_COLUMNS.items()}
    _ROW_TYPES[kind] = qs.model._meta.label_lower  # what the audit log calls its rows
    return (
        qs.order_by()
        .prefetch_related(None)  # rows, not objects
        .annotate(w_kind=_Typed(kind, output_field=CharField()), w_id=F("pk"), **names)
        .values_list("w_kind", "w_id", *names)
    )


@dataclass(frozen=True)
class WorkPanel:
    """A "my work" panel (``tirek.core.registry.add_my_work_panel``) whose rows come from
    ``rows(request)`` (``work_row`` querysets of ``kinds``; none: nothing for this user)
    and whose content ``build(request, rows)`` makes from them."""

    rows: Callable[[AuthenticatedHttpRequest], list[Any]]
    build: Callable[[AuthenticatedHttpRequest, list[WorkRow]], dict[str, Any] | None]
    kinds: frozenset[str]
    audited: bool = True  # whether the audit log notes the rows read (``shown``)

    def __call__(self, request: AuthenticatedHttpRequest) -> dict[str, Any] | None:
        by_kind = _work_rows(request)
        if by_kind is None:  # not drawn through "my work": this panel's rows alone
            parts = self.rows(request)
            found: list[WorkRow] = list(_union(parts)) if parts else []
        else:
            found = [row for kind in sorted(self.kinds) for row in by_kind.get(kind, [])]
        if self.audited:  # every row read, whether or not the panel shows it
            for row in found:
                case = row[_CASE]
                shown(request, _ROW_TYPES[row[0]], [row[1]], cases=() if case is None else [case])
        return self.build(request, found)


def _union(parts: list[Any]) -> Any:
    return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]


def _work_rows(request: AuthenticatedHttpRequest) -> dict[str, list[WorkRow]] | None:
    from tirek.core.registry import my_work_panels

    cached: dict[str, list[WorkRow]] | None = getattr(request, "_cases_work_rows", None)
    if cached is not None:
        return cached
    panels = [p for _order, p in my_work_panels if isinstance(p, WorkPanel)]
    if not panels:
        return None
    parts = [part for panel in panels for part in panel.rows(request)]
    cached = {}
    for row in _union(parts) if parts else []:
        cached.setdefault(row[0], []).append(row)
    request._cases_work_rows = cached  # type: ignore[attr-defined]
    return cached
