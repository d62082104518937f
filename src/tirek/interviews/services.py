"""Writes on child-sensitive interviews, with their safeguards. Transactional, audited;
the audit log never holds what the child said."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tirek.access import selectors as access_selectors
from tirek.access import services as access_services
from tirek.access.policy import is_supervisor_of, sections_for
from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.audit.models import Action
from tirek.audit.services import record, save_recorded
from tirek.cases.models import Case, CaseTeamMember, EventKind
from tirek.core.exceptions import Refused
from tirek.core.validation import clean_text
from tirek.core.versioning import update_versioned
from tirek.referrals.models import LANGUAGE_CODES, NotificationKind
from tirek.referrals.notifications import notify
from tirek.referrals.services import team_event

from .access import is_psychologist_on, may_follow_up, may_request
from .models import Interview, InterviewKind, InterviewStatus, Matter, Readiness, TimeOfDay


def may_interview(user: User) -> bool:
    """A valid child-sensitive interviewing competency (the training app decides)."""
    from tirek.training.selectors import may_interview as training_may_interview

    return bool(training_may_interview(user))


def alert_threshold() -> int:
    return int(getattr(settings, "INTERVIEW_ALERT_THRESHOLD", 2))


def held_count(person: Any) -> int:
    """How many interviews the child has had, over all cases and matters."""
    return Interview.objects.filter(case__person=person, status=InterviewStatus.HELD).count()


def earlier_interviews(matter: Matter, exclude: Interview | None = None) -> Any:
    rows = Interview.objects.filter(matter=matter).exclude(status=InterviewStatus.CANCELLED)
    if exclude is not None:
        rows = rows.exclude(pk=exclude.pk).filter(requested_at__lte=exclude.requested_at)
    return rows.order_by("requested_at", "id")


def interview_url(interview: Interview) -> str:
    return reverse("interviews:detail", args=[interview.pk])


def _welfare_team(case: Case) -> list[User]:
    """The case manager and the psychologists on the team."""
    members = access_selectors.team_users(case, [Role.CASE_MANAGER, Role.PSYCHOLOGIST])
    return [case.case_manager, *members]


def _supervisors(case: Case) -> list[User]:
    return access_selectors.supervisors_of(case)


def _tell(users: Iterable[User | None], kind: str, interview: Interview) -> None:
    notify(users, kind=kind, url=interview_url(interview), label=interview.case.number)


def _update(
    interview: Interview,
    version: int,
    allowed: tuple[str, ...],
    *,
    by: User,
    request: HttpRequest | None,
    audit: dict[str, Any] | None,
    **fields: Any,
) -> Interview:
    """Change ``fields`` if the interview is still at ``version`` and in an ``allowed``
    status (else Conflict, or Refused), and record the change (``audit``) by ``by``;
    with ``audit=None`` the caller records it, after what the change leads to."""
    update_versioned(
        Interview,
        interview.pk,
        version,
        _("Someone else changed this interview; reload it and try again."),
        where=Q(status__in=allowed),
        refused=_("This interview cannot do that in its present state."),
        **fields,
        updated_at=timezone.now(),
    )
    interview.refresh_from_db()
    if audit is not None:
        record(actor=by, action=Action.UPDATE, obj=interview, request=request, detail=audit)
    return interview


@transaction.atomic
def matter_create(
    *, by: User, case: Case, title: str, reference: str = "", request: HttpRequest | None = None
) -> Matter:
    if not may_request(by, case):
        raise PermissionDenied(_("Only law enforcement on the team or the supervisor may do this."))
    title = " ".join((title or "").split())
    # The same matter under the same name is reused, never duplicated. Compared in Python:
    # SQLite folds only ASCII case, and a child has a handful of matters.
    for existing in Matter.objects.filter(person=case.person):
        if existing.title.casefold() == title.casefold():
            return existing
    matter = Matter(person=case.person, title=title, reference=reference.strip(), created_by=by)
    return save_recorded(matter, actor=by, request=request, detail={"case": case.pk})


@transaction.atomic
def interview_request(
    *,
    by: User,
    case: Case,
    matter: Matter,
    kind: str,
    requesting_authority: str,
    purpose: str,
    legal_basis: str,
    repeat_justification: str = "",
    request: HttpRequest | None = None,
) -> Interview:
    """Record a request. On a matter the child was already interviewed about, a written
    justification is required and the interview waits for a supervisor's approval."""
    if not may_request(by, case):
        raise PermissionDenied(_("Only law enforcement on the team or the supervisor may do this."))
    if not case.is_open:
        raise Refused(_("The case is closed."))
    if matter.person_id != case.person_id:
        raise ValidationError({"matter_id": _("Choose a matter of this child.")})
    if kind not in InterviewKind.values:
        raise ValidationError({"kind": _("Choose forensic or social.")})
    purpose = clean_text(
        purpose, "purpose", required=True, required_message=_("State the purpose.")
    )
    legal_basis = clean_text(
        legal_basis, "legal_basis", required=True, required_message=_("State the legal basis.")
    )
    earlier = list(earlier_interviews(matter))
    justification = clean_text(repeat_justification, "repeat_justification")
    if earlier and not justification:
        raise ValidationError(
            {
                "repeat_justification": _(
                    "The child was already interviewed on this matter. Read the earlier "
                    "interviews and justify in writing why a new one is needed."
                )
            }
        )
    interview = Interview(
        case=case,
        matter=matter,
        kind=kind,
        requesting_authority=requesting_authority.strip(),
        purpose=purpose,
        legal_basis=legal_basis,
        requested_by=by,
        is_repeat=bool(earlier),
        repeat_justification=justification if earlier else "",
    )
    save_recorded(
        interview,
        actor=by,
        request=request,
        detail={"case": case.pk, "matter": matter.pk, "repeat": bool(earlier)},
    )
    # The welfare team prepares the child (readiness, support person): they are told a
    # request exists, nothing more.
    _tell(
        [u for u in _welfare_team(case) if u != by], NotificationKind.INTERVIEW_REQUESTED, interview
    )
    if earlier:
        supervisors = [u for u in _supervisors(case) if u != by]
        _tell(supervisors, NotificationKind.INTERVIEW_APPROVAL, interview)
    return interview


