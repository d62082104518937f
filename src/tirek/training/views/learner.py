"""The learner's pages: courses, lessons, quizzes and their own certificates."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.cases.panels import WorkPanel, WorkRow, work_row
from tirek.core.exceptions import Refused
from tirek.core.http import AuthenticatedHttpRequest

from .. import permissions, richtext, selectors, services
from .. import tasks as certificate_tasks
from ..models import Certificate, Course, Lesson, LessonAsset, Quiz
from .common import _int

MY_WORK_COURSES = 5


def _enrolment_rows(request: AuthenticatedHttpRequest) -> list[Any]:
    """The courses the user is taking, read with the other "my work" rows in one query."""
    unfinished = request.user.enrolments.filter(completed_at__isnull=True)
    return [work_row(unfinished, "enrolment", ref=F("course_id"), at=F("started_at"))]


def _my_courses(request: AuthenticatedHttpRequest, rows: list[WorkRow]) -> dict[str, Any] | None:
    """The courses started most recently, with the user's progress in each."""
    if not rows:
        return None
    newest = sorted(rows, key=lambda r: (r[5], r[1]), reverse=True)[:MY_WORK_COURSES]
    by_id = Course.objects.prefetch_related("translations").in_bulk([r[2] for r in newest])
    courses = [by_id[r[2]] for r in newest]
    return {
        "title": _("My courses"),
        "template": "training/panel.html",
        "progress": selectors.progress_for(request.user, courses),
    }


# The user's own enrolments are not someone else's personal data: no audit entry.
my_work_panel = WorkPanel(
    rows=_enrolment_rows, build=_my_courses, kinds=frozenset({"enrolment"}), audited=False
)


@login_required
def my_courses(request: AuthenticatedHttpRequest) -> HttpResponse:
    courses = list(selectors.courses_for_learning())
    return render(
        request,
        "training/my_courses.html",
        {
            "progress": selectors.progress_for(request.user, courses),
            "certificates": selectors.my_certificates(request.user),
            "participations": selectors.my_events_as_learner(request.user),
            "is_coordinator": permissions.is_coordinator(request.user),
        },
    )


@login_required
def course_detail(request: AuthenticatedHttpRequest, course_id: int) -> HttpResponse:
    course = selectors.course_for_learning(request.user, course_id)
    (progress,) = selectors.progress_for(request.user, [course])
    quizzes = {q.kind: q for q in course.quizzes.filter(lesson__isnull=True)}
    pre = quizzes.get(Quiz.Kind.PRE)
    certificate = (
        Certificate.objects.filter(
            user=request.user, course=course, event__isnull=True, revoked_at__isnull=True
        ).first()
        if progress.completed
        else None
    )
    return render(
        request,
        "training/course.html",
        {
            "course": course,
            "translation": course.translation(),
            "modules": selectors.course_outline(course),
            "done": selectors.completed_lesson_ids(request.user, course),
            "progress": progress,
            "pre": pre,
            "pre_taken": bool(pre and pre.attempts.filter(user=request.user).exists()),
            "final": quizzes.get(Quiz.Kind.FINAL),
            "certificate": certificate,
            "gain": selectors.knowledge_gain_elearning(request.user, course),
        },
    )


