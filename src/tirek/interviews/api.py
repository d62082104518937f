"""/api/v1/interviews: requests, safeguards, planning, the record and follow-up.

What an answer carries depends on the caller's level (see ``access``): ``request`` and
``record`` are null for those who may not see them."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from tirek.access.policy import get_case
from tirek.accounts.models import User
from tirek.core.http import AuthenticatedHttpRequest
from tirek.core.paging import Page
from tirek.core.steps import record_steps
from tirek.core.validation import BoundedDateTime, CleanStr, RecordId

from . import selectors, services
from .access import CONTENT, REQUEST, at_least, case_level, level
from .models import Interview

router = Router(tags=["interviews"])


class InterviewUserRef(Schema):
    id: int
    name: str


class InterviewMatterOut(Schema):
    id: int
    title: str
    reference: str


class InterviewRequestOut(Schema):
    matter: InterviewMatterOut
    requesting_authority: str
    purpose: str
    legal_basis: str
    repeat_justification: str
    repeat_approved_by: InterviewUserRef | None
    repeat_approved_at: datetime | None
    interviewer: InterviewUserRef | None
    time_of_day: str
    language: str
    interpreter: str
    support_person: str
    room: str
    child_friendly_room: bool


class InterviewRecordOut(Schema):
    breaks: int
    breaks_note: str
    observers: str
    recorded: bool
    recording_reference: str
    notes: str
    summary: str


class InterviewOut(Schema):
    id: int
    version: int
    level: str
    case_id: int
    case_number: str
    kind: str
    status: str
    is_repeat: bool
    needs_approval: bool
    requested_at: datetime
    scheduled_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    readiness: str
    follow_up: str
    request: InterviewRequestOut | None
    record: InterviewRecordOut | None


class InterviewList(Schema):
    count: int
    held: int
    threshold: int
    above_threshold: bool
    items: list[InterviewOut]


class InterviewListFilter(Page):
    case_id: RecordId


class InterviewRequestIn(Schema):
    case_id: RecordId
    matter_id: RecordId | None = None
    matter_title: CleanStr = Field("", max_length=200)
    matter_reference: CleanStr = Field("", max_length=100)
    kind: str = Field(..., max_length=16)
    requesting_authority: CleanStr = Field(..., min_length=1, max_length=200)
    purpose: CleanStr = Field(..., min_length=1, max_length=20000)
    legal_basis: CleanStr = Field(..., min_length=1, max_length=20000)
    repeat_justification: CleanStr = Field("", max_length=20000)


class InterviewVersionIn(Schema):
    version: int


class InterviewReadinessIn(InterviewVersionIn):
    readiness: str = Field(..., max_length=16)
    note: CleanStr = Field("", max_length=20000)


class InterviewPlanIn(InterviewVersionIn):
    interviewer_id: RecordId
    scheduled_at: BoundedDateTime
    time_of_day: str = Field("", max_length=16)
    language: str = Field("", max_length=8)
    interpreter: CleanStr = Field("", max_length=200)
    support_person: CleanStr = Field("", max_length=200)
    room: CleanStr = Field("", max_length=200)
    child_friendly_room: bool = False


class InterviewRecordIn(InterviewVersionIn):
    started_at: BoundedDateTime
    ended_at: BoundedDateTime
    breaks: int = Field(0, ge=0, le=100)
    breaks_note: CleanStr = Field("", max_length=300)
    observers: CleanStr = Field("", max_length=500)
    recorded: bool = False
    recording_reference: CleanStr = Field("", max_length=300)
    notes: CleanStr = Field("", max_length=20000)
    summary: CleanStr = Field("", max_length=20000)


class InterviewFollowUpIn(InterviewVersionIn):
    follow_up: CleanStr = Field(..., min_length=1, max_length=20000)


class InterviewCancelIn(InterviewVersionIn):
    reason: CleanStr = Field(..., min_length=1, max_length=500)


class InterviewEarlierFilter(Schema):
    case_id: RecordId
    matter_id: RecordId


def _ref(user: User | None) -> InterviewUserRef | None:
    if user is None:
        return None
    return InterviewUserRef(id=user.pk, name=user.get_full_name() or user.username)


def interview_out(user: User, interview: Interview, base: str | None = None) -> InterviewOut:
    """``base``: the caller's level on the case, when already known (lists)."""
    if base is None:
        found = level(user, interview) or ""
    else:
        found = CONTENT if interview.interviewer_id == user.pk else base
    request_out = None
    if at_least(found or None, REQUEST):
        request_out = InterviewRequestOut(
            matter=InterviewMatterOut(
                id=interview.matter_id,
                title=interview.matter.title,
                reference=interview.matter.reference,
            ),
            requesting_authority=interview.requesting_authority,
            purpose=interview.purpose,
            legal_basis=interview.legal_basis,
            repeat_justification=interview.repeat_justification,
            repeat_approved_by=_ref(interview.repeat_approved_by),
            repeat_approved_at=interview.repeat_approved_at,
            interviewer=_ref(interview.interviewer),
            time_of_day=interview.time_of_day,
            language=interview.language,
            interpreter=interview.interpreter,
            support_person=interview.support_person,
            room=interview.room,
            child_friendly_room=interview.child_friendly_room,
        )
    record_out = None
    if found == CONTENT:
        record_out = InterviewRecordOut(
            breaks=interview.breaks,
            breaks_note=interview.breaks_note,
            observers=interview.observers,
            recorded=interview.recorded,
            recording_reference=interview.recording_reference,
            notes=interview.notes,
            summary=interview.summary,
        )
    return InterviewOut(
        id=interview.pk,
        version=interview.version,
        level=found,
        case_id=interview.case_id,
        case_number=interview.case.number,
        kind=interview.kind,
        status=interview.status,
        is_repeat=interview.is_repeat,
        needs_approval=interview.needs_approval,
        requested_at=interview.requested_at,
        scheduled_at=interview.scheduled_at,
        started_at=interview.started_at,
        ended_at=interview.ended_at,
        readiness=interview.readiness,
        follow_up=interview.follow_up,
        request=request_out,
        record=record_out,
    )


