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
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from tirek.access import policy

from .models import Case, CaseEvent, ContactNote, EventKind


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
    from .models import CaseStatus, Phase

    d = event.detail or {}
    detail = ""
    if event.kind == EventKind.STATUS:
        labels = dict(CaseStatus.choices)
        detail = f"{labels.get(d.get('old', ''), '')} → {labels.get(d.get('new', ''), '')}"
    elif event.kind == EventKind.PHASE:
        labels = dict(Phase.choices)
        detail = f"{labels.get(d.get('old', ''), '')} → {labels.get(d.get('new', ''), '')}"
    elif event.kind in (EventKind.TEAM_ADDED, EventKind.TEAM_REMOVED):
        detail = f"{d.get('name', '')} ({_role_label(d.get('role', ''))})"
    elif event.kind == EventKind.TRANSFERRED:
        detail = _transfer_detail(d)
    elif event.kind == EventKind.EMERGENCY_ACCESS:
        detail = str(d.get("name", ""))
    actor = ""
    if event.actor is not None:
        actor = event.actor.get_full_name() or event.actor.username
    return TimelineItem(
        at=event.at,
        title=str(event.get_kind_display()),
        detail=detail,
        section=event.section,
        actor=actor,
        kind=event.kind,
    )


def _core_source(case: Case, user: Any) -> list[TimelineItem]:
    sections = policy.sections_for(user, case)
    events = CaseEvent.objects.filter(case=case, section__in=sections).select_related("actor")
    if not policy.sees_team_background(user, case):
        team = (EventKind.TEAM_ADDED, EventKind.TEAM_REMOVED)
        background = [str(r) for r in policy.BACKGROUND_ROLES]
        events = events.exclude(kind__in=team, detail__role__in=background)
    items = [_event_item(e) for e in events[:200]]
    notes = (
        ContactNote.objects.filter(case=case, section__in=sections)
        .select_related("author")
        .only(
            "id",
            "kind",
            "section",
            "occurred_on",
            "author__first_name",
            "author__last_name",
            "author__username",
            "created_at",
        )
        .defer("narrative")[:200]
    )
    for note in notes:
        items.append(
            TimelineItem(
                at=_day_start(note.occurred_on),
                title=str(note.get_kind_display()),
                detail=str(policy.Section.LABELS.get(note.section, "")),
                section=note.section,
                actor=note.author.get_full_name() or note.author.username,
                url=f"#note-{note.pk}",
                kind="note",
            )
        )
    return items


add_source(_core_source)


def build(case: Case, user: Any, limit: int = 100) -> list[TimelineItem]:
    sections = policy.sections_for(user, case)
    items: list[TimelineItem] = []
    for source in sources:
        items.extend(i for i in source(case, user) if i.section in sections)
    items.sort(key=lambda i: i.at, reverse=True)
    return items[:limit]


__all__ = ["TimelineItem", "add_source", "build", "sources", "_"]
