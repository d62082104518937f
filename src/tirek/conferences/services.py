"""Writes on case conferences: one function per use case, transactional and audited."""

from __future__ import annotations

import inspect
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from tirek.access.policy import can_manage, sections_for
from tirek.accounts.models import User
from tirek.audit.models import Action
from tirek.audit.services import record, save_recorded
from tirek.cases.models import Case
from tirek.core.exceptions import Refused
from tirek.core.races import integrity_error_as
from tirek.core.validation import MAX_TEXT, clean_text
from tirek.core.versioning import update_versioned
from tirek.organisations.models import Unit
from tirek.referrals.models import NotificationKind
from tirek.referrals.notifications import notify

from .access import can_run
from .models import (
    ActionItem,
    ActionStatus,
    Attendance,
    Conference,
    ConferenceStatus,
    Participant,
)

MINUTES_FIELDS = frozenset({"agenda", "child_views", "family_views", "decisions"})
EDITABLE_FIELDS = MINUTES_FIELDS | {"scheduled_at", "location", "status"}


def conference_url(conference: Conference) -> str:
    return reverse("conferences:detail", args=[conference.pk])


def _label(conference: Conference) -> str:
    return ", ".join(c.number for c in conference.cases.all())[:64]


def _invite(conference: Conference, users: list[User]) -> None:
    notify(
        users,
        kind=NotificationKind.CONFERENCE_INVITED,
        url=conference_url(conference),
        label=_label(conference),
    )


def _save_conference(conference: Conference, version: int, **changes: Any) -> None:
    """Apply ``changes`` if nobody saved the conference since ``version`` (else Conflict),
    and show ``conference`` as saved."""
    update_versioned(
        Conference,
        conference.pk,
        version,
        _("Someone else changed this conference; reload it and try again."),
        **changes,
        updated_at=timezone.now(),
    )
    conference.refresh_from_db()


def _check_run(by: User, conference: Conference) -> None:
    if not can_run(by, conference):
        raise PermissionDenied(_("Only the chair or those who manage its cases may do this."))


@transaction.atomic
def conference_schedule(
    *,
    by: User,
    cases: list[Case],
    scheduled_at: datetime,
    location: str = "",
    agenda: str = "",
    unit: Unit | None = None,
    chair: User | None = None,
    invite: list[User] | None = None,
    request: HttpRequest | None = None,
) -> Conference:
    """Schedule a conference on one case, or on a family's cases together."""
    cases = list(dict.fromkeys(cases))
    if not cases:
        raise ValidationError({"cases": _("Choose at least one case.")})
    if len(cases) > 20:
        raise ValidationError({"cases": _("A conference covers at most 20 cases.")})
    if not all(can_manage(by, c) for c in cases):
        raise PermissionDenied(
            _("Only the case manager or the supervisor of every case may schedule this.")
        )
    if any(not c.is_open for c in cases):
        raise ValidationError({"cases": _("A closed case cannot have a conference.")})
    chair = chair or by
    if not all(sections_for(chair, c) for c in cases):
        raise ValidationError({"chair": _("The chair must work on or supervise every case.")})
    unit = unit or by.unit or cases[0].supervising_unit
    if len(agenda) > MAX_TEXT:
        raise ValidationError({"agenda": _("The text is too long.")})
    conference = Conference(
        scheduled_at=scheduled_at,
        location=location.strip(),
        agenda=agenda.strip(),
        unit=unit,
        chair=chair,
        created_by=by,
    )
    conference.full_clean()
    conference.save()
    conference.cases.set(cases)
    invited = list(dict.fromkeys([chair, *(invite or [])]))
    Participant.objects.bulk_create([Participant(conference=conference, user=u) for u in invited])
    record(
        actor=by,
        action=Action.CREATE,
        obj=conference,
        request=request,
        detail={"cases": [c.pk for c in cases], "invited": [u.pk for u in invited]},
    )
    _invite(conference, [u for u in invited if u != by])
    return conference


@transaction.atomic
def conference_update(
    *,
    by: User,
    conference: Conference,
    version: int,
    changes: dict[str, Any],
    request: HttpRequest | None = None,
) -> Conference:
    """Reschedule, write the minutes (agenda, views, decisions), mark held or cancelled."""
    _check_run(by, conference)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be changed.")})
    for name in MINUTES_FIELDS & set(changes):
        changes[name] = clean_text(changes[name], name)
    status = changes.get("status")
    if status is not None and status not in ConferenceStatus.values:
        raise ValidationError({"status": _("Choose a valid status.")})
    for name, value in changes.items():
        setattr(conference, name, value)
    conference.full_clean()
    fields = dict(changes)
    if status == ConferenceStatus.HELD and conference.held_at is None:
        fields["held_at"] = timezone.now()
    _save_conference(conference, version, **fields)
    # Only which fields changed: the minutes themselves stay encrypted, out of the log.
    record(
        actor=by,
        action=Action.UPDATE,
        obj=conference,
        request=request,
        detail={"fields": sorted(changes), **({"status": status} if status else {})},
    )
    return conference


