"""Writes for training: one function per use case, transactional, audited."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tirek.accounts.models import Competency, User
from tirek.accounts.services import competency_grant, competency_revoke
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.core.exceptions import Refused
from tirek.core.versioning import bump_version, update_versioned

from . import permissions, tasks
from .models import (
    Attendance,
    Audience,
    Certificate,
    Choice,
    Course,
    CourseTranslation,
    Enrolment,
    Event,
    Lesson,
    LessonAsset,
    LessonProgress,
    LessonTranslation,
    Module,
    ModuleTranslation,
    Participant,
    Question,
    Quiz,
    QuizAttempt,
    TrainerAssignment,
)

# --- helpers -------------------------------------------------------------------


def add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _saved(obj: Any, **clean_kwargs: Any) -> Any:
    obj.full_clean(**clean_kwargs)
    obj.save()
    return obj


# --- curriculum ----------------------------------------------------------------


@transaction.atomic
def course_create(
    *,
    by: User,
    code: str,
    title: str,
    language: str = "ru",
    objectives: str = "",
    description: str = "",
    competency: str = "",
    validity_months: int = 36,
    pass_mark: int = 70,
    topics: list[str] | None = None,
    audiences: list[str] | None = None,
    request: HttpRequest | None = None,
) -> Course:
    permissions.require_coordinator(by)
    course = _saved(
        Course(
            code=code,
            competency=competency,
            validity_months=validity_months,
            pass_mark=pass_mark,
            topics=topics or [],
            audiences=audiences or [],
        )
    )
    _saved(
        CourseTranslation(
            course=course,
            language=language,
            title=title,
            objectives=objectives,
            description=description,
        )
    )
    record(actor=by, action=Action.CREATE, obj=course, request=request, detail={"code": code})
    return course


@transaction.atomic
def course_translation_save(
    *,
    by: User,
    course: Course,
    language: str,
    title: str,
    objectives: str = "",
    description: str = "",
    request: HttpRequest | None = None,
) -> CourseTranslation:
    permissions.require_coordinator(by)
    row = CourseTranslation.objects.filter(course=course, language=language).first()
    row = row or CourseTranslation(course=course, language=language)
    row.title, row.objectives, row.description = title, objectives, description
    _saved(row)
    record(
        actor=by, action=Action.UPDATE, obj=course, request=request, detail={"language": language}
    )
    return row


@transaction.atomic
def course_publish(
    *, by: User, course: Course, published: bool, request: HttpRequest | None = None
) -> None:
    permissions.require_coordinator(by)
    bump_version(Course, course.pk, is_published=published)
    record(
        actor=by, action=Action.UPDATE, obj=course, request=request, detail={"published": published}
    )


@transaction.atomic
def module_create(
    *,
    by: User,
    course: Course,
    title: str,
    language: str = "ru",
    summary: str = "",
    topic: str = "",
    request: HttpRequest | None = None,
) -> Module:
    permissions.require_coordinator(by)
    order = (course.modules.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    module = _saved(Module(course=course, order=order, topic=topic))
    _saved(ModuleTranslation(module=module, language=language, title=title, summary=summary))
    record(actor=by, action=Action.CREATE, obj=module, request=request)
    return module


@transaction.atomic
def lesson_create(
    *,
    by: User,
    module: Module,
    title: str,
    body: str = "",
    language: str = "ru",
    minutes: int = 10,
    request: HttpRequest | None = None,
) -> Lesson:
    permissions.require_coordinator(by)
    order = (module.lessons.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    lesson = _saved(Lesson(module=module, order=order, minutes=minutes))
    _saved(LessonTranslation(lesson=lesson, language=language, title=title, body=body))
    record(actor=by, action=Action.CREATE, obj=lesson, request=request)
    return lesson


@transaction.atomic
def lesson_translation_save(
    *,
    by: User,
    lesson: Lesson,
    language: str,
    title: str,
    body: str,
    request: HttpRequest | None = None,
) -> LessonTranslation:
    permissions.require_coordinator(by)
    row = LessonTranslation.objects.filter(lesson=lesson, language=language).first()
    row = row or LessonTranslation(lesson=lesson, language=language)
    row.title, row.body = title, body
    _saved(row)
    record(
        actor=by, action=Action.UPDATE, obj=lesson, request=request, detail={"language": language}
    )
    return row


# Extensions and the types they are served with; anything else is refused.
ASSET_TYPES: dict[str, dict[str, str]] = {
    LessonAsset.Kind.IMAGE: {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"},
    LessonAsset.Kind.VIDEO: {".mp4": "video/mp4", ".webm": "video/webm"},
    LessonAsset.Kind.FILE: {
        ".pdf": "application/pdf",
        ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ".txt": "text/plain",
    },
}
VIDEO_MAX_BYTES = 200 * 1024 * 1024


@transaction.atomic
def asset_add(
    *,
    by: User,
    lesson: Lesson,
    kind: str,
    title: str,
    upload: UploadedFile,
    language: str = "",
    request: HttpRequest | None = None,
) -> LessonAsset:
    permissions.require_coordinator(by)
    name = (upload.name or "").lower()
    extension = name[name.rfind(".") :] if "." in name else ""
    allowed = ASSET_TYPES.get(kind, {})
    if extension not in allowed:
        raise ValidationError(
            {"file": _("This kind of file is not accepted here: %(ext)s") % {"ext": extension}}
        )
    limit = VIDEO_MAX_BYTES if kind == LessonAsset.Kind.VIDEO else settings.ATTACHMENT_MAX_BYTES
    if (upload.size or 0) > limit:
        raise ValidationError({"file": _("The file is too large.")})
    asset = LessonAsset(
        lesson=lesson,
        kind=kind,
        title=title,
        language=language,
        file=upload,
        content_type=allowed[extension],
    )
    _saved(asset)
    record(actor=by, action=Action.CREATE, obj=asset, request=request, detail={"kind": kind})
    return asset


@dataclass
class ChoiceSpec:
    text: str
    correct: bool = False
    feedback: str = ""


@transaction.atomic
def question_add(
    *,
    by: User,
    quiz: Quiz,
    text: str,
    choices: list[ChoiceSpec],
    kind: str = Question.Kind.SINGLE,
    language: str = "ru",
    request: HttpRequest | None = None,
) -> Question:
    permissions.require_coordinator(by)
    correct = sum(1 for c in choices if c.correct)
    if len(choices) < 2:
        raise ValidationError({"choices": _("A question needs at least two answers.")})
    if correct == 0:
        raise ValidationError({"choices": _("Mark at least one answer as correct.")})
    if kind == Question.Kind.SINGLE and correct != 1:
        raise ValidationError(
            {"choices": _("A single-choice question has exactly one correct answer.")}
        )
    order = (quiz.questions.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    question = _saved(Question(quiz=quiz, order=order, kind=kind, texts={language: text}))
    for i, spec in enumerate(choices, start=1):
        _saved(
            Choice(
                question=question,
                order=i,
                is_correct=spec.correct,
                texts={language: spec.text},
                feedback={language: spec.feedback} if spec.feedback else {},
            )
        )
    record(actor=by, action=Action.CREATE, obj=question, request=request)
    return question


@transaction.atomic
def quiz_create(
    *,
    by: User,
    course: Course,
    kind: str,
    lesson: Lesson | None = None,
    pass_mark: int | None = None,
    request: HttpRequest | None = None,
) -> Quiz:
    permissions.require_coordinator(by)
    quiz = Quiz(
        course=course,
        kind=kind,
        lesson=lesson,
        pass_mark=course.pass_mark if pass_mark is None else pass_mark,
    )
    _saved(quiz)
    record(actor=by, action=Action.CREATE, obj=quiz, request=request)
    return quiz


# --- e-learning ----------------------------------------------------------------


@transaction.atomic
def enrolment_start(*, user: User, course: Course) -> Enrolment:
    if not course.is_published:
        raise Refused(_("This course is not open for learning yet."))
    enrolment, _created = Enrolment.objects.get_or_create(user=user, course=course)
    return enrolment


@transaction.atomic
def lesson_complete(*, user: User, lesson: Lesson) -> LessonProgress:
    """Mark a lesson done. A lesson with a quiz is done only when its quiz is passed."""
    course = lesson.module.course
    enrolment = enrolment_start(user=user, course=course)
    quiz = Quiz.objects.filter(lesson=lesson).first()
    if quiz and not QuizAttempt.objects.filter(user=user, quiz=quiz, passed=True).exists():
        raise Refused(_("Pass the quiz of this lesson first."))
    progress, _created = LessonProgress.objects.get_or_create(user=user, lesson=lesson)
    Enrolment.objects.filter(pk=enrolment.pk).update(last_lesson=lesson)
    _check_completion(user=user, course=course)
    return progress


@dataclass
class QuestionResult:
    question: Question
    chosen: list[Choice]
    correct: bool
    choices: list[Choice] = field(default_factory=list)


@dataclass
class QuizResult:
    score: Decimal
    passed: bool
    questions: list[QuestionResult]

    @property
    def correct_count(self) -> int:
        return sum(1 for q in self.questions if q.correct)


def quiz_score(quiz: Quiz, answers: dict[int, list[int]]) -> QuizResult:
    """One point per question answered exactly right (for multiple choice: exactly the
    set of correct answers); the score is the share of points in percent, one decimal."""
    questions = list(quiz.questions.prefetch_related("choices"))
    results: list[QuestionResult] = []
    for question in questions:
        choices = list(question.choices.all())
        chosen_ids = set(answers.get(question.pk, []))
        chosen = [c for c in choices if c.pk in chosen_ids]
        correct_ids = {c.pk for c in choices if c.is_correct}
        valid = question.kind == Question.Kind.MULTIPLE or len(chosen) <= 1
        results.append(
            QuestionResult(
                question=question,
                chosen=chosen,
                correct=valid and {c.pk for c in chosen} == correct_ids,
                choices=choices,
            )
        )
    total = len(results)
    points = sum(1 for r in results if r.correct)
    score = (
        (Decimal(points) * 100 / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if total
        else Decimal("0.0")
    )
    return QuizResult(score=score, passed=total > 0 and score >= quiz.pass_mark, questions=results)


@transaction.atomic
def quiz_submit(
    *, user: User, quiz: Quiz, answers: dict[int, list[int]]
) -> tuple[QuizAttempt, QuizResult]:
    enrolment_start(user=user, course=quiz.course)
    if quiz.kind == Quiz.Kind.FINAL:
        lessons = Lesson.objects.filter(module__course=quiz.course)
        if LessonProgress.objects.filter(user=user, lesson__in=lessons).count() < lessons.count():
            raise Refused(_("The final test opens when every lesson is done."))
    known = {
        q.pk: {c.pk for c in q.choices.all()} for q in quiz.questions.prefetch_related("choices")
    }
    errors = []
    for qid, chosen in answers.items():
        if qid not in known or not set(chosen) <= known[qid]:
            errors.append(_("An answer does not belong to this quiz."))
    unanswered = [qid for qid in known if not answers.get(qid)]
    if unanswered:
        errors.append(_("Answer every question (%(count)d left).") % {"count": len(unanswered)})
    if errors:
        raise ValidationError({"answers": errors})
    result = quiz_score(quiz, answers)
    attempt = QuizAttempt.objects.create(
        user=user,
        quiz=quiz,
        score=result.score,
        passed=result.passed,
        answers={str(k): sorted(v) for k, v in answers.items()},
    )
    if result.passed and quiz.lesson is not None:
        lesson_complete(user=user, lesson=quiz.lesson)
    elif result.passed and quiz.kind == Quiz.Kind.FINAL:
        _check_completion(user=user, course=quiz.course)
    return attempt, result


def _check_completion(*, user: User, course: Course) -> bool:
    lessons = Lesson.objects.filter(module__course=course)
    done = LessonProgress.objects.filter(user=user, lesson__in=lessons).count()
    if done < lessons.count():
        return False
    final = Quiz.objects.filter(course=course, kind=Quiz.Kind.FINAL).first()
    if final and not QuizAttempt.objects.filter(user=user, quiz=final, passed=True).exists():
        return False
    Enrolment.objects.filter(user=user, course=course, completed_at__isnull=True).update(
        completed_at=timezone.now()
    )
    return True


# --- events --------------------------------------------------------------------

EVENT_FIELDS = (
    "title",
    "kind",
    "mode",
    "start_date",
    "end_date",
    "place",
    "region",
    "organisers",
    "funders",
    "language",
    "attendance_threshold",
    "pass_mark",
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
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError as exc:
        raise ValidationError(_("This trainer already delivers this event.")) from exc
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


# --- certificates ---------------------------------------------------------------


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
    try:
        with transaction.atomic():
            certificate.save()
    except IntegrityError as exc:
        raise Refused(_("A valid certificate for this course was already issued.")) from exc
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
