"""Reads for training, already limited to what the requesting user may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from tirek.accounts.models import Competency, StaffCompetency, User
from tirek.accounts.roles import Role
from tirek.accounts.selectors import has_competency

from . import permissions
from .models import (
    Certificate,
    Course,
    Enrolment,
    Event,
    Lesson,
    LessonProgress,
    Module,
    Participant,
    Quiz,
    QuizAttempt,
    TrainerAssignment,
)


def may_interview(user: User) -> bool:
    """May this person interview a child? Only with a valid child-interviewing competency
    (granted by a certificate, with expiry; revoked with the certificate)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return has_competency(user, Competency.CHILD_INTERVIEWING)


# --- curriculum and e-learning ----------------------------------------------------


def courses_for_learning() -> QuerySet[Course]:
    return Course.objects.filter(is_published=True).prefetch_related("translations")


def courses_all(user: User) -> QuerySet[Course]:
    permissions.require_coordinator(user)
    return Course.objects.prefetch_related("translations").annotate(
        module_count=Count("modules", distinct=True)
    )


def course_for_learning(user: User, course_id: int) -> Course:
    qs = Course.objects.all() if permissions.is_coordinator(user) else courses_for_learning()
    course = qs.filter(pk=course_id).prefetch_related("translations").first()
    if course is None:
        raise Http404
    return course


def course_outline(course: Course) -> list[Module]:
    lessons = Lesson.objects.prefetch_related("translations").select_related("quiz")
    return list(
        course.modules.prefetch_related("translations", Prefetch("lessons", queryset=lessons))
    )


@dataclass
class Progress:
    course: Course
    done: int
    total: int
    enrolment: Enrolment | None
    final_passed: bool
    has_final: bool

    @property
    def percent(self) -> int:
        return (100 * self.done) // self.total if self.total else 0

    @property
    def completed(self) -> bool:
        return bool(self.enrolment and self.enrolment.completed_at)


def progress_for(user: User, courses: list[Course]) -> list[Progress]:
    """Progress of ``user`` in each course, in four queries whatever the number of courses."""
    ids = [c.pk for c in courses]
    totals = dict(
        Lesson.objects.filter(module__course_id__in=ids)
        .values_list("module__course_id")
        .annotate(n=Count("id"))
    )
    done = dict(
        LessonProgress.objects.filter(user=user, lesson__module__course_id__in=ids)
        .values_list("lesson__module__course_id")
        .annotate(n=Count("id"))
    )
    enrolments = {e.course_id: e for e in Enrolment.objects.filter(user=user, course_id__in=ids)}
    finals = dict(
        Quiz.objects.filter(course_id__in=ids, kind=Quiz.Kind.FINAL).values_list("course_id", "id")
    )
    passed = set(
        QuizAttempt.objects.filter(user=user, quiz_id__in=finals.values(), passed=True).values_list(
            "quiz__course_id", flat=True
        )
    )
    return [
        Progress(
            course=c,
            done=done.get(c.pk, 0),
            total=totals.get(c.pk, 0),
            enrolment=enrolments.get(c.pk),
            final_passed=c.pk in passed,
            has_final=c.pk in finals,
        )
        for c in courses
    ]


def completed_lesson_ids(user: User, course: Course) -> set[int]:
    return set(
        LessonProgress.objects.filter(user=user, lesson__module__course=course).values_list(
            "lesson_id", flat=True
        )
    )


def lesson_for_learning(user: User, lesson_id: int) -> Lesson:
    lesson = (
        Lesson.objects.select_related("module__course")
        .prefetch_related("translations", "module__translations", "assets")
        .filter(pk=lesson_id)
        .first()
    )
    if lesson is None:
        raise Http404
    if not lesson.module.course.is_published and not permissions.is_coordinator(user):
        raise Http404
    return lesson


def quiz_for_learning(user: User, quiz_id: int) -> Quiz:
    quiz = Quiz.objects.select_related("course", "lesson").filter(pk=quiz_id).first()
    if quiz is None or (not quiz.course.is_published and not permissions.is_coordinator(user)):
        raise Http404
    return quiz


