"""Certificates: who may have one, issuing (after an event or e-learning) and revoking."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tirek.accounts.models import Competency, User
from tirek.accounts.services import competency_grant, competency_revoke
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.core.exceptions import Refused
from tirek.core.races import integrity_error_as

from .. import permissions, tasks
from ..models import Certificate, Course, Enrolment, Participant
from .common import add_months


def attendance_percent(participant: Participant, attended: int | None = None) -> int:
    total = len(participant.event.days)
    if attended is None:
        attended = participant.days.filter(
            day__gte=participant.event.start_date, day__lte=participant.event.end_date
        ).count()
    return (100 * attended) // total if total else 0


def certificate_blockers(participant: Participant, attended: int | None = None) -> list[str]:
    """Why a certificate cannot be issued yet; empty when it can. ``attended``: the days
    present if the caller already counted them (lists count them in one query)."""
    event = participant.event
    reasons = []
    percent = attendance_percent(participant, attended)
    if percent < event.attendance_threshold:
        reasons.append(
            _("Attendance is %(percent)d%% of days; %(needed)d%% is needed.")
            % {"percent": percent, "needed": event.attendance_threshold}
        )
    if participant.post_score is None:
        reasons.append(_("There is no post-test result."))
    elif participant.post_score < event.pass_mark:
        reasons.append(
            _("The post-test score %(score)s%% is below the pass mark of %(mark)d%%.")
            % {"score": participant.post_score, "mark": event.pass_mark}
        )
    return reasons


def _grant_competencies(certificate: Certificate, user: User | None, by: User | None) -> None:
    if user is None:
        return
    wanted = [certificate.course.competency] if certificate.course.competency else []
    if certificate.kind == Certificate.Kind.TRAINER:
        wanted.append(Competency.TRAINER)
    for competency in wanted:
        grant = competency_grant(
            user=user,
            competency=competency,
            expires_at=certificate.expires_at,
            source=f"certificate {certificate.code}",
            by=by,
        )
        certificate.grants.add(grant)


def _new_certificate(**fields: Any) -> Certificate:
    issued_at = timezone.now()
    certificate = Certificate(
        issued_at=issued_at,
        expires_at=add_months(issued_at, fields["course"].validity_months),
        **fields,
    )
    certificate.full_clean(validate_constraints=False)
    with integrity_error_as(Refused(_("A valid certificate for this course was already issued."))):
        certificate.save()
    tasks.request_pdf(certificate)  # made by the worker once this transaction commits
    return certificate


@transaction.atomic
def certificate_issue_for_participant(
    *, by: User, participant: Participant, request: HttpRequest | None = None
) -> list[Certificate]:
    """One certificate per course of the event, when attendance and post-test allow."""
    permissions.require_coordinator(by)
    # Decide on the stored attendance and scores, not on what the caller holds.
    participant = Participant.objects.select_related("event", "user").get(pk=participant.pk)
    blockers = certificate_blockers(participant)
    if blockers:
        raise Refused(" ".join(blockers))
    event = participant.event
    kind = (
        Certificate.Kind.TRAINER
        if event.gives_trainer_certificates
        else Certificate.Kind.PARTICIPANT
    )
    issued = []
    for course in event.courses.order_by("id"):
        certificate = _new_certificate(
            kind=kind,
            course=course,
            event=event,
            participant=participant,
            user=participant.user,
            holder_name=participant.full_name,
            language=participant.language,
            issued_by=by,
        )
        _grant_competencies(certificate, participant.user, by)
        record(
            actor=by,
            action=Action.CREATE,
            obj=certificate,
            request=request,
            detail={"kind": kind, "course": course.code, "event": event.pk},
        )
        issued.append(certificate)
    return issued


@transaction.atomic
def certificate_issue_for_elearning(
    *, user: User, course: Course, request: HttpRequest | None = None
) -> Certificate:
    """A learner who completed a course online receives its certificate themselves."""
    enrolment = Enrolment.objects.filter(user=user, course=course).first()
    if enrolment is None or enrolment.completed_at is None:
        raise Refused(_("Complete every lesson and the final test first."))
    existing = Certificate.objects.filter(
        user=user,
        course=course,
        event__isnull=True,
        kind=Certificate.Kind.PARTICIPANT,
        revoked_at__isnull=True,
    ).first()
    if existing is not None:
        return existing
    certificate = _new_certificate(
        kind=Certificate.Kind.PARTICIPANT,
        course=course,
        user=user,
        holder_name=user.get_full_name() or user.username,
        language=user.preferred_language or "ru",
        issued_by=user,
    )
    _grant_competencies(certificate, user, None)
    record(
        actor=user,
        action=Action.CREATE,
        obj=certificate,
        request=request,
        detail={"kind": certificate.kind, "course": course.code, "elearning": True},
    )
    return certificate


@transaction.atomic
def certificate_revoke(
    *, by: User, certificate: Certificate, reason: str, request: HttpRequest | None = None
) -> None:
    permissions.require_coordinator(by)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for revoking the certificate.")})
    if len(reason) > 500:
        raise ValidationError({"reason": _("The reason is too long (500 characters at most).")})
    updated = Certificate.objects.filter(pk=certificate.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )
    if not updated:
        raise Refused(_("This certificate is already revoked."))
    for grant in certificate.grants.filter(revoked_at__isnull=True):
        competency_revoke(grant=grant, by=by, reason=f"certificate {certificate.code}: {reason}")
    record(
        actor=by,
        action=Action.PERMISSION_CHANGE,
        obj=certificate,
        request=request,
        detail={"revoked": True, "reason": reason},
    )
    certificate.refresh_from_db()