def _lesson_neighbours(lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
    ids = list(
        Lesson.objects.filter(module__course=lesson.module.course)
        .order_by("module__order", "order", "id")
        .values_list("id", flat=True)
    )
    index = ids.index(lesson.pk)
    previous = Lesson.objects.filter(pk=ids[index - 1]).first() if index > 0 else None
    following = Lesson.objects.filter(pk=ids[index + 1]).first() if index + 1 < len(ids) else None
    return previous, following


@login_required
def lesson_detail(request: AuthenticatedHttpRequest, lesson_id: int) -> HttpResponse:
    lesson = selectors.lesson_for_learning(request.user, lesson_id)
    course = lesson.module.course
    if request.method == "POST":
        try:
            services.lesson_complete(user=request.user, lesson=lesson)
        except Refused as exc:
            messages.error(request, str(exc))
            return redirect("training:lesson", lesson_id=lesson.pk)
        _previous, following = _lesson_neighbours(lesson)
        if following:
            return redirect("training:lesson", lesson_id=following.pk)
        return redirect("training:course", course_id=course.pk)
    if course.is_published:
        services.enrolment_start(user=request.user, course=course)
    translation = lesson.translation()
    assets = [
        a for a in lesson.assets.all() if not a.language or a.language == request.LANGUAGE_CODE
    ]
    asset_ids = {a.pk for a in assets}
    body = richtext.render(
        translation.body if translation else "",
        lambda pk: reverse("training:asset", args=[pk]) if pk in asset_ids else None,
    )
    previous, following = _lesson_neighbours(lesson)
    quiz = Quiz.objects.filter(lesson=lesson).first()
    (progress,) = selectors.progress_for(request.user, [course])
    return render(
        request,
        "training/lesson.html",
        {
            "lesson": lesson,
            "course": course,
            "translation": translation,
            "body": body,
            "videos": [a for a in assets if a.kind == LessonAsset.Kind.VIDEO],
            "files": [a for a in assets if a.kind == LessonAsset.Kind.FILE],
            "quiz": quiz,
            "done": lesson.pk in selectors.completed_lesson_ids(request.user, course),
            "previous": previous,
            "following": following,
            "progress": progress,
        },
    )


@login_required
def asset(request: AuthenticatedHttpRequest, asset_id: int) -> FileResponse:
    item = LessonAsset.objects.select_related("lesson__module__course").filter(pk=asset_id).first()
    if item is None:
        raise Http404
    selectors.lesson_for_learning(request.user, item.lesson_id)
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        content_type=item.content_type,
        as_attachment=item.kind == LessonAsset.Kind.FILE,
        filename=(item.file.name or "").rsplit("/", 1)[-1],
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _answers(request: HttpRequest, quiz: Quiz) -> dict[int, list[int]]:
    answers: dict[int, list[int]] = {}
    for question in quiz.questions.all():
        values = request.POST.getlist(f"q{question.pk}")
        answers[question.pk] = [n for n in (_int(v) for v in values) if n is not None]
    return answers


@login_required
def quiz_take(request: AuthenticatedHttpRequest, quiz_id: int) -> HttpResponse:
    quiz = selectors.quiz_for_learning(request.user, quiz_id)
    questions = list(quiz.questions.prefetch_related("choices"))
    context: dict[str, Any] = {"quiz": quiz, "questions": questions, "course": quiz.course}
    if request.method == "POST":
        answers = _answers(request, quiz)
        try:
            attempt, result = services.quiz_submit(user=request.user, quiz=quiz, answers=answers)
        except ValidationError as exc:
            context["errors"] = exc.messages
            context["chosen"] = {c for ids in answers.values() for c in ids}
            return render(request, "training/quiz.html", context, status=422)
        except Refused as exc:
            messages.error(request, str(exc))
            return redirect("training:course", course_id=quiz.course_id)
        context.update({"attempt": attempt, "result": result})
        if result.passed and quiz.lesson is not None:
            _previous, following = _lesson_neighbours(quiz.lesson)
            context["following"] = following
        return render(request, "training/quiz_result.html", context)
    context["best"] = selectors.best_attempt(request.user, quiz)
    return render(request, "training/quiz.html", context)


@login_required
@require_POST
def course_certificate(request: AuthenticatedHttpRequest, course_id: int) -> HttpResponse:
    course = selectors.course_for_learning(request.user, course_id)
    try:
        certificate = services.certificate_issue_for_elearning(
            user=request.user,
            course=course,
            request=request,
        )
    except Refused as exc:
        messages.error(request, str(exc))
        return redirect("training:course", course_id=course.pk)
    messages.success(request, _("Your certificate is ready."))
    return redirect(f"{reverse('training:my_courses')}#certificate-{certificate.pk}")


@login_required
def certificate_pdf(request: AuthenticatedHttpRequest, certificate_id: int) -> HttpResponse:
    """The stored PDF made by the worker (``tirek.training.tasks``); while it is being
    prepared, or after it failed, a page that says so (polled by htmx; POST asks again)."""
    certificate = selectors.certificate_for_holder(request.user, certificate_id)
    body = None if request.GET.get("state") else certificate_tasks.stored_pdf(certificate)
    if body is None:
        return _certificate_pdf_waiting(request, certificate)
    record(
        actor=request.user,
        action=Action.EXPORT,
        obj=certificate,
        request=request,
        detail={"format": "pdf"},
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
    return response


def _certificate_pdf_waiting(request: HttpRequest, certificate: Certificate) -> HttpResponse:
    row = certificate_tasks.pdf_state(certificate)
    if row is None or request.method == "POST":
        certificate_tasks.request_pdf(certificate)  # a certificate issued before the queue
        if request.method == "POST":
            return redirect("training:certificate_pdf", certificate_id=certificate.pk)
        row = certificate_tasks.pdf_state(certificate)
    context = {
        "certificate": certificate,
        "state": row.status if row else "queued",
        "error": row.error if row else "",
    }
    if request.GET.get("state"):
        return render(request, "training/_certificate_pdf_state.html", context)
    return render(request, "training/certificate_pending.html", context)