@transaction.atomic
def participant_add(
    *,
    by: User,
    conference: Conference,
    user: User | None = None,
    name: str = "",
    organisation: str = "",
    capacity: str = "",
    request: HttpRequest | None = None,
) -> Participant:
    _check_run(by, conference)
    if user is None and not name.strip():
        raise ValidationError({"name": _("Choose a staff member or write a name.")})
    participant = Participant(
        conference=conference,
        user=user,
        name="" if user else name.strip(),
        organisation=organisation.strip(),
        capacity=capacity.strip(),
    )
    participant.full_clean()
    with integrity_error_as(ValidationError({"user_id": _("Already a participant.")})):
        participant.save()
    record(
        actor=by,
        action=Action.UPDATE,
        obj=conference,
        request=request,
        detail={"participant_added": participant.pk, "user": user.pk if user else None},
    )
    if user is not None and user != by:
        _invite(conference, [user])
    return participant


@transaction.atomic
def attendance_record(
    *,
    by: User,
    participant: Participant,
    attendance: str,
    request: HttpRequest | None = None,
) -> Participant:
    _check_run(by, participant.conference)
    if attendance not in Attendance.values:
        raise ValidationError({"attendance": _("Choose a valid attendance.")})
    Participant.objects.filter(pk=participant.pk).update(attendance=attendance)
    participant.attendance = attendance
    record(
        actor=by,
        action=Action.UPDATE,
        obj=participant.conference,
        request=request,
        detail={"participant": participant.pk, "attendance": attendance},
    )
    return participant


@transaction.atomic
def action_add(
    *,
    by: User,
    conference: Conference,
    case: Case,
    description: str,
    owner: User,
    due_date: date,
    request: HttpRequest | None = None,
) -> ActionItem:
    """An action with an owner and a due date; it shows in the owner's "my work"."""
    _check_run(by, conference)
    if conference.status == ConferenceStatus.CANCELLED:
        raise Refused(_("The conference was cancelled."))
    if not conference.cases.filter(pk=case.pk).exists():
        raise ValidationError({"case_id": _("Choose one of the conference's cases.")})
    # The owner must be able to open the case the action is about.
    if not owner.is_active or not sections_for(owner, case):
        raise ValidationError({"owner_id": _("The owner must work on the case.")})
    item = ActionItem(
        conference=conference,
        case=case,
        description=description.strip(),
        owner=owner,
        due_date=due_date,
    )
    save_recorded(
        item,
        actor=by,
        request=request,
        detail={"conference": conference.pk, "case": case.pk, "owner": owner.pk},
    )
    notify(
        [owner],
        kind=NotificationKind.CONFERENCE_ACTION,
        url=conference_url(conference),
        label=case.number,
    )
    return item


@transaction.atomic
def action_close(
    *,
    by: User,
    item: ActionItem,
    version: int,
    status: str = ActionStatus.DONE,
    note: str = "",
    request: HttpRequest | None = None,
) -> ActionItem:
    """The owner (or whoever runs the conference) marks it done, or cancels it."""
    if item.owner_id != by.pk and not can_run(by, item.conference):
        raise PermissionDenied(_("Only the owner or the chair may close this action."))
    if status not in (ActionStatus.DONE, ActionStatus.CANCELLED):
        raise ValidationError({"status": _("Choose done or cancelled.")})
    note = note.strip()
    if len(note) > 500:
        raise ValidationError({"note": _("Keep it under 500 characters.")})
    update_versioned(
        ActionItem,
        item.pk,
        version,
        _("Someone else changed this action; reload it and try again."),
        where=Q(status=ActionStatus.OPEN),
        refused=_("This action is already closed."),
        status=status,
        note=note,
        done_at=timezone.now(),
    )
    item.refresh_from_db()
    record(actor=by, action=Action.UPDATE, obj=item, request=request, detail={"status": status})
    return item


def plan_approve_service() -> Any:
    """The plans app's approval service, if it offers one."""
    from tirek.plans import services as plan_services

    return plan_services.plan_approve


@transaction.atomic
def conference_approve_plan(
    *,
    by: User,
    conference: Conference,
    version: int,
    case: Case,
    plan_version: int,
    comment: str = "",
    request: HttpRequest | None = None,
) -> Conference:
    """The conference approves the submitted plan revision of one of its cases.

    The approval itself is the plans app's (same rules: the case's supervisor, not the
    person who submitted it); the conference is recorded as its context — in the plan's
    approval comment, and as a keyword if the plans service accepts one."""
    _check_run(by, conference)
    if not conference.cases.filter(pk=case.pk).exists():
        raise ValidationError({"case_id": _("Choose one of the conference's cases.")})
    if conference.status == ConferenceStatus.CANCELLED:
        raise Refused(_("The conference was cancelled."))
    approve = plan_approve_service()
    if approve is None:
        raise Refused(_("Plans cannot be approved here."))
    when = formats.date_format(timezone.localtime(conference.scheduled_at), "SHORT_DATE_FORMAT")
    context = _("Approved at the case conference of %(date)s (no. %(id)s).") % {
        "date": when,
        "id": conference.pk,
    }
    kwargs: dict[str, Any] = {
        "user": by,
        "case_id": case.pk,
        "expected_version": plan_version,
        "comment": f"{context} {comment.strip()}".strip()[:2000],
        "request": request,
    }
    if "conference" in inspect.signature(approve).parameters:
        kwargs["conference"] = conference
    approved = approve(**kwargs)
    plan_id = getattr(approved, "plan_id", None) or getattr(approved, "pk", None)
    _save_conference(conference, version, approved_plan_id=plan_id)
    record(
        actor=by,
        action=Action.UPDATE,
        obj=conference,
        request=request,
        detail={"approved_plan": plan_id, "case": case.pk},
    )
    return conference