@transaction.atomic
def interview_approve_repeat(
    *, by: User, interview: Interview, version: int, request: HttpRequest | None = None
) -> Interview:
    if not is_supervisor_of(by, interview.case):
        raise PermissionDenied(_("Only the case's supervisor approves a repeat interview."))
    if not interview.is_repeat:
        raise Refused(_("This is not a repeat interview."))
    if interview.repeat_approved_at is not None:
        raise Refused(_("Already approved."))
    return _update(
        interview,
        version,
        (InterviewStatus.REQUESTED, InterviewStatus.PLANNED),
        repeat_approved_by=by,
        repeat_approved_at=timezone.now(),
        by=by,
        request=request,
        audit={"repeat_approved": True, "case": interview.case_id},
    )


@transaction.atomic
def interview_readiness(
    *,
    by: User,
    interview: Interview,
    version: int,
    readiness: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> Interview:
    """The psychologist on the team judges whether the child is ready."""
    if not is_psychologist_on(by, interview.case):
        raise PermissionDenied(_("Only the psychologist on the team judges the child's readiness."))
    if readiness not in Readiness.values:
        raise ValidationError({"readiness": _("Choose a valid answer.")})
    note = clean_text(note, "note")
    return _update(
        interview,
        version,
        (InterviewStatus.REQUESTED, InterviewStatus.PLANNED),
        readiness=readiness,
        readiness_note=note,
        readiness_by=by,
        readiness_at=timezone.now(),
        by=by,
        request=request,
        audit={"readiness": readiness},
    )


def _check_interviewer(user: User) -> None:
    if not user.is_active or not may_interview(user):
        raise Refused(
            _(
                "Only a staff member holding a valid child-sensitive interviewing competency "
                "may interview a child."
            )
        )


def _ensure_on_team(by: User, interview: Interview, interviewer: User) -> CaseTeamMember | None:
    """The interviewer must open the case; a law-enforcement interviewer joins the team for
    it (on the interview's legal basis); others must already be on it."""
    case = interview.case
    if sections_for(interviewer, case):
        return None
    if not interviewer.has_role(Role.INTERVIEWER):
        raise ValidationError({"interviewer_id": _("Put the interviewer on the case team first.")})
    member = access_services.grant_membership(
        case=case,
        user=interviewer,
        role=Role.INTERVIEWER,
        by=by,
        legal_basis=interview.legal_basis[:300],
    )
    team_event(
        case, EventKind.TEAM_ADDED, by, interviewer, Role.INTERVIEWER, interview=interview.pk
    )
    record(
        actor=by,
        action=Action.PERMISSION_CHANGE,
        obj=case,
        detail={
            "team_member_added": interviewer.pk,
            "role": Role.INTERVIEWER,
            "interview": interview.pk,
        },
    )
    return member


@transaction.atomic
def interview_plan(
    *,
    by: User,
    interview: Interview,
    version: int,
    interviewer: User,
    scheduled_at: datetime,
    time_of_day: str = "",
    language: str = "",
    interpreter: str = "",
    support_person: str = "",
    room: str = "",
    child_friendly_room: bool = False,
    request: HttpRequest | None = None,
) -> Interview:
    if not may_request(by, interview.case):
        raise PermissionDenied(_("Only law enforcement on the team or the supervisor may do this."))
    if interview.needs_approval:
        raise Refused(
            _("A repeat interview on the same matter needs the supervisor's approval first.")
        )
    _check_interviewer(interviewer)
    if time_of_day and time_of_day not in TimeOfDay.values:
        raise ValidationError({"time_of_day": _("Choose a valid time of day.")})
    if language and language not in LANGUAGE_CODES:
        raise ValidationError({"language": _("Choose a valid language.")})
    if scheduled_at < timezone.now() - timedelta(days=1):
        raise ValidationError({"scheduled_at": _("Plan the interview for a future date.")})
    changed_interviewer = interview.interviewer_id not in (None, interviewer.pk)
    if changed_interviewer:
        _release_membership(by, interview)
    member = _ensure_on_team(by, interview, interviewer)
    fields: dict[str, Any] = {
        "status": InterviewStatus.PLANNED,
        "interviewer": interviewer,
        "scheduled_at": scheduled_at,
        "time_of_day": time_of_day,
        "language": language,
        "interpreter": interpreter.strip()[:200],
        "support_person": support_person.strip()[:200],
        "room": room.strip()[:200],
        "child_friendly_room": child_friendly_room,
    }
    if member is not None:
        fields["membership"] = member
    interview = _update(
        interview,
        version,
        (InterviewStatus.REQUESTED, InterviewStatus.PLANNED),
        **fields,
        by=by,
        request=request,
        audit={"planned": True, "interviewer": interviewer.pk},
    )
    if interviewer != by:
        _tell([interviewer], NotificationKind.INTERVIEW_ASSIGNED, interview)
    return interview


@transaction.atomic
def interview_record(
    *,
    by: User,
    interview: Interview,
    version: int,
    started_at: datetime,
    ended_at: datetime,
    notes: str = "",
    summary: str = "",
    breaks: int = 0,
    breaks_note: str = "",
    observers: str = "",
    recorded: bool = False,
    recording_reference: str = "",
    request: HttpRequest | None = None,
) -> Interview:
    """The interviewer records the interview; the count of interviews is checked against
    the alert threshold."""
    if interview.interviewer_id != by.pk:
        raise PermissionDenied(_("Only the assigned interviewer records the interview."))
    _check_interviewer(by)
    if interview.needs_approval:
        raise Refused(
            _("A repeat interview on the same matter needs the supervisor's approval first.")
        )
    if interview.readiness != Readiness.READY:
        raise Refused(_("The psychologist has not judged the child ready for the interview."))
    if ended_at < started_at:
        raise ValidationError({"ended_at": _("The end must come after the start.")})
    if started_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"started_at": _("An interview cannot be recorded in advance.")})
    if not 0 <= breaks <= 100:
        raise ValidationError({"breaks": _("Give a number between 0 and 100.")})
    if recorded and not recording_reference.strip():
        raise ValidationError(
            {"recording_reference": _("Say where the recording is kept (a reference).")}
        )
    before = held_count(interview.case.person)
    interview = _update(
        interview,
        version,
        (InterviewStatus.PLANNED,),
        status=InterviewStatus.HELD,
        started_at=started_at,
        ended_at=ended_at,
        notes=clean_text(notes, "notes"),
        summary=clean_text(summary, "summary"),
        breaks=breaks,
        breaks_note=breaks_note.strip()[:300],
        observers=observers.strip()[:500],
        recorded=recorded,
        recording_reference=recording_reference.strip()[:300] if recorded else "",
        by=by,
        request=request,
        audit={"held": True, "case": interview.case_id, "recorded": recorded},
    )
    count = before + 1
    if count > alert_threshold():
        # Above the threshold: those who protect the child from repeated questioning are told.
        told = [*_welfare_team(interview.case), *_supervisors(interview.case)]
        _tell(told, NotificationKind.INTERVIEW_COUNT, interview)
    return interview


