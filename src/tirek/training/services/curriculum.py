"""Writes of the curriculum: courses, modules, lessons, their translations, assets and quizzes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from tirek.accounts.models import User
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.core.versioning import bump_version

from .. import permissions
from ..models import (
    Choice,
    Course,
    CourseTranslation,
    Lesson,
    LessonAsset,
    LessonTranslation,
    Module,
    ModuleTranslation,
    Question,
    Quiz,
)
from .common import _saved

Translation = TypeVar("Translation", CourseTranslation, LessonTranslation)


def _translation_save(
    model: type[Translation],
    *,
    by: User,
    owner: Course | Lesson,
    language: str,
    request: HttpRequest | None,
    **texts: str,
) -> Translation:
    """``owner``'s translation into ``language``, created or changed to ``texts``."""
    permissions.require_coordinator(by)
    link = {"course" if isinstance(owner, Course) else "lesson": owner, "language": language}
    row = model.objects.filter(**link).first() or model(**link)
    for name, value in texts.items():
        setattr(row, name, value)
    _saved(row)
    record(
        actor=by, action=Action.UPDATE, obj=owner, request=request, detail={"language": language}
    )
    return row


def _next_order(items: Any) -> int:
    return (items.order_by("-order").values_list("order", flat=True).first() or 0) + 1


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
    return _translation_save(
        CourseTranslation,
        by=by,
        owner=course,
        language=language,
        request=request,
        title=title,
        objectives=objectives,
        description=description,
    )


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
    module = _saved(Module(course=course, order=_next_order(course.modules), topic=topic))
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
    lesson = _saved(Lesson(module=module, order=_next_order(module.lessons), minutes=minutes))
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
    return _translation_save(
        LessonTranslation,
        by=by,
        owner=lesson,
        language=language,
        request=request,
        title=title,
        body=body,
    )


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
