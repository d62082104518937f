"""Training events: the event, its trainers and participants, attendance and scores."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tirek.accounts.models import User
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.core.exceptions import Refused
from tirek.core.races import integrity_error_as
from tirek.core.versioning import update_versioned

from .. import permissions
from ..models import (
    EVENT_FIELDS,
    Attendance,
    Audience,
    Certificate,
    Course,
    Event,
    Module,
    Participant,
    TrainerAssignment,
)


def _check_event(event: Event) -> None:
    event.full_clean()
    if event.end_date < event.start_date:
        raise ValidationError({"end_date": _("The last day cannot be before the first day.")})
    if (event.end_date - event.start_date).days > 366:
        raise ValidationError({"end_date": _("An event cannot last more than a year.")})


@transaction.atomic
def event_create(
    *,
    by: User,
    courses: Iterable[Course],
    modules: Iterable[Module] = (),
    request: HttpRequest | None = None,
    **fields: Any,
) -> Event:
    permissions.require_coordinator(by)
    courses = list(courses)
    if not courses:
        raise ValidationError({"courses": _("Choose at least one course.")})
    event = Event(created_by=by, **{k: v for k, v in fields.items() if k in EVENT_FIELDS})
    _check_event(event)
    event.save()
    event.courses.set(courses)
    _set_modules(event, modules, courses)
    record(actor=by, action=Action.CREATE, obj=event, request=request, detail={"kind": event.kind})
    return event


def _set_modules(event: Event, modules: Iterable[Module], courses: list[Course]) -> None:
    modules = list(modules)
    course_ids = {c.pk for c in courses}
    if any(m.course_id not in course_ids for m in modules):
        raise ValidationError({"modules": _("A module must belong to one of the event's courses.")})
    event.modules.set(modules)


@transaction.atomic
def event_update(
    *,
    by: User,
    event: Event,
    version: int,
    courses: Iterable[Course] | None = None,
    modules: Iterable[Module] | None = None,
    request: HttpRequest | None = None,
    **fields: Any,
) -> Event:
    permissions.require_coordinator(by)
    changes = {k: v for k, v in fields.items() if k in EVENT_FIELDS}
    candidate = Event.objects.get(pk=event.pk)
    for name, value in changes.items():
        setattr(candidate, name, value)
    _check_event(candidate)
    update_versioned(
        Event,
        event.pk,
        version,
        _("Someone else changed this event; reload it and try again."),
        **changes,
    )
    if courses is not None:
        courses = list(courses)
        if not courses:
            raise ValidationError({"courses": _("Choose at least one course.")})
        candidate.courses.set(courses)
    if modules is not None:
        _set_modules(candidate, modules, list(candidate.courses.all()))
    record(
        actor=by,
        action=Action.UPDATE,
        obj=event,
        request=request,
        detail={"fields": sorted(changes)},
    )
    candidate.refresh_from_db()
    return candidate


def valid_trainer_certificate(user: User, course: Course) -> Certificate | None:
    now = timezone.now()
    return (
        Certificate.objects.filter(
            user=user,
            course=course,
            kind=Certificate.Kind.TRAINER,
            revoked_at__isnull=True,
            expires_at__gt=now,
        )
        .order_by("issued_at")
        .first()
    )


@transaction.atomic
def trainer_assign(
    *,
    by: User,
    event: Event,
    user: User | None = None,
    external_name: str = "",
    is_master: bool = False,
    request: HttpRequest | None = None,
) -> TrainerAssignment:
    """Only a coordinator assigns trainers, and only a coordinator may mark a master
    trainer (the first generation, who holds no trainer certificate in Tirek)."""
    permissions.require_coordinator(by)
    external_name = external_name.strip()
    if (user is None) == (not external_name):
        raise ValidationError(_("Choose a staff account or give the name of an external trainer."))
    certificate = None
    if not is_master:
        if user is None:
            raise ValidationError(
                {"external_name": _("An external trainer can only be a master trainer.")}
            )
        for course in event.courses.order_by("id"):
            found = valid_trainer_certificate(user, course)
            if found is None:
                raise Refused(
                    _("%(name)s holds no valid trainer certificate for the course “%(course)s”.")
                    % {"name": user.get_full_name() or user.username, "course": course.title}
                )
            certificate = certificate or found
    assignment = TrainerAssignment(
        event=event,
        user=user,
        external_name=external_name,
        is_master=is_master,
        certificate=certificate,
        assigned_by=by,
    )
    assignment.full_clean(validate_constraints=False)
    with integrity_error_as(ValidationError(_("This trainer already delivers this event."))):
        assignment.save()
    record(
        actor=by,
        action=Action.UPDATE,
        obj=event,
        request=request,
        detail={"trainer": assignment.name, "master": is_master},
    )
    return assignment


@transaction.atomic
def trainer_remove(
    *, by: User, assignment: TrainerAssignment, request: HttpRequest | None = None
) -> None:
    permissions.require_coordinator(by)
    event, name = assignment.event, assignment.name
    assignment.delete()
    record(
        actor=by, action=Action.UPDATE, obj=event, request=request, detail={"trainer_removed": name}
    )


AUDIENCE_BY_ROLE = {
    "case-manager": Audience.CASE_MANAGERS,
    "psychologist": Audience.PSYCHOLOGISTS,
    "social-worker": Audience.SOCIAL_WORKERS,
    "lawyer": Audience.LAWYERS,
    "school-liaison": Audience.TEACHERS,
    "health-worker": Audience.HEALTH_WORKERS,
    "interviewer": Audience.LAW_ENFORCEMENT,
    "religious-counsellor": Audience.RELIGIOUS_COUNSELLORS,
    "supervisor": Audience.CASE_MANAGERS,
}


def participant_for_user(event: Event, user: User) -> Participant:
    """An unsaved participant row filled from a staff account."""
    audience = next(
        (AUDIENCE_BY_ROLE[r] for r in sorted(user.role_set) if r in AUDIENCE_BY_ROLE),
        Audience.OTHER,
    )
    return Participant(
        event=event,
        user=user,
        full_name=user.get_full_name() or user.username,
        agency_name=user.agency.name if user.agency_id and user.agency else "",
        position=user.position,
        region=user.region,
        audience=audience,
        language=user.preferred_language or "ru",
    )


@transaction.atomic
def participant_add(
    *,
    by: User,
    event: Event,
    user: User | None = None,
    request: HttpRequest | None = None,
    **fields: Any,
) -> Participant:
    permissions.require_event_manager(by, event)
    if user is not None:
        participant = participant_for_user(event, user)
        for name in ("sex", "audience", "language"):
            if fields.get(name):
                setattr(participant, name, fields[name])
        if event.participants.filter(user=user).exists():
            raise ValidationError(_("This person is already a participant."))
    else:
        participant = Participant(event=event, **fields)
    participant.full_clean(validate_constraints=False)
    participant.save()
    record(
        actor=by,
        action=Action.UPDATE,
        obj=event,
        request=request,
        detail={"participant_added": participant.pk},
    )
    return participant


@transaction.atomic
def participant_remove(
    *, by: User, participant: Participant, request: HttpRequest | None = None
) -> None:
    permissions.require_event_manager(by, participant.event)
    if participant.certificates.exists():
        raise Refused(_("A participant with a certificate cannot be removed; revoke it instead."))
    event = participant.event
    pk = participant.pk
    participant.delete()
    record(
        actor=by,
        action=Action.UPDATE,
        obj=event,
        request=request,
        detail={"participant_removed": pk},
    )


@transaction.atomic
def attendance_set(
    *,
    by: User,
    event: Event,
    present: dict[int, set[date]],
    request: HttpRequest | None = None,
) -> int:
    """Replace the attendance of the participants given: ``{participant_id: {days present}}``."""
    permissions.require_event_manager(by, event)
    days = set(event.days)
    participant_ids = set(event.participants.values_list("pk", flat=True))
    for pid, chosen in present.items():
        if pid not in participant_ids:
            raise ValidationError(_("Unknown participant."))
        if not chosen <= days:
            raise ValidationError(_("A day outside the event's dates was marked."))
    Attendance.objects.filter(participant_id__in=list(present)).delete()
    rows = [
        Attendance(participant_id=pid, day=d) for pid, chosen in present.items() for d in chosen
    ]
    Attendance.objects.bulk_create(rows)
    record(
        actor=by, action=Action.UPDATE, obj=event, request=request, detail={"attendance": len(rows)}
    )
    return len(rows)


def _score(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        score = Decimal(str(value).replace(",", ".").strip())
    except ArithmeticError as exc:
        raise ValidationError(_("A score must be a number from 0 to 100.")) from exc
    if not score.is_finite() or not Decimal(0) <= score <= Decimal(100):
        raise ValidationError(_("A score must be a number from 0 to 100."))
    return score.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@transaction.atomic
def scores_set(
    *,
    by: User,
    event: Event,
    scores: dict[int, tuple[Any, Any]],
    request: HttpRequest | None = None,
) -> None:
    """Pre- and post-test scores (percent) per participant: ``{id: (pre, post)}``."""
    permissions.require_event_manager(by, event)
    participants = {p.pk: p for p in event.participants.all()}
    for pid, (pre, post) in scores.items():
        participant = participants.get(pid)
        if participant is None:
            raise ValidationError(_("Unknown participant."))
        participant.pre_score, participant.post_score = _score(pre), _score(post)
        participant.save(update_fields=["pre_score", "post_score"])
    record(
        actor=by, action=Action.UPDATE, obj=event, request=request, detail={"scores": len(scores)}
    )
