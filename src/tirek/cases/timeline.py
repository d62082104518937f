"""The case timeline: everything that happened, newest first, by section.

Other apps add their own entries (assessments, plans, referrals...) with
``add_source(fn)`` in their ``AppConfig.ready()``; ``fn(case, user)`` returns
``TimelineItem``s. Items of a section the user may not see are dropped here as well, so a
source that forgets to filter still leaks nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from tirek.access import policy

from .models import Case, CaseEvent, ContactNote, EventKind

if TYPE_CHECKING:
    from tirek.accounts.models import User


@dataclass
class TimelineItem:
    at: datetime
    title: str
    detail: str = ""
    section: str = policy.Section.CORE
    actor: str = ""
    url: str = ""
    kind: str = ""


Source = Callable[[Case, Any], list[TimelineItem]]
sources: list[Source] = []

# A row of a ``RowSource``: kind, at, code, text, day, num, title (JSON), and the actor's
# first name, last name and username.
Row = tuple[str, Any, Any, Any, Any, Any, Any, Any, Any, Any]
ROW_COLUMNS = ("at", "code", "text", "day", "num", "title")


def timeline_row(qs: Any, kind: str, actor: str | None, **columns: Any) -> Any:
    """``qs`` as rows of the ``Row`` shape: ``columns`` maps some of ``ROW_COLUMNS`` to
    expressions (the others are NULL or empty), ``actor`` names the user field whose
    names the row carries (``None``: no actor)."""
    from django.db.models import CharField, DateField, DateTimeField, F, IntegerField, JSONField
    from django.db.models import Value as V
    from django.db.models.functions import Cast

    defaults: dict[str, Any] = {
        "at": Cast(V(None), DateTimeField()),
        "code": Cast(V(""), CharField()),
        "text": Cast(V(""), CharField()),
        "day": Cast(V(None), DateField()),
        "num": Cast(V(None), IntegerField()),
        "title": Cast(V(None), JSONField()),
    }
    defaults.update(columns)
    names = {f"t_{k}": v for k, v in defaults.items()}
    people: dict[str, Any] = (
        {
            "t_first": F(f"{actor}__first_name"),
            "t_last": F(f"{actor}__last_name"),
            "t_user": F(f"{actor}__username"),
        }
        if actor
        else {
            "t_first": Cast(V(""), CharField()),
            "t_last": Cast(V(""), CharField()),
            "t_user": Cast(V(""), CharField()),
        }
    )
    return (
        qs.order_by()
        .prefetch_related(None)  # rows, not objects
        .annotate(t_kind=Cast(V(kind), CharField()), **names, **people)
        .values_list("t_kind", *names, "t_first", "t_last", "t_user")
    )


def actor_name(row: Row) -> str:
    first, last, username = row[7], row[8], row[9]
    return f"{first or ''} {last or ''}".strip() or (username or "")


@dataclass(frozen=True)
class RowSource:
    """A source whose entries come from the database as ``Row``s: ``rows(case, user)``
    gives querysets of ``timeline_row``s (none: nothing for this viewer) and
    ``items(case, user, rows)`` turns the rows of ``kinds`` into items. ``build`` reads the
    rows of every such source in one UNION ALL query; called alone, it reads its own."""

    rows: Callable[[Case, User], list[Any]]
    items: Callable[[Case, User, list[Row]], list[TimelineItem]]
    kinds: frozenset[str]

    def __call__(self, case: Case, user: User) -> list[TimelineItem]:
        parts = self.rows(case, user)
        return self.items(case, user, _union(parts)) if parts else []


def _union(parts: list[Any]) -> list[Row]:
    if not parts:
        return []
    return list(parts[0].union(*parts[1:], all=True)) if len(parts) > 1 else list(parts[0])


def add_source(source: Source) -> None:
    if source not in sources:
        sources.append(source)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def _role_label(role: str) -> str:
    from tirek.accounts.roles import Role

    return str(Role(role).label) if role in Role.values else role


def _transfer_detail(d: dict[str, Any]) -> str:
    """A transfer's steps (``tirek.transfers``): requested, declined, withdrawn, accepted."""
    stages = {
        "requested": _("requested"),
        "declined": _("declined"),
        "withdrawn": _("withdrawn"),
        "accepted": _("accepted"),
    }
    stage = stages.get(str(d.get("stage", "")), "")
    route = f"{d.get('from_unit', '')} → {d.get('to_unit', '')}" if d.get("from_unit") else ""
    parts = [str(p) for p in (stage, route or d.get("to_unit", ""), d.get("reason", "")) if p]
    return " · ".join(parts)


def _event_item(event: CaseEvent) -> TimelineItem:
    return _event_row(
        event.kind,
        event.at,
        event.section,
        event.detail,
        str(event.get_kind_display()),
        (event.actor.get_full_name() or event.actor.username) if event.actor else "",
    )