@transaction.atomic
def interview_follow_up(
    *,
    by: User,
    interview: Interview,
    version: int,
    follow_up: str,
    request: HttpRequest | None = None,
) -> Interview:
    if not may_follow_up(by, interview.case):
        raise PermissionDenied(
            _("Only the case manager, the psychologist or the supervisor may do this.")
        )
    follow_up = clean_text(
        follow_up, "follow_up", required=True, required_message=_("Describe the support.")
    )
    return _update(
        interview,
        version,
        (InterviewStatus.HELD,),
        follow_up=follow_up,
        follow_up_by=by,
        follow_up_at=timezone.now(),
        by=by,
        request=request,
        audit={"follow_up": True},
    )


def _release_membership(by: User, interview: Interview) -> None:
    """Take back the team membership planning gave, unless another open interview of the
    same interviewer on the case still needs it."""
    if interview.membership_id is None:
        return
    member = access_services.lock_membership(interview.membership_id)
    if member.removed_at is not None:
        return
    other = (
        Interview.objects.filter(
            case_id=interview.case_id,
            interviewer_id=member.user_id,
            status=InterviewStatus.PLANNED,
            membership__isnull=True,
        )
        .exclude(pk=interview.pk)
        .first()
    )
    if other is not None:
        Interview.objects.filter(pk=other.pk).update(membership=member)
    else:
        access_services.release_membership(member, by=by)
        team_event(
            interview.case,
            EventKind.TEAM_REMOVED,
            by,
            member.user,
            member.role,
            interview=interview.pk,
        )
        record(
            actor=by,
            action=Action.PERMISSION_CHANGE,
            obj=interview.case,
            detail={"team_member_removed": member.user_id, "interview": interview.pk},
        )
    Interview.objects.filter(pk=interview.pk).update(membership=None)


@transaction.atomic
def interview_cancel(
    *,
    by: User,
    interview: Interview,
    version: int,
    reason: str,
    request: HttpRequest | None = None,
) -> Interview:
    if not may_request(by, interview.case):
        raise PermissionDenied(_("Only law enforcement on the team or the supervisor may do this."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the interview is cancelled.")})
    interview = _update(
        interview,
        version,
        (InterviewStatus.REQUESTED, InterviewStatus.PLANNED),
        by=by,
        request=request,
        audit=None,
        status=InterviewStatus.CANCELLED,
        cancel_reason=reason[:500],
    )
    _release_membership(by, interview)
    interview.refresh_from_db()
    record(
        actor=by, action=Action.UPDATE, obj=interview, request=request, detail={"cancelled": True}
    )
    return interview