def best_attempt(user: User, quiz: Quiz) -> QuizAttempt | None:
    return quiz.attempts.filter(user=user).order_by("-score", "-submitted_at").first()


def my_certificates(user: User) -> QuerySet[Certificate]:
    return (
        Certificate.objects.filter(user=user)
        .select_related("course", "event")
        .prefetch_related("course__translations")
    )


def certificate_for_holder(user: User, certificate_id: int) -> Certificate:
    """A learner's own certificate, or any for a coordinator."""
    qs = Certificate.objects.select_related("course", "event", "participant")
    if not permissions.is_coordinator(user):
        qs = qs.filter(user=user)
    certificate = qs.filter(pk=certificate_id).first()
    if certificate is None:
        raise Http404
    return certificate


def certificate_by_code(code: str) -> Certificate | None:
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    if not 10 <= len(normalised) <= 32:
        return None
    return (
        Certificate.objects.select_related("course")
        .prefetch_related("course__translations")
        .filter(code=normalised)
        .first()
    )


def knowledge_gain_elearning(user: User, course: Course) -> Any:
    """Final-test best score minus the first pre-test score, when both exist."""
    pre = (
        QuizAttempt.objects.filter(user=user, quiz__course=course, quiz__kind=Quiz.Kind.PRE)
        .order_by("submitted_at")
        .first()
    )
    final = (
        QuizAttempt.objects.filter(user=user, quiz__course=course, quiz__kind=Quiz.Kind.FINAL)
        .order_by("-score")
        .first()
    )
    return final.score - pre.score if pre and final else None


# --- events ------------------------------------------------------------------------


def events_visible(user: User) -> QuerySet[Event]:
    """Coordinators see every event; trainers the events they deliver; others none."""
    # A correlated count, evaluated only for the page of events shown (a GROUP BY over
    # all participants would run for every page).
    count = (
        Participant.objects.filter(event=OuterRef("pk"))
        .order_by()
        .values("event")
        .annotate(n=Count("id"))
        .values("n")
    )
    qs = (
        Event.objects.prefetch_related("courses__translations", "trainers__user")
        .annotate(participant_count=Coalesce(Subquery(count), 0))
        .order_by("-start_date", "-id")
    )
    if permissions.is_coordinator(user):
        return qs
    return qs.filter(Exists(TrainerAssignment.objects.filter(event=OuterRef("pk"), user=user)))


