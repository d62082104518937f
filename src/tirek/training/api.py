"""/api/v1/training: courses, my progress, events, participants, verification, cascade."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError

from tirek.audit.services import client_ip
from tirek.core.http import AuthenticatedHttpRequest
from tirek.core.paging import Page
from tirek.core.ratelimit import check as rate_limit
from tirek.core.validation import BoundedDate, CleanStr, RecordId

from . import cascade as cascade_mod
from . import permissions, selectors, services
from .models import Audience, Event, Sex

router = Router(tags=["training"])

# Ids beyond 2**62 would overflow a database integer; refuse them as invalid input.
MAX_ID = 2**62


class CourseOut(Schema):
    id: int
    code: str
    title: str
    competency: str
    topics: list[str]
    audiences: list[str]
    lessons_done: int
    lessons_total: int
    percent: int
    completed: bool


class LessonOut(Schema):
    id: int
    title: str
    done: bool
    has_quiz: bool


class ModuleOut(Schema):
    id: int
    title: str
    lessons: list[LessonOut]


class CourseDetailOut(CourseOut):
    objectives: str
    modules: list[ModuleOut]


class CertificateOut(Schema):
    id: int
    code: str
    kind: str
    course: str
    status: str
    issued_at: datetime
    expires_at: datetime


class VerifyOut(Schema):
    status: str
    holder: str
    course: str


class EventOut(Schema):
    id: int
    title: str
    kind: str
    mode: str
    start_date: date
    end_date: date
    place: str
    language: str
    courses: list[str]
    trainers: list[str]
    participants: int
    version: int


class EventIn(Schema):
    title: CleanStr = Field(..., min_length=1, max_length=200)
    kind: Event.Kind
    mode: Event.Mode
    start_date: BoundedDate
    end_date: BoundedDate
    place: CleanStr = Field("", max_length=200)
    organisers: CleanStr = Field("", max_length=500)
    funders: CleanStr = Field("", max_length=500)
    language: str = Field("ru", max_length=8)
    course_ids: list[RecordId] = Field(..., min_length=1, max_length=20)
    attendance_threshold: int = Field(80, ge=0, le=100)
    pass_mark: int = Field(70, ge=0, le=100)


class ParticipantOut(Schema):
    id: int
    full_name: str
    agency: str
    position: str
    sex: str
    audience: str
    attendance_percent: int
    pre_score: Decimal | None
    post_score: Decimal | None
    gain: Decimal | None
    certified: bool


class ParticipantIn(Schema):
    username: CleanStr | None = Field(None, max_length=150)
    full_name: CleanStr = Field("", max_length=200)
    agency_name: CleanStr = Field("", max_length=200)
    position: CleanStr = Field("", max_length=200)
    sex: Sex = Sex.UNSPECIFIED
    audience: Audience = Audience.OTHER


class TrainerNodeOut(Schema):
    name: str
    is_master: bool
    generation: int | None
    events: int
    direct: int
    indirect: int
    total: int
    children: list[TrainerNodeOut]


class GenerationOut(Schema):
    generation: int
    events: int
    participants: int
    gain_mean: Decimal | None


class CascadeOut(Schema):
    generations: int
    trainers: int
    active_trainers: int
    by_generation: list[GenerationOut]
    roots: list[TrainerNodeOut]


def _course_out(progress: selectors.Progress) -> dict:
    course = progress.course
    return {
        "id": course.pk,
        "code": course.code,
        "title": course.title,
        "competency": course.competency,
        "topics": course.topics,
        "audiences": course.audiences,
        "lessons_done": progress.done,
        "lessons_total": progress.total,
        "percent": progress.percent,
        "completed": progress.completed,
    }


@router.get("/courses", response=list[CourseOut])
def courses(request: AuthenticatedHttpRequest) -> list[dict]:
    items = list(selectors.courses_for_learning())
    return [_course_out(p) for p in selectors.progress_for(request.user, items)]


@router.get("/courses/{course_id}", response=CourseDetailOut)
def course(request: AuthenticatedHttpRequest, course_id: int = Path(..., ge=1, le=MAX_ID)) -> dict:
    item = selectors.course_for_learning(request.user, course_id)
    (progress,) = selectors.progress_for(request.user, [item])
    done = selectors.completed_lesson_ids(request.user, item)
    translation = item.translation()
    return {
        **_course_out(progress),
        "objectives": translation.objectives if translation else "",
        "modules": [
            {
                "id": m.pk,
                "title": m.title,
                "lessons": [
                    {
                        "id": lesson.pk,
                        "title": lesson.title,
                        "done": lesson.pk in done,
                        "has_quiz": hasattr(lesson, "quiz"),
                    }
                    for lesson in m.lessons.all()
                ],
            }
            for m in selectors.course_outline(item)
        ],
    }


@router.get("/me/progress", response=list[CourseOut])
def my_progress(request: AuthenticatedHttpRequest) -> list[dict]:
    """Courses the caller has started, with progress."""
    started = [
        e.course
        for e in request.user.enrolments.select_related("course").prefetch_related(
            "course__translations"
        )
    ]
    return [_course_out(p) for p in selectors.progress_for(request.user, started)]


@router.post("/lessons/{lesson_id}/complete", response={200: CourseOut})
def lesson_complete(
    request: AuthenticatedHttpRequest, lesson_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict:
    lesson = selectors.lesson_for_learning(request.user, lesson_id)
    services.lesson_complete(user=request.user, lesson=lesson)
    (progress,) = selectors.progress_for(request.user, [lesson.module.course])
    return _course_out(progress)


@router.get("/me/certificates", response=list[CertificateOut])
def my_certificates(request: AuthenticatedHttpRequest) -> list[dict]:
    return [
        {
            "id": c.pk,
            "code": c.code,
            "kind": c.kind,
            "course": c.course.title,
            "status": c.status,
            "issued_at": c.issued_at,
            "expires_at": c.expires_at,
        }
        for c in selectors.my_certificates(request.user)
    ]


@router.get("/certificates/verify/{code}", auth=None, response=VerifyOut)
def verify(request: HttpRequest, code: str) -> dict:
    rate_limit(f"verify:{client_ip(request)}", limit=20, window_seconds=60)
    certificate = selectors.certificate_by_code(code[:64])
    if certificate is None:
        raise HttpError(404, _("No certificate has this code."))
    return {
        "status": certificate.status,
        "holder": certificate.holder_name,
        "course": certificate.course.title,
    }


def _event_out(event: Event) -> dict:
    return {
        "id": event.pk,
        "title": event.title,
        "kind": event.kind,
        "mode": event.mode,
        "start_date": event.start_date,
        "end_date": event.end_date,
        "place": event.place,
        "language": event.language,
        "courses": [c.title for c in event.courses.all()],
        "trainers": [t.name for t in event.trainers.all()],
        "participants": getattr(event, "participant_count", None) or event.participants.count(),
        "version": event.version,
    }


@router.get("/events", response=list[EventOut])
def events(request: AuthenticatedHttpRequest, paging: Query[Page]) -> list[dict]:
    if not permissions.sees_events_nav(request.user):
        raise HttpError(403, _("Your role does not allow this."))
    qs = paging.window(selectors.events_visible(request.user))
    return [_event_out(e) for e in qs]


@router.post("/events", response={201: EventOut})
def event_create(request: AuthenticatedHttpRequest, payload: EventIn) -> Status[dict]:
    from .models import Course

    data = payload.dict()
    ids = data.pop("course_ids")
    found = list(Course.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise HttpError(422, _("Unknown course."))
    event = services.event_create(by=request.user, courses=found, request=request, **data)
    return Status(201, _event_out(selectors.events_visible(request.user).get(pk=event.pk)))


@router.get("/events/{event_id}", response=EventOut)
def event(request: AuthenticatedHttpRequest, event_id: int = Path(..., ge=1, le=MAX_ID)) -> dict:
    item = selectors.event_for_manager(request.user, event_id)
    return _event_out(item)


def _participant_out(p: object, total_days: int) -> dict:
    return {
        "id": p.pk,  # type: ignore[attr-defined]
        "full_name": p.full_name,  # type: ignore[attr-defined]
        "agency": p.agency_name,  # type: ignore[attr-defined]
        "position": p.position,  # type: ignore[attr-defined]
        "sex": p.sex,  # type: ignore[attr-defined]
        "audience": p.audience,  # type: ignore[attr-defined]
        "attendance_percent": (100 * p.attended) // total_days if total_days else 0,  # type: ignore[attr-defined]
        "pre_score": p.pre_score,  # type: ignore[attr-defined]
        "post_score": p.post_score,  # type: ignore[attr-defined]
        "gain": p.gain,  # type: ignore[attr-defined]
        "certified": any(c.revoked_at is None for c in p.certificates.all()),  # type: ignore[attr-defined]
    }


@router.get("/events/{event_id}/participants", response=list[ParticipantOut])
def participants(
    request: AuthenticatedHttpRequest, event_id: int = Path(..., ge=1, le=MAX_ID)
) -> list[dict]:
    item = selectors.event_for_manager(request.user, event_id)
    total = len(item.days)
    return [_participant_out(p, total) for p in selectors.event_participants(item)]


@router.post("/events/{event_id}/participants", response={201: ParticipantOut})
def participant_add(
    request: AuthenticatedHttpRequest,
    payload: ParticipantIn,
    event_id: int = Path(..., ge=1, le=MAX_ID),
) -> Status[dict]:
    from tirek.accounts.models import User

    item = selectors.event_for_manager(request.user, event_id)
    data = payload.dict()
    username = data.pop("username")
    user = None
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise HttpError(422, _("No active account with this username."))
    elif not data["full_name"].strip():
        raise HttpError(
            422, _("Give either a staff account or the full name of an external participant.")
        )
    if user is not None:
        data = {"sex": data["sex"], "audience": data["audience"]}
    created = services.participant_add(
        by=request.user, event=item, user=user, request=request, **data
    )
    row = next(p for p in selectors.event_participants(item) if p.pk == created.pk)
    return Status(201, _participant_out(row, len(item.days)))


def _node_out(node: cascade_mod.Node) -> dict:
    return {
        "name": node.name,
        "is_master": node.is_master,
        "generation": node.generation,
        "events": len(node.events),
        "direct": node.direct_count,
        "indirect": node.indirect_count,
        "total": node.total_count,
        "children": [_node_out(c) for c in node.children],
    }


@router.get("/cascade", response=CascadeOut)
def cascade(
    request: AuthenticatedHttpRequest, course_id: int | None = Query(None, ge=1, le=MAX_ID)
) -> dict:
    if not permissions.is_coordinator(request.user):
        raise HttpError(403, _("Your role does not allow this."))
    tree = cascade_mod.build(course_id)
    return {
        "generations": tree.generations,
        "trainers": tree.trainers,
        "active_trainers": tree.active_trainers,
        "by_generation": [vars(row) for row in tree.by_generation],
        "roots": [_node_out(r) for r in tree.roots],
    }
