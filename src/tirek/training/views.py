"""Training pages: thin views over services and selectors."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tirek.audit.models import Action
from tirek.audit.services import client_ip, record
from tirek.core.exceptions import Conflict, Refused
from tirek.core.forms import add_errors
from tirek.core.http import AuthenticatedHttpRequest
from tirek.core.ratelimit import RateLimited
from tirek.core.ratelimit import check as rate_limit

from . import cascade as cascade_mod
from . import exports, forms, imports, permissions, reports, richtext, selectors, services
from . import tasks as certificate_tasks
from .models import Certificate, Course, Lesson, LessonAsset, Quiz, TrainerAssignment


def _int(value: Any) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**62 else None


# --- learner --------------------------------------------------------------------------


def my_work_panel(request: AuthenticatedHttpRequest) -> dict[str, Any] | None:
    user = request.user
    courses = [
        e.course
        for e in user.enrolments.filter(completed_at__isnull=True)
        .select_related("course")
        .prefetch_related("course__translations")[:5]
    ]
    if not courses:
        return None
    return {
        "title": _("My courses"),
        "template": "training/panel.html",
        "progress": selectors.progress_for(user, courses),
    }


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


# --- public verification ------------------------------------------------------------------


def verify_start(request: HttpRequest) -> HttpResponse:
    """Public: a field to type the code printed on a certificate; a typed code goes to its
    check page (normalised there, so spaces and dashes as printed do not matter)."""
    code = request.GET.get("code", "").strip()[:64]
    if code:
        return redirect("verify", code=code)
    return render(request, "training/verify.html", {"ask": True})


def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: only validity, holder and course. Lookups are rate limited per address so
    codes cannot be enumerated."""
    try:
        rate_limit(f"verify:{client_ip(request)}", limit=20, window_seconds=60)
    except RateLimited as exc:
        response = render(request, "training/verify.html", {"limited": True}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    certificate = selectors.certificate_by_code(code[:64])
    if certificate is None:
        return render(request, "training/verify.html", {"code": code[:64]}, status=404)
    return render(
        request,
        "training/verify.html",
        {
            "found": True,
            "status": certificate.status,
            "status_label": Certificate.Status(certificate.status).label,
            "holder": certificate.holder_name,
            "course": certificate.course.title,
            "code": certificate.display_code,
        },
    )


# --- events ---------------------------------------------------------------------------------


def _require_events_role(request: AuthenticatedHttpRequest) -> None:
    if (
        not permissions.sees_events_nav(request.user)
        and not TrainerAssignment.objects.filter(
            user=request.user
        ).exists()
    ):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied


@login_required
def events(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_events_role(request)
    from django.core.paginator import Paginator

    page = Paginator(selectors.events_visible(request.user), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "training/events.html",
        {"page": page, "is_coordinator": permissions.is_coordinator(request.user)},
    )


@login_required
def event_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    permissions.require_coordinator(request.user)
    form = forms.EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        courses, modules = data.pop("courses"), data.pop("modules")
        try:
            event = services.event_create(
                by=request.user,
                courses=courses,
                modules=modules,
                request=request,
                **data,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The event was created."))
            return redirect("training:event", event_id=event.pk)
    return render(
        request, "training/event_form.html", {"form": form}, status=422 if form.errors else 200
    )


@login_required
def event_edit(request: AuthenticatedHttpRequest, event_id: int) -> HttpResponse:
    permissions.require_coordinator(request.user)
    event = selectors.event_for_manager(request.user, event_id)
    form = forms.EventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        courses, modules = data.pop("courses"), data.pop("modules")
        try:
            services.event_update(
                by=request.user,
                event=event,
                version=_int(request.POST.get("version")) or 0,
                courses=courses,
                modules=modules,
                request=request,
                **data,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The event was saved."))
            return redirect("training:event", event_id=event.pk)
    return render(
        request,
        "training/event_form.html",
        {"form": form, "event": event},
        status=422 if form.errors else 200,
    )


@login_required
def event_detail(request: AuthenticatedHttpRequest, event_id: int) -> HttpResponse:
    event = selectors.event_for_manager(request.user, event_id)
    participants = selectors.event_participants(event)
    total_days = len(event.days)
    for p in participants:
        p.attendance_percent = (100 * p.attended) // total_days if total_days else 0  # type: ignore[attr-defined]
        p.valid_certificates = [c for c in p.certificates.all() if c.revoked_at is None]  # type: ignore[attr-defined]
        p.blockers = (  # type: ignore[attr-defined]
            services.certificate_blockers(p, p.attended) if not p.valid_certificates else []  # type: ignore[attr-defined]
        )
    return render(
        request,
        "training/event.html",
        {
            "event": event,
            "trainers": selectors.event_trainers(event),
            "participants": participants,
            "summary": selectors.event_summary(event, participants),
            "is_coordinator": permissions.is_coordinator(request.user),
            "trainer_form": forms.TrainerForm(),
        },
    )


@login_required
@require_POST
def trainer_add(request: AuthenticatedHttpRequest, event_id: int) -> HttpResponse:
    permissions.require_coordinator(request.user)
    event = selectors.event_for_manager(request.user, event_id)
    form = forms.TrainerForm(request.POST)
    if form.is_valid():
        try:
            services.trainer_assign(
                by=request.user,
                event=event,
                user=form.cleaned_data["user"],
                external_name=form.cleaned_data["external_name"],
                is_master=form.cleaned_data["is_master"],
                request=request,
            )
            messages.success(request, _("The trainer was added."))
        except (ValidationError, Refused) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("training:event", event_id=event.pk)


@login_required
@require_POST
def trainer_remove(request: AuthenticatedHttpRequest, event_id: int, assignment_id: int) -> HttpResponse:
    permissions.require_coordinator(request.user)
    event = selectors.event_for_manager(request.user, event_id)
    assignment = event.trainers.filter(pk=assignment_id).first()
    if assignment is None:
        raise Http404
    services.trainer_remove(by=request.user, assignment=assignment, request=request)
    messages.success(request, _("The trainer was removed."))
    return redirect("training:event", event_id=event.pk)


@login_required
def participant_add(request: AuthenticatedHttpRequest, event_id: int) -> HttpResponse:
    event = selectors.event_for_manager(request.user, event_id)
    form = forms.ParticipantForm(request.POST or None, initial={"language": event.language})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.participant_add(
                by=request.user,
                event=event,
                user=data["user"],
                request=request,
                **forms.participant_fields(data),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The participant was added."))
            return redirect("training:event", event_id=event.pk)
    return render(
        request,
        "training/participant_form.html",
        {"form": form, "event": event},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def participant_remove(request: AuthenticatedHttpRequest, event_id: int, participant_id: int) -> HttpResponse:
    event = selectors.event_for_manager(request.user, event_id)
    participant = event.participants.filter(pk=participant_id).first()
    if participant is None:
        raise Http404
    try:
        services.participant_remove(by=request.user, participant=participant, request=request)
        messages.success(request, _("The participant was removed."))
    except Refused as exc:
        messages.error(request, str(exc))
    return redirect("training:event", event_id=event.pk)


@login_required
def participant_import(request: AuthenticatedHttpRequest, event_id: int) -> HttpResponse:
    event = selectors.event_for_manager(request.user, event_id)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST" and form.is_valid():
        report = imports.participants_import(
            by=request.user,
            event=event,
            upload=form.cleaned_data["file"],
            request=request,
        )
        if report.ok:
            messages.success(
                request, _("%(count)d participants were imported.") % {"count": report.saved}
            )
            return redirect("training:event", event_id=event.pk)
        status = 422
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "training/import.html",
        {"form": form, "event": event, "report": report},
        status=status,
    )


def _parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@login_required
def attendance(request: AuthenticatedHttpRequest, event_id: int) -> HttpResponse:
    event = selectors.event_for_manager(request.user, event_id)
    participants = selectors.event_participants(event)
    if request.method == "POST":
        present: dict[int, set[date]] = {p.pk: set() for p in participants}
        for value in request.POST.getlist("present"):
            pid_text, _sep, day_text = value.partition("@")
            pid, day = _int(pid_text), _parse_day(day_text)
            if pid is None or day is None:
                messages.error(request, _("The attendance form was not understood."))
                return redirect("training:attendance", event_id=event.pk)
            present.setdefault(pid, set()).add(day)
        try:
            services.attendance_set(by=request.user, event=event, present=present, request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("training:attendance", event_id=event.pk)
        messages.success(request, _("Attendance was saved."))
        return redirect("training:event", event_id=event.pk)
    rows = [
        (p, [(day, day in {d.day for d in p.days.all()}) for day in event.days])
        for p in participants
    ]
    return render(
        request, "training/attendance.html", {"event": event, "days": event.days, "rows": rows}
    )


@login_required
def scores(request: AuthenticatedHttpRequest, event_id: int) -> HttpResponse:
    event = selectors.event_for_manager(request.user, event_id)
    participants = selectors.event_participants(event)
    errors: list[str] = []
    if request.method == "POST":
        values = {
            p.pk: (
                request.POST.get(f"pre_{p.pk}", "")[:20],
                request.POST.get(f"post_{p.pk}", "")[:20],
            )
            for p in participants
        }
        try:
            services.scores_set(by=request.user, event=event, scores=values, request=request)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("Test results were saved."))
            return redirect("training:event", event_id=event.pk)
    return render(
        request,
        "training/scores.html",
        {"event": event, "participants": participants, "errors": errors},
        status=422 if errors else 200,
    )


@login_required
@require_POST
def certificate_issue(request: AuthenticatedHttpRequest, event_id: int, participant_id: int) -> HttpResponse:
    permissions.require_coordinator(request.user)
    event = selectors.event_for_manager(request.user, event_id)
    participant = event.participants.filter(pk=participant_id).first()
    if participant is None:
        raise Http404
    try:
        issued = services.certificate_issue_for_participant(
            by=request.user,
            participant=participant,
            request=request,
        )
        messages.success(request, _("%(count)d certificate(s) issued.") % {"count": len(issued)})
    except Refused as exc:
        messages.error(request, str(exc))
    return redirect("training:event", event_id=event.pk)


@login_required
def event_export(request: AuthenticatedHttpRequest, event_id: int) -> HttpResponse:
    event = selectors.event_for_manager(request.user, event_id)
    participants = selectors.event_participants(event)
    total_days = len(event.days)
    record(
        actor=request.user,
        action=Action.EXPORT,
        obj=event,
        request=request,
        detail={"format": "csv"},
    )
    return exports.csv_response(
        f"event-{event.pk}-participants.csv",
        [
            _("Full name"),
            _("Agency"),
            _("Position"),
            _("Region"),
            _("Sex"),
            _("Professional group"),
            _("Attendance (%)"),
            _("Pre-test (%)"),
            _("Post-test (%)"),
            _("Certificate"),
        ],
        (
            [
                p.full_name,
                p.agency_name,
                p.position,
                p.region.name if p.region else "",
                p.get_sex_display(),
                p.get_audience_display(),
                (100 * p.attended) // total_days if total_days else 0,  # type: ignore[attr-defined]
                p.pre_score if p.pre_score is not None else "",
                p.post_score if p.post_score is not None else "",
                " ".join(c.display_code for c in p.certificates.all() if c.revoked_at is None),
            ]
            for p in participants
        ),
    )


# --- coordinator --------------------------------------------------------------------------


@login_required
def manage(request: AuthenticatedHttpRequest) -> HttpResponse:
    permissions.require_coordinator(request.user)
    from django.core.paginator import Paginator

    certificates = Certificate.objects.select_related("course", "event").prefetch_related(
        "course__translations"
    )
    page = Paginator(certificates, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "training/manage.html",
        {"courses": selectors.courses_all(request.user), "page": page},
    )


@login_required
def course_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    permissions.require_coordinator(request.user)
    form = forms.CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_create(by=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("training:course_manage", course_id=course.pk)
    return render(
        request, "training/course_form.html", {"form": form}, status=422 if form.errors else 200
    )


@login_required
def course_manage(request: AuthenticatedHttpRequest, course_id: int) -> HttpResponse:
    permissions.require_coordinator(request.user)
    course = Course.objects.prefetch_related("translations").filter(pk=course_id).first()
    if course is None:
        raise Http404
    action = request.POST.get("action", "") if request.method == "POST" else ""
    translation_form = forms.CourseTranslationForm(
        request.POST if action == "translation" else None
    )
    module_form = forms.ModuleForm(request.POST if action == "module" else None)
    lesson_form = forms.LessonForm(request.POST if action == "lesson" else None, course=course)
    forms_by_action = {
        "translation": translation_form,
        "module": module_form,
        "lesson": lesson_form,
    }
    if action == "publish":
        services.course_publish(
            by=request.user,
            course=course,
            published=request.POST.get("published") == "1",
            request=request,
        )
        return redirect("training:course_manage", course_id=course.pk)
    if action in forms_by_action and forms_by_action[action].is_valid():
        data = forms_by_action[action].cleaned_data
        try:
            if action == "translation":
                services.course_translation_save(
                    by=request.user, course=course, request=request, **data
                )
            elif action == "module":
                services.module_create(by=request.user, course=course, request=request, **data)
            else:
                lesson = services.lesson_create(by=request.user, request=request, **data)
                return redirect("training:lesson_edit", lesson_id=lesson.pk)
        except ValidationError as exc:
            add_errors(forms_by_action[action], exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("training:course_manage", course_id=course.pk)
    quizzes = {q.kind: q for q in course.quizzes.filter(lesson__isnull=True)}
    return render(
        request,
        "training/course_manage.html",
        {
            "course": course,
            "modules": selectors.course_outline(course),
            "translation_form": translation_form,
            "module_form": module_form,
            "lesson_form": lesson_form,
            "pre": quizzes.get(Quiz.Kind.PRE),
            "final": quizzes.get(Quiz.Kind.FINAL),
        },
        status=422 if any(f.errors for f in forms_by_action.values()) else 200,
    )


@login_required
@require_POST
def quiz_add(request: AuthenticatedHttpRequest, course_id: int) -> HttpResponse:
    permissions.require_coordinator(request.user)
    course = Course.objects.filter(pk=course_id).first()
    if course is None:
        raise Http404
    kind = request.POST.get("kind", "")
    lesson = None
    if kind == Quiz.Kind.LESSON:
        lesson = Lesson.objects.filter(
            pk=_int(request.POST.get("lesson")) or 0, module__course=course
        ).first()
        if lesson is None:
            raise Http404
    elif kind not in (Quiz.Kind.PRE, Quiz.Kind.FINAL):
        raise Http404
    existing = (
        Quiz.objects.filter(lesson=lesson).first()
        if lesson
        else course.quizzes.filter(kind=kind, lesson__isnull=True).first()
    )
    quiz = existing or services.quiz_create(
        by=request.user,
        course=course,
        kind=kind,
        lesson=lesson,
        request=request,
    )
    return redirect("training:quiz_manage", quiz_id=quiz.pk)


@login_required
def quiz_manage(request: AuthenticatedHttpRequest, quiz_id: int) -> HttpResponse:
    permissions.require_coordinator(request.user)
    quiz = Quiz.objects.select_related("course", "lesson").filter(pk=quiz_id).first()
    if quiz is None:
        raise Http404
    form = forms.QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        choices = [
            services.ChoiceSpec(
                text=data[f"choice_{i}"],
                correct=data[f"correct_{i}"],
                feedback=data[f"feedback_{i}"],
            )
            for i in range(1, 5)
            if data.get(f"choice_{i}")
        ]
        try:
            services.question_add(
                by=request.user,
                quiz=quiz,
                text=data["text"],
                choices=choices,
                kind=data["kind"],
                language=data["language"],
                request=request,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The question was added."))
            return redirect("training:quiz_manage", quiz_id=quiz.pk)
    return render(
        request,
        "training/quiz_manage.html",
        {"quiz": quiz, "questions": quiz.questions.prefetch_related("choices"), "form": form},
        status=422 if form.errors else 200,
    )


@login_required
def lesson_edit(request: AuthenticatedHttpRequest, lesson_id: int) -> HttpResponse:
    permissions.require_coordinator(request.user)
    lesson = (
        Lesson.objects.select_related("module__course")
        .prefetch_related("translations", "assets")
        .filter(pk=lesson_id)
        .first()
    )
    if lesson is None:
        raise Http404
    action = request.POST.get("action", "") if request.method == "POST" else ""
    language = request.GET.get("language", "ru")
    if language not in dict(forms.settings.LANGUAGES):
        language = "ru"
    current = lesson.translations.filter(language=language).first()
    text_form = forms.LessonTranslationForm(
        request.POST if action == "text" else None,
        initial={
            "language": language,
            "title": current.title if current else "",
            "body": current.body if current else "",
        },
    )
    asset_form = forms.AssetForm(
        request.POST if action == "asset" else None, request.FILES if action == "asset" else None
    )
    if action == "text" and text_form.is_valid():
        try:
            services.lesson_translation_save(
                by=request.user, lesson=lesson, request=request, **text_form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(text_form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(
                f"{reverse('training:lesson_edit', args=[lesson.pk])}?language={text_form.cleaned_data['language']}"
            )
    if action == "asset" and asset_form.is_valid():
        data = asset_form.cleaned_data
        try:
            services.asset_add(
                by=request.user,
                lesson=lesson,
                kind=data["kind"],
                title=data["title"],
                language=data["language"],
                upload=data["file"],
                request=request,
            )
        except ValidationError as exc:
            add_errors(asset_form, exc)
        else:
            messages.success(request, _("The file was added."))
            return redirect("training:lesson_edit", lesson_id=lesson.pk)
    return render(
        request,
        "training/lesson_edit.html",
        {
            "lesson": lesson,
            "course": lesson.module.course,
            "text_form": text_form,
            "asset_form": asset_form,
            "languages": forms.settings.LANGUAGES,
            "language": language,
            "quiz": Quiz.objects.filter(lesson=lesson).first(),
        },
        status=422 if (text_form.errors or asset_form.errors) else 200,
    )


@login_required
def certificate_revoke(request: AuthenticatedHttpRequest, certificate_id: int) -> HttpResponse:
    permissions.require_coordinator(request.user)
    certificate = (
        Certificate.objects.select_related("course", "event").filter(pk=certificate_id).first()
    )
    if certificate is None:
        raise Http404
    form = forms.RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.certificate_revoke(
                by=request.user,
                certificate=certificate,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except (Refused, ValidationError) as exc:
            form.add_error(None, getattr(exc, "messages", [str(exc)]))
        else:
            messages.success(request, _("The certificate was revoked."))
            return redirect("training:manage")
    return render(
        request,
        "training/revoke.html",
        {"form": form, "certificate": certificate},
        status=422 if form.errors else 200,
    )


@login_required
def cascade(request: AuthenticatedHttpRequest) -> HttpResponse:
    permissions.require_coordinator(request.user)
    form = forms.CascadeFilterForm(request.GET or None)
    course = form.cleaned_data.get("course") if form.is_valid() else None
    tree = cascade_mod.build(course.pk if course else None)
    return render(
        request,
        "training/cascade.html",
        {
            "tree": tree,
            "tree_html": cascade_mod.tree_html(cascade_mod.flatten(tree.roots)),
            "form": form,
        },
    )


@login_required
def needs(request: AuthenticatedHttpRequest) -> HttpResponse:
    permissions.require_coordinator(request.user)
    form = forms.NeedsFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    region, agency = data.get("region"), data.get("agency")
    rows = selectors.training_needs(
        request.user,
        region_path=region.path if region else "",
        agency_id=agency.pk if agency else None,
    )
    from django.core.paginator import Paginator

    query = request.GET.copy()
    query.pop("page", None)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "training/needs.html",
        {"page": page, "total": len(rows), "form": form, "query": query.urlencode()},
    )


@login_required
def report(request: AuthenticatedHttpRequest) -> HttpResponse:
    permissions.require_coordinator(request.user)
    form = forms.ReportFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    built = reports.build(
        request.user,
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        course=data.get("course"),
    )
    if request.GET.get("format") == "csv":
        record(
            actor=request.user, action=Action.EXPORT, object_type="training.report", request=request
        )
        rows: list[list[Any]] = []
        for section, items in (
            (_("Professional group"), built["by_audience"]),
            (_("Sex"), built["by_sex"]),
            (_("Region"), built["by_region"]),
        ):
            rows.extend([section, r.label, r.participants, r.certified] for r in items)
        rows.extend(
            [_("Course"), c["course"].title, c["participants"], c["certified"]]
            for c in built["by_course"]
        )
        return exports.csv_response(
            "training-report.csv",
            [_("Breakdown"), _("Group"), _("Participants"), _("Certified")],
            rows,
        )
    return render(
        request,
        "training/report.html",
        {"form": form, "report": built, "query": request.GET.urlencode()},
    )