def _reload(user: User, interview: Interview) -> InterviewOut:
    fresh = Interview.objects.select_related(
        "case", "matter", "interviewer", "repeat_approved_by"
    ).get(pk=interview.pk)
    return interview_out(user, fresh)


@router.get("", response=InterviewList)
def interview_list(
    request: AuthenticatedHttpRequest, filters: Query[InterviewListFilter]
) -> InterviewList:
    case = get_case(request.user, filters.case_id, request=request)
    rows = selectors.case_interviews(request.user, case).select_related(
        "case", "repeat_approved_by"
    )
    base = case_level(request.user, case)
    if base is None and not rows.filter(interviewer=request.user).exists():
        raise Http404
    count = selectors.count_for(case)
    window = filters.window(rows)
    return InterviewList(
        count=rows.count(),
        held=count.held,
        threshold=count.threshold,
        above_threshold=count.above,
        items=[interview_out(request.user, i, base or "") for i in window],
    )


@router.get("/earlier", response=list[InterviewOut])
def earlier(
    request: AuthenticatedHttpRequest, filters: Query[InterviewEarlierFilter]
) -> list[InterviewOut]:
    """Before a new request: the child's interviews on this matter, at the caller's level."""
    case = get_case(request.user, filters.case_id, request=request)
    if case_level(request.user, case) is None:
        raise Http404
    matter = get_object_or_404(selectors.matters_of(case), pk=filters.matter_id)
    rows = services.earlier_interviews(matter).select_related(
        "case", "matter", "interviewer", "repeat_approved_by"
    )
    return [interview_out(request.user, i) for i in rows if level(request.user, i)]


@router.post("", response={201: InterviewOut})
def interview_create(request: AuthenticatedHttpRequest, payload: InterviewRequestIn) -> Status:
    user = request.user
    case = get_case(user, payload.case_id, request=request)
    if case_level(user, case) is None:
        raise Http404
    if payload.matter_id is not None:
        matter = get_object_or_404(selectors.matters_of(case), pk=payload.matter_id)
    else:
        from django.core.exceptions import ValidationError

        if not payload.matter_title.strip():
            raise ValidationError({"matter_title": "Choose a matter or name a new one."})
        matter = services.matter_create(
            by=user,
            case=case,
            title=payload.matter_title,
            reference=payload.matter_reference,
            request=request,
        )
    interview = services.interview_request(
        by=user,
        case=case,
        matter=matter,
        kind=payload.kind,
        requesting_authority=payload.requesting_authority,
        purpose=payload.purpose,
        legal_basis=payload.legal_basis,
        repeat_justification=payload.repeat_justification,
        request=request,
    )
    return Status(201, _reload(user, interview))


@router.get("/{interview_id}", response=InterviewOut)
def interview_detail(request: AuthenticatedHttpRequest, interview_id: int) -> InterviewOut:
    interview = selectors.get_interview(request.user, interview_id, request=request)
    return interview_out(request.user, interview)


# One step of an interview the caller may see: the service gets the payload's fields.
_act = record_steps(
    "interview",
    lambda request, pk: selectors.get_interview(request.user, pk, request=request),
    lambda request, interview: _reload(request.user, interview),
)


@router.post("/{interview_id}/approve-repeat", response=InterviewOut)
def approve_repeat(
    request: AuthenticatedHttpRequest, interview_id: int, payload: InterviewVersionIn
) -> InterviewOut:
    return _act(request, interview_id, services.interview_approve_repeat, payload)


@router.post("/{interview_id}/readiness", response=InterviewOut)
def readiness(
    request: AuthenticatedHttpRequest, interview_id: int, payload: InterviewReadinessIn
) -> InterviewOut:
    return _act(request, interview_id, services.interview_readiness, payload)


@router.post("/{interview_id}/plan", response=InterviewOut)
def plan(
    request: AuthenticatedHttpRequest, interview_id: int, payload: InterviewPlanIn
) -> InterviewOut:
    interview = selectors.get_interview(request.user, interview_id, request=request)
    services.interview_plan(
        by=request.user,
        interview=interview,
        interviewer=get_object_or_404(User, pk=payload.interviewer_id),
        request=request,
        **payload.dict(exclude={"interviewer_id"}),
    )
    return _reload(request.user, interview)


@router.post("/{interview_id}/record", response=InterviewOut)
def record_interview(
    request: AuthenticatedHttpRequest, interview_id: int, payload: InterviewRecordIn
) -> InterviewOut:
    return _act(request, interview_id, services.interview_record, payload)


@router.post("/{interview_id}/follow-up", response=InterviewOut)
def follow_up(
    request: AuthenticatedHttpRequest, interview_id: int, payload: InterviewFollowUpIn
) -> InterviewOut:
    return _act(request, interview_id, services.interview_follow_up, payload)


@router.post("/{interview_id}/cancel", response=InterviewOut)
def cancel(
    request: AuthenticatedHttpRequest, interview_id: int, payload: InterviewCancelIn
) -> InterviewOut:
    return _act(request, interview_id, services.interview_cancel, payload)
