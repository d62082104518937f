"""The coordinator's pages: courses, quizzes, lessons and revoking certificates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tirek.core.exceptions import Refused
from tirek.core.forms import add_errors, submit
from tirek.core.http import AuthenticatedHttpRequest

from .. import forms, permissions, selectors, services
from ..models import Certificate, Course, Lesson, Quiz
from .common import _int


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

    def add() -> None:
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
        services.question_add(
            by=request.user,
            quiz=quiz,
            text=data["text"],
            choices=choices,
            kind=data["kind"],
            language=data["language"],
            request=request,
        )

    if request.method == "POST" and submit(request, form, add, _("The question was added.")):
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
    if action == "text" and submit(
        request,
        text_form,
        lambda: services.lesson_translation_save(
            by=request.user, lesson=lesson, request=request, **text_form.cleaned_data
        ),
        _("Saved."),
    ):
        return redirect(
            f"{reverse('training:lesson_edit', args=[lesson.pk])}?language={text_form.cleaned_data['language']}"
        )
    if action == "asset" and submit(
        request,
        asset_form,
        lambda: services.asset_add(
            by=request.user,
            lesson=lesson,
            kind=asset_form.cleaned_data["kind"],
            title=asset_form.cleaned_data["title"],
            language=asset_form.cleaned_data["language"],
            upload=asset_form.cleaned_data["file"],
            request=request,
        ),
        _("The file was added."),
    ):
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
