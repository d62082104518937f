"""Loads the seed curriculum (seed_content.COURSES). Idempotent: rows that exist are
left as they are, so a coordinator's edits survive a second run."""

from __future__ import annotations

from typing import Any

from django.db import transaction

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


def _questions(quiz: Quiz, questions: list[dict[str, Any]]) -> None:
    for order, spec in enumerate(questions, start=1):
        question, created = Question.objects.get_or_create(
            quiz=quiz, order=order, defaults={"kind": spec["kind"], "texts": spec["text"]}
        )
        if not created:
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
    for spec in COURSES:
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
        for language, title in spec["title"].items():
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
            for language, title in m_spec["title"].items():
                ModuleTranslation.objects.get_or_create(
                    module=module,
                    language=language,
                    defaults={"title": title, "summary": m_spec["summary"][language]},
                )
            for l_order, l_spec in enumerate(m_spec["lessons"], start=1):
                lesson, _created = Lesson.objects.get_or_create(module=module, order=l_order)
                for language, title in l_spec["title"].items():
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
    return len(COURSES)
