"""/api/v1/conferences: case conferences, participants, actions and the minutes PDF."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from tirek.access.policy import Section, get_case, sections_for_many
from tirek.accounts.models import User
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.core.http import AuthenticatedHttpRequest
from tirek.core.paging import Page
from tirek.core.patching import patch_changes
from tirek.core.validation import BoundedDate, BoundedDateTime, CleanStr, RecordId

from . import pdf, selectors, services
from .access import can_read_minutes
from .forms import team_users
from .models import ActionItem, Conference, Participant

if TYPE_CHECKING:
    from tirek.cases.models import Case

router = Router(tags=["conferences"])


class ConferenceFilter(Page):
    case_id: RecordId | None = None


class ConferenceCaseRef(Schema):
    id: int
    number: str
    initials: str


class ConferenceParticipantOut(Schema):
    id: int
    user_id: int | None
    name: str
    organisation: str
    capacity: str
    attendance: str


class ConferenceActionOut(Schema):
    id: int
    version: int
    conference_id: int
    case_id: int
    case_number: str
    description: str
    owner_id: int
    owner: str
    due_date: date
    status: str
    overdue: bool
    note: str


class ConferenceMinutesOut(Schema):
    agenda: str
    child_views: str
    family_views: str
    decisions: str


class ConferenceOut(Schema):
    id: int
    version: int
    status: str
    scheduled_at: datetime
    location: str
    unit: str
    chair_id: int
    chair: str
    cases: list[ConferenceCaseRef]
    participants: list[ConferenceParticipantOut]
    # Null for someone who may not read the minutes (not on the plan of every case).
    minutes: ConferenceMinutesOut | None
    actions: list[ConferenceActionOut]
    approved_plan_id: int | None


class ConferenceList(Schema):
    count: int
    items: list[ConferenceOut]


class ConferenceIn(Schema):
    case_ids: list[RecordId] = Field(..., min_length=1, max_length=20)
    scheduled_at: BoundedDateTime
    location: CleanStr = Field("", max_length=200)
    agenda: CleanStr = Field("", max_length=20000)
    chair_id: RecordId | None = None
    invite_ids: list[RecordId] = Field(default_factory=list, max_length=100)
    invite_team: bool = False


class ConferencePatch(Schema):
    version: int
    scheduled_at: BoundedDateTime | None = None
    location: CleanStr | None = Field(None, max_length=200)
    status: str | None = Field(None, max_length=16)
    agenda: CleanStr | None = Field(None, max_length=20000)
    child_views: CleanStr | None = Field(None, max_length=20000)
    family_views: CleanStr | None = Field(None, max_length=20000)
    decisions: CleanStr | None = Field(None, max_length=20000)


class ConferenceParticipantIn(Schema):
    user_id: RecordId | None = None
    name: CleanStr = Field("", max_length=200)
    organisation: CleanStr = Field("", max_length=200)
    capacity: CleanStr = Field("", max_length=200)


class ConferenceAttendanceIn(Schema):
    attendance: str = Field(..., max_length=16)


class ConferenceActionIn(Schema):
    case_id: RecordId
    description: CleanStr = Field(..., min_length=1, max_length=500)
    owner_id: RecordId
    due_date: BoundedDate


class ConferenceActionCloseIn(Schema):
    version: int
    status: str = Field("done", pattern="^(done|cancelled)$")
    note: CleanStr = Field("", max_length=500)


class ConferenceApprovePlanIn(Schema):
    version: int
    case_id: RecordId
    plan_version: int
    comment: CleanStr = Field("", max_length=1500)


class ConferenceActionList(Schema):
    count: int
    items: list[ConferenceActionOut]


def participant_out(p: Participant) -> ConferenceParticipantOut:
    return ConferenceParticipantOut(
        id=p.pk,
        user_id=p.user_id,
        name=p.display_name,
        organisation=p.display_organisation,
        capacity=p.capacity,
        attendance=p.attendance,
    )


def _name(user: User) -> str:
    return user.get_full_name() or user.username


def action_out(item: ActionItem) -> ConferenceActionOut:
    return ConferenceActionOut(
        id=item.pk,
        version=item.version,
        conference_id=item.conference_id,
        case_id=item.case_id,
        case_number=item.case.number,
        description=item.description,
        owner_id=item.owner_id,
        owner=_name(item.owner),
        due_date=item.due_date,
        status=item.status,
        overdue=item.is_overdue,
        note=item.note,
    )


def conference_out(
    request: AuthenticatedHttpRequest, conference: Conference, *, minutes: bool | None = None
) -> ConferenceOut:
    """``minutes``: whether the caller may read them, when the caller already knows."""
    user = request.user
    if minutes is None:
        minutes = can_read_minutes(user, conference)
    # .all() uses the list's prefetch when there is one.
    actions = [a for a in conference.actions.all() if minutes or a.owner_id == user.pk]
    return ConferenceOut(
        id=conference.pk,
        version=conference.version,
        status=conference.status,
        scheduled_at=conference.scheduled_at,
        location=conference.location,
        unit=str(conference.unit),
        chair_id=conference.chair_id,
        chair=_name(conference.chair),
        cases=[
            ConferenceCaseRef(id=c.pk, number=c.number, initials=c.person.initials)
            for c in conference.cases.all()
        ],
        participants=[participant_out(p) for p in conference.participants.all()],
        minutes=ConferenceMinutesOut(
            agenda=conference.agenda,
            child_views=conference.child_views,
            family_views=conference.family_views,
            decisions=conference.decisions,
        )
        if minutes
        else None,
        actions=[action_out(a) for a in actions],
        approved_plan_id=conference.approved_plan_id,
    )


@router.get("", response=ConferenceList)
def conference_list(
    request: AuthenticatedHttpRequest, filters: Query[ConferenceFilter]
) -> ConferenceList:
    rows = selectors.visible_conferences(request.user).order_by("-scheduled_at", "-id")
    if filters.case_id is not None:
        rows = rows.filter(cases__id=filters.case_id)
    rows = selectors.with_details(rows)
    window = list(filters.window(rows))
    # The plan section of every case on the page at once, rather than per conference.
    cases = {c.pk: c for conference in window for c in conference.cases.all()}
    sections = sections_for_many(request.user, cases.values())

    def minutes(conference: Conference) -> bool:
        on = list(conference.cases.all())
        return bool(on) and all(Section.PLAN in sections[c.pk] for c in on)

    items = [conference_out(request, c, minutes=minutes(c)) for c in window]
    return ConferenceList(count=rows.count(), items=items)


@router.post("", response={201: ConferenceOut})
def conference_create(request: AuthenticatedHttpRequest, payload: ConferenceIn) -> Status:
    user = request.user
    cases = [
        get_case(user, case_id, request=request) for case_id in dict.fromkeys(payload.case_ids)
    ]
    chair = get_object_or_404(User, pk=payload.chair_id) if payload.chair_id else None
    invite = list(User.objects.filter(pk__in=payload.invite_ids, is_active=True))
    if len(invite) != len(set(payload.invite_ids)):
        raise Http404
    if payload.invite_team:
        invite += list(team_users(cases))
    conference = services.conference_schedule(
        by=user,
        cases=cases,
        scheduled_at=payload.scheduled_at,
        location=payload.location,
        agenda=payload.agenda,
        chair=chair,
        invite=invite,
        request=request,
    )
    return Status(
        201,
        conference_out(
            request,
            selectors.with_details(selectors.visible_conferences(user)).get(pk=conference.pk),
        ),
    )


@router.get("/actions/mine", response=ConferenceActionList)
def my_actions(request: AuthenticatedHttpRequest, page: Query[Page]) -> ConferenceActionList:
    rows = selectors.my_actions(request.user).select_related("owner")
    window = page.window(rows)
    return ConferenceActionList(count=rows.count(), items=[action_out(a) for a in window])


@router.post("/actions/{action_id}/close", response=ConferenceActionOut)
def action_close(
    request: AuthenticatedHttpRequest, action_id: int, payload: ConferenceActionCloseIn
) -> ConferenceActionOut:
    item = get_object_or_404(
        ActionItem.objects.select_related("conference", "owner", "case"),
        pk=action_id,
        conference__in=selectors.visible_conferences(request.user),
    )
    # Someone who may not read the minutes sees only their own actions.
    if item.owner_id != request.user.pk and not can_read_minutes(request.user, item.conference):
        raise Http404
    item = services.action_close(
        by=request.user,
        item=item,
        version=payload.version,
        status=payload.status,
        note=payload.note,
        request=request,
    )
    return action_out(item)


@router.get("/{conference_id}", response=ConferenceOut)
def conference_detail(request: AuthenticatedHttpRequest, conference_id: int) -> ConferenceOut:
    conference = selectors.get_conference(request.user, conference_id, request=request)
    return conference_out(request, conference)


@router.patch("/{conference_id}", response=ConferenceOut)
def conference_patch(
    request: AuthenticatedHttpRequest, conference_id: int, payload: ConferencePatch
) -> ConferenceOut:
    conference = selectors.get_conference(request.user, conference_id, request=request)
    if not can_read_minutes(request.user, conference):
        raise Http404
    data = patch_changes(payload, Conference)  # the PATCH rule: null clears or is refused
    version = data.pop("version")
    services.conference_update(
        by=request.user,
        conference=conference,
        version=version,
        changes=data,
        request=request,
    )
    return conference_out(
        request,
        selectors.with_details(selectors.visible_conferences(request.user)).get(pk=conference.pk),
    )


@router.post("/{conference_id}/participants", response={201: ConferenceParticipantOut})
def participant_add(
    request: AuthenticatedHttpRequest, conference_id: int, payload: ConferenceParticipantIn
) -> Status:
    conference = selectors.get_conference(request.user, conference_id, request=request)
    user = get_object_or_404(User, pk=payload.user_id) if payload.user_id else None
    p = services.participant_add(
        by=request.user,
        conference=conference,
        user=user,
        name=payload.name,
        organisation=payload.organisation,
        capacity=payload.capacity,
        request=request,
    )
    return Status(201, participant_out(p))


@router.patch("/{conference_id}/participants/{participant_id}", response=ConferenceParticipantOut)
def participant_attendance(
    request: AuthenticatedHttpRequest,
    conference_id: int,
    participant_id: int,
    payload: ConferenceAttendanceIn,
) -> ConferenceParticipantOut:
    conference = selectors.get_conference(request.user, conference_id, request=request)
    p = get_object_or_404(Participant, conference=conference, pk=participant_id)
    p = services.attendance_record(
        by=request.user,
        participant=p,
        attendance=payload.attendance,
        request=request,
    )
    return participant_out(p)


def _conference_case(
    request: AuthenticatedHttpRequest, conference_id: int, case_id: int
) -> tuple[Conference, Case]:
    """A conference the caller may see and one of its cases (404 otherwise)."""
    conference = selectors.get_conference(request.user, conference_id, request=request)
    case = conference.cases.filter(pk=case_id).first()
    if case is None:
        raise Http404
    return conference, case


@router.post("/{conference_id}/actions", response={201: ConferenceActionOut})
def action_add(
    request: AuthenticatedHttpRequest, conference_id: int, payload: ConferenceActionIn
) -> Status:
    conference, case = _conference_case(request, conference_id, payload.case_id)
    owner = get_object_or_404(User, pk=payload.owner_id)
    item = services.action_add(
        by=request.user,
        conference=conference,
        case=case,
        description=payload.description,
        owner=owner,
        due_date=payload.due_date,
        request=request,
    )
    return Status(201, action_out(item))


@router.post("/{conference_id}/approve-plan", response=ConferenceOut)
def approve_plan(
    request: AuthenticatedHttpRequest, conference_id: int, payload: ConferenceApprovePlanIn
) -> ConferenceOut:
    """The conference approves the submitted plan of one of its cases."""
    conference, case = _conference_case(request, conference_id, payload.case_id)
    services.conference_approve_plan(
        by=request.user,
        conference=conference,
        version=payload.version,
        case=case,
        plan_version=payload.plan_version,
        comment=payload.comment,
        request=request,
    )
    return conference_out(
        request,
        selectors.with_details(selectors.visible_conferences(request.user)).get(pk=conference.pk),
    )


@router.get("/{conference_id}/minutes.pdf")
def minutes_pdf(request: AuthenticatedHttpRequest, conference_id: int) -> HttpResponse:
    conference = selectors.get_conference(request.user, conference_id, request=request)
    if not can_read_minutes(request.user, conference):
        raise Http404
    content = pdf.render(conference)
    record(
        actor=request.user,
        action=Action.EXPORT,
        obj=conference,
        request=request,
        detail={"format": "pdf"},
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="conference-{conference.pk}.pdf"'
    return response
