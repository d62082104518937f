"""What case conferences add to other pages: the "my work" panel, the case panel and the
case timeline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tirek.access.policy import supervised_unit_id
from tirek.accounts.roles import CASEWORK_ROLES
from tirek.core.http import AuthenticatedHttpRequest

if TYPE_CHECKING:
    from tirek.accounts.models import User
from tirek.cases.panels import WorkPanel, WorkRow, row_initials, work_row
from tirek.cases.timeline import RowSource


def in_casework(user: User) -> bool:
    return bool(user.role_set & CASEWORK_ROLES) and not user.is_system_admin


def _action_rows(request: AuthenticatedHttpRequest) -> list[Any]:
    """The user's open actions and upcoming conferences, read with the other "my work"
    rows in one query (each through this app's selectors: the same rows as before)."""
    from django.db.models import F

    from . import selectors

    user = request.user
    if not in_casework(user):
        return []
    # An action's columns: its conference, what to do, by when, the case and the child.
    action = {
        "ref": F("conference_id"),
        "text": F("description"),
        "day": F("due_date"),
        "label": F("case__number"),
        "case": F("case_id"),
        "name1": F("case__person__given_name"),
        "name2": F("case__person__family_name"),
    }
    parts = [
        work_row(selectors.my_actions(user), "conference_action", num=F("version"), **action),
        work_row(
            selectors.upcoming_conferences(user),
            "conference_upcoming",
            ref=F("pk"),
            text=F("location"),
            at=F("scheduled_at"),
        ),
    ]
    if supervised_unit_id(user) is not None:  # the policy's answer, admin included
        others = selectors.overdue_actions_supervised(user)
        holder = _full_name_or_username("owner__")
        parts.append(work_row(others, "conference_supervised", note=holder, **action))
    return parts


def _full_name_or_username(prefix: str) -> Any:
    """``get_full_name() or username`` of the user ``prefix`` reaches, in SQL."""
    from django.db.models import F, Value
    from django.db.models.functions import Coalesce, Concat, NullIf, Trim

    full = Concat(F(f"{prefix}first_name"), Value(" "), F(f"{prefix}last_name"))
    return Coalesce(NullIf(Trim(full), Value("")), F(f"{prefix}username"))


def _action(row: WorkRow) -> dict[str, Any]:
    """An action row as the panel's lines show it."""
    return {
        "pk": row[1],
        "conference_id": row[2],
        "description": row[3],
        "due_date": row[4],
        "case": {"number": row[7], "person": {"initials": row_initials(row)}},
    }


def _soonest(rows: list[WorkRow], kind: str, date_column: int, limit: int) -> list[WorkRow]:
    return sorted((r for r in rows if r[0] == kind), key=lambda r: (r[date_column], r[1]))[:limit]


def _actions(request: AuthenticatedHttpRequest, rows: list[WorkRow]) -> dict[str, Any] | None:
    today = timezone.localdate()
    actions = [
        _action(r) | {"is_overdue": r[4] < today, "version": r[6]}  # open actions only
        for r in _soonest(rows, "conference_action", 4, 15)
    ]
    upcoming = [
        {"pk": r[1], "scheduled_at": r[5], "location": r[3]}
        for r in _soonest(rows, "conference_upcoming", 5, 5)
    ]
    supervised = [
        _action(r) | {"owner_name": r[10]} for r in _soonest(rows, "conference_supervised", 4, 15)
    ]
    if not (actions or supervised or upcoming):
        return None
    return {
        "title": _("Case conferences"),
        "template": "conferences/panel_actions.html",
        "actions": actions,
        "supervised": supervised,
        "upcoming": upcoming,
    }


actions_panel = WorkPanel(
    rows=_action_rows,
    build=_actions,
    kinds=frozenset({"conference_action", "conference_upcoming", "conference_supervised"}),
)


def case_panel(
    request: AuthenticatedHttpRequest, case: Any, sections: frozenset[str]
) -> dict[str, Any] | None:
    from tirek.access.policy import Section, can_manage

    from . import selectors

    if Section.PLAN not in sections:
        return None
    return {
        "title": _("Case conferences"),
        "template": "conferences/case_panel.html",
        "case": case,
        "conferences": list(selectors.case_conferences(request.user, case)[:10]),
        "may_schedule": case.is_open and can_manage(request.user, case),
    }


def _conference_rows(case: Any, user: User) -> list[Any]:
    """The case's conferences (not cancelled ones) as timeline rows, read with the other
    apps' in one query."""
    from django.db.models import F

    from tirek.cases.timeline import timeline_row

    from .models import Conference, ConferenceStatus

    conferences = Conference.objects.filter(cases=case).exclude(status=ConferenceStatus.CANCELLED)
    return [
        timeline_row(
            conferences,
            "conference",
            None,
            at=F("scheduled_at"),
            code=F("status"),
            text=F("location"),
            num=F("pk"),
        )
    ]


def _conference_items(case: Any, user: User, rows: list[Any]) -> list[Any]:
    from tirek.access.policy import Section
    from tirek.cases.timeline import TimelineItem

    from .models import ConferenceStatus

    held, scheduled = _("Case conference held"), _("Case conference scheduled")
    return [
        TimelineItem(
            at=row[1],
            title=str(held if row[2] == ConferenceStatus.HELD else scheduled),
            detail=row[3] or "",
            section=Section.PLAN,
            url=reverse("conferences:detail", args=[row[5]]),
            kind="conference",
        )
        for row in rows
    ]


conference_timeline = RowSource(
    rows=_conference_rows, items=_conference_items, kinds=frozenset({"conference"})
)