def event_for_manager(user: User, event_id: int) -> Event:
    event = (
        Event.objects.select_related("region", "created_by")
        .prefetch_related("courses__translations", "modules__translations")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        raise Http404
    permissions.require_event_manager(user, event)
    return event


def event_participants(event: Event) -> list[Participant]:
    """Participants with their days attended and certificates, in three queries."""
    return list(
        event.participants.select_related("user", "region")
        .prefetch_related("days", "certificates")
        .annotate(
            attended=Count(
                "days",
                filter=Q(days__day__gte=event.start_date, days__day__lte=event.end_date),
                distinct=True,
            )
        )
    )


def event_trainers(event: Event) -> list[TrainerAssignment]:
    return list(
        event.trainers.select_related("user", "certificate__event").order_by("-is_master", "id")
    )


def event_summary(event: Event, participants: list[Participant]) -> dict[str, Any]:
    gains = [p.gain for p in participants if p.gain is not None]
    pre = [p.pre_score for p in participants if p.pre_score is not None]
    post = [p.post_score for p in participants if p.post_score is not None]
    return {
        "participants": len(participants),
        "pre_mean": _mean(pre),
        "post_mean": _mean(post),
        "gain_mean": _mean(gains),
        "passed": sum(1 for p in post if p >= event.pass_mark),
        "certified": sum(
            1 for p in participants if any(c.revoked_at is None for c in p.certificates.all())
        ),
    }


def _mean(values: list[Any]) -> Any:
    if not values:
        return None
    return round(sum(values) / len(values), 1)


def my_events_as_learner(user: User) -> QuerySet[Participant]:
    return (
        Participant.objects.filter(user=user).select_related("event").order_by("-event__start_date")
    )


# --- training needs -----------------------------------------------------------------

# The competency each role needs for its work on a case team (data: the programme's rules).
ROLE_NEEDS: dict[str, list[str]] = {
    Role.CASE_MANAGER: [Competency.CASE_MANAGEMENT, Competency.NEEDS_ASSESSMENT],
    Role.PSYCHOLOGIST: [Competency.TRAUMA_INFORMED],
    Role.SOCIAL_WORKER: [Competency.WORKING_WITH_PARENTS],
    Role.INTERVIEWER: [Competency.CHILD_INTERVIEWING],
    Role.SCHOOL_LIAISON: [Competency.STIGMA],
    Role.LAWYER: [Competency.LEGAL_FRAMEWORK],
    Role.RELIGIOUS_COUNSELLOR: [Competency.TRAUMA_INFORMED],
    Role.SUPERVISOR: [Competency.REINTEGRATION_PLANNING],
}
ACTIVE_CASE_STATUSES = ("registered", "active", "reopened")


@dataclass
class Need:
    user_id: int
    name: str
    agency: str
    region: str
    role: str
    role_label: str
    competency: str
    competency_label: str
    cases: int


def training_needs(
    user: User, *, region_path: str = "", agency_id: int | None = None
) -> list[Need]:
    """Staff on active case teams who lack a competency their role on the team needs.

    An aggregate about staff: per person only the number of active cases, never which.
    Three queries: team memberships grouped by (person, role), the valid competencies of
    those people, and the people's names and places.
    """
    permissions.require_coordinator(user)
    from tirek.access.selectors import team_workload
    from tirek.organisations.models import localised

    memberships = team_workload(roles=ROLE_NEEDS, case_statuses=ACTIVE_CASE_STATUSES)
    if region_path:
        memberships = memberships.filter(user__region__path__startswith=region_path)
    if agency_id:
        memberships = memberships.filter(user__agency_id=agency_id)
    grouped = list(
        memberships.values("user_id", "role").annotate(cases=Count("case_id", distinct=True))
    )
    user_ids = {row["user_id"] for row in grouped}
    now = timezone.now()
    held = set(
        StaffCompetency.objects.filter(user_id__in=user_ids, revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .values_list("user_id", "competency")
    )
    people = {
        row["id"]: row
        for row in User.objects.filter(pk__in=user_ids).values(
            "id",
            "first_name",
            "last_name",
            "username",
            "agency__name",
            "region_id",
            "region__names",
        )
    }
    # Labels translated once, not once per row.
    roles = {key: str(label) for key, label in Role.choices}
    competencies = {key: str(label) for key, label in Competency.choices}
    region_names = {
        p["region_id"]: localised(p["region__names"]) if p["region__names"] else ""
        for p in people.values()
    }
    needs: list[Need] = []
    for row in grouped:
        person = people[row["user_id"]]
        full = f"{person['first_name']} {person['last_name']}".strip()
        for competency in ROLE_NEEDS[row["role"]]:
            if (row["user_id"], competency) in held:
                continue
            needs.append(
                Need(
                    user_id=row["user_id"],
                    name=full or person["username"],
                    agency=person["agency__name"] or "",
                    region=region_names[person["region_id"]],
                    role=row["role"],
                    role_label=roles[row["role"]],
                    competency=competency,
                    competency_label=competencies[competency],
                    cases=row["cases"],
                )
            )
    needs.sort(key=lambda n: (n.region, n.agency, n.name, n.competency))
    return needs


# --- reports ---------------------------------------------------------------------------


def trained_people(
    user: User,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    course_id: int | None = None,
) -> QuerySet[Participant]:
    permissions.require_coordinator(user)
    qs = Participant.objects.all()
    if date_from:
        qs = qs.filter(event__start_date__gte=date_from)
    if date_to:
        qs = qs.filter(event__start_date__lte=date_to)
    if course_id:
        qs = qs.filter(event__courses=course_id)
    return qs