def _event_row(
    kind: str, at: datetime, section: str, d: Any, title: str, actor: str
) -> TimelineItem:
    from .models import CaseStatus, Phase

    d = d or {}
    detail = ""
    if kind == EventKind.STATUS:
        labels = dict(CaseStatus.choices)
        detail = f"{labels.get(d.get('old'), '')} → {labels.get(d.get('new'), '')}"
    elif kind == EventKind.PHASE:
        labels = dict(Phase.choices)
        detail = f"{labels.get(d.get('old'), '')} → {labels.get(d.get('new'), '')}"
    elif kind in (EventKind.TEAM_ADDED, EventKind.TEAM_REMOVED):
        detail = f"{d.get('name', '')} ({_role_label(d.get('role', ''))})"
    elif kind == EventKind.TRANSFERRED:
        detail = _transfer_detail(d)
    elif kind == EventKind.EMERGENCY_ACCESS:
        detail = str(d.get("name", ""))
    return TimelineItem(at=at, title=title, detail=detail, section=section, actor=actor, kind=kind)


CORE_LIMIT = 400  # the newest case events and contact notes together


def _core_source(case: Case, user: User) -> list[TimelineItem]:
    """Case events and contact notes (never their text), newest first, in one query."""
    from django.db.models import DateTimeField, F, IntegerField, JSONField
    from django.db.models import Value as V
    from django.db.models.functions import Cast

    sections = policy.sections_for(user, case)
    events = CaseEvent.objects.filter(case=case, section__in=sections)
    if not policy.sees_team_background(user, case):
        team = (EventKind.TEAM_ADDED, EventKind.TEAM_REMOVED)
        background = [str(r) for r in policy.BACKGROUND_ROLES]
        events = events.exclude(kind__in=team, detail__role__in=background)
    columns = ("t_note", "t_kind", "t_at", "t_section", "t_detail", "t_first", "t_last", "t_user")
    event_rows = (
        events.order_by()
        .annotate(
            t_note=Cast(V(None), IntegerField()),
            t_kind=F("kind"),
            t_at=F("at"),
            t_section=F("section"),
            t_detail=F("detail"),
            t_first=F("actor__first_name"),
            t_last=F("actor__last_name"),
            t_user=F("actor__username"),
        )
        .values_list(*columns)
    )
    note_rows = (
        ContactNote.objects.filter(case=case, section__in=sections)
        .order_by()
        .annotate(
            t_note=F("pk"),
            t_kind=F("kind"),
            # the day the contact happened; the item shows it at noon, local time
            t_at=Cast(F("occurred_on"), DateTimeField()),
            t_section=F("section"),
            t_detail=Cast(V(None), JSONField()),
            t_first=F("author__first_name"),
            t_last=F("author__last_name"),
            t_user=F("author__username"),
        )
        .values_list(*columns)
    )
    rows = event_rows.union(note_rows, all=True).order_by("-t_at")[:CORE_LIMIT]
    event_kinds = dict(EventKind.choices)
    note_kinds = dict(ContactNote._meta.get_field("kind").flatchoices)
    items = []
    for note, kind, at, section, detail, first, last, username in rows:
        actor = f"{first or ''} {last or ''}".strip() or (username or "")
        if note is None:
            items.append(
                _event_row(kind, at, section, detail, str(event_kinds.get(kind, kind)), actor)
            )
            continue
        day = at.date() if isinstance(at, datetime) else at
        if isinstance(day, datetime):
            day = day.date()
        items.append(
            TimelineItem(
                at=_day_start(day),
                title=str(note_kinds.get(kind, kind)),
                detail=str(policy.Section.LABELS.get(section, "")),
                section=section,
                actor=actor,
                url=f"#note-{note}",
                kind="note",
            )
        )
    return items


add_source(_core_source)


def build(case: Case, user: User, limit: int = 100) -> list[TimelineItem]:
    sections = policy.sections_for(user, case)
    items: list[TimelineItem] = []
    row_sources: list[RowSource] = []
    parts: list[Any] = []
    for source in sources:
        if isinstance(source, RowSource):
            found = source.rows(case, user)
            if found:
                row_sources.append(source)
                parts.extend(found)
            continue
        items.extend(i for i in source(case, user) if i.section in sections)
    by_kind: dict[str, list[Row]] = {}
    for row in _union(parts):  # the rows of every RowSource, in one query
        by_kind.setdefault(row[0], []).append(row)
    for row_source in row_sources:
        rows = [r for kind in row_source.kinds for r in by_kind.get(kind, [])]
        items.extend(i for i in row_source.items(case, user, rows) if i.section in sections)
    items.sort(key=lambda i: i.at, reverse=True)
    return items[:limit]


__all__ = [
    "Row",
    "RowSource",
    "TimelineItem",
    "actor_name",
    "add_source",
    "build",
    "sources",
    "timeline_row",
    "_",
]
