"""Loads the seed curriculum (seed_content.COURSES). Idempotent: rows that exist are
left as they are, so a coordinator's edits survive a second run; a language added since
(a new overlay in seed_i18n/) is added to them without touching the texts already there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction

from tirek.core.content_i18n import load_overlays, translate

from .models import (
    Choice,
    Course,
    CourseTranslation,
    Lesson,
    LessonTranslation,
    Module,
    ModuleTranslation,
    Question,
    Quiz,
)
from .seed_content import COURSES

# Kazakh, Uzbek and Tajik texts: {English text: translation} per language (core.content_i18n).
SEED_OVERLAYS_DIR = Path(__file__).parent / "seed_i18n"


def courses() -> list[dict[str, Any]]:
    """The seed curriculum with every overlay language merged into its texts."""
    return translate(COURSES, load_overlays(SEED_OVERLAYS_DIR))


def _languages(*texts: dict[str, str]) -> list[str]:
    """The languages in which every one of ``texts`` exists (a row needs all its fields)."""
    return [language for language in texts[0] if all(language in t for t in texts[1:])]


def _add_missing(current: dict[str, str], source: dict[str, str]) -> bool:
    """Add the languages ``current`` lacks; never overwrite an (edited) text."""
    missing = {language: text for language, text in source.items() if language not in current}
    current.update(missing)
    return bool(missing)


def _add_languages(question: Question, spec: dict[str, Any]) -> None:
    if _add_missing(question.texts, spec["text"]):
        question.save(update_fields=["texts"])
    choices = {choice.order: choice for choice in question.choices.all()}
    for order, c_spec in enumerate(spec["choices"], start=1):
        choice = choices.get(order)
        if choice is None:
            continue
        changed = _add_missing(choice.texts, c_spec["text"])
        changed = _add_missing(choice.feedback, c_spec["feedback"]) or changed
        if changed:
            choice.save(update_fields=["texts", "feedback"])


def _questions(quiz: Quiz, questions: list[dict[str, Any]]) -> None:
    for order, spec in enumerate(questions, start=1):
        question, created = Question.objects.get_or_create(
            quiz=quiz, order=order, defaults={"kind": spec["kind"], "texts": spec["text"]}
        )
        if not created:
            _add_languages(question, spec)
            continue
        Choice.objects.bulk_create(
            [
                Choice(
                    question=question,
                    order=i,
                    is_correct=c["correct"],
                    texts=c["text"],
                    feedback=c["feedback"],
                )
                for i, c in enumerate(spec["choices"], start=1)
            ]
        )


@transaction.atomic
def load() -> int:
    """Returns the number of courses in the seed."""
    seed = courses()
    for spec in seed:
        course, _created = Course.objects.get_or_create(
            code=spec["code"],
            defaults={
                "competency": spec["competency"],
                "validity_months": spec["validity_months"],
                "pass_mark": spec["pass_mark"],
                "topics": spec["topics"],
                "audiences": spec["audiences"],
                "is_published": True,
            },
        )
        for language in _languages(spec["title"], spec["objectives"], spec["description"]):
            title = spec["title"][language]
            CourseTranslation.objects.get_or_create(
                course=course,
                language=language,
                defaults={
                    "title": title,
                    "objectives": spec["objectives"][language],
                    "description": spec["description"][language],
                },
            )
        for m_order, m_spec in enumerate(spec["modules"], start=1):
            module, _created = Module.objects.get_or_create(
                course=course, order=m_order, defaults={"topic": m_spec["topic"]}
            )
            for language in _languages(m_spec["title"], m_spec["summary"]):
                title = m_spec["title"][language]
                ModuleTranslation.objects.get_or_create(
                    module=module,
                    language=language,
                    defaults={"title": title, "summary": m_spec["summary"][language]},
                )
            for l_order, l_spec in enumerate(m_spec["lessons"], start=1):
                lesson, _created = Lesson.objects.get_or_create(module=module, order=l_order)
                for language in _languages(l_spec["title"], l_spec["body"]):
                    title = l_spec["title"][language]
                    LessonTranslation.objects.get_or_create(
                        lesson=lesson,
                        language=language,
                        defaults={"title": title, "body": l_spec["body"][language]},
                    )
                if l_spec.get("quiz"):
                    quiz, _created = Quiz.objects.get_or_create(
                        course=course,
                        lesson=lesson,
                        defaults={"kind": Quiz.Kind.LESSON, "pass_mark": spec["pass_mark"]},
                    )
                    _questions(quiz, l_spec["quiz"])
        for kind, key in ((Quiz.Kind.PRE, "pre_test"), (Quiz.Kind.FINAL, "final_test")):
            # A pre-test measures what learners knew before; it has no pass mark to meet.
            quiz, _created = Quiz.objects.get_or_create(
                course=course,
                kind=kind,
                lesson=None,
                defaults={"pass_mark": 0 if kind == Quiz.Kind.PRE else spec["pass_mark"]},
            )
            _questions(quiz, spec[key])
    return len(seed)
