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
    for source in sources:
        items.extend(i for i in source(case, user) if i.section in sections)
    items.sort(key=lambda i: i.at, reverse=True)
    return items[:limit]


__all__ = ["TimelineItem", "add_source", "build", "sources", "_"]
