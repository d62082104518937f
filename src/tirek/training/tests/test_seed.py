from __future__ import annotations

import io

from django.core.management import call_command

from tirek.accounts.models import User
from tirek.core import demo_org
from tirek.testing import logged_in_client
from tirek.training import demo
from tirek.training.models import (
    Course,
    CourseTranslation,
    Event,
    Lesson,
    LessonTranslation,
    Module,
    ModuleTranslation,
    Question,
)
from tirek.training.seed_content import COURSES
from tirek.training.selectors import may_interview


def test_it_loads_the_seed_course_in_russian_and_english_idempotently(db: None) -> None:
    out = io.StringIO()
    call_command("training", "load-seed", stdout=out)
    counts = (Course.objects.count(), Lesson.objects.count(), Question.objects.count())
    call_command("training", "load-seed", stdout=out)
    assert (Course.objects.count(), Lesson.objects.count(), Question.objects.count()) == counts
    assert counts[0] == len(COURSES) == 2
    topics = {t for course in Course.objects.all() for t in course.topics}
    assert {
        "legal-framework",
        "psychological-consequences",
        "trauma-informed",
        "needs-assessment",
        "trust-communication",
        "working-with-parents",
        "stigma",
        "reintegration-plans",
        "monitoring",
        "child-interviewing",
    } <= topics
    for model, parent in (
        (CourseTranslation, "course"),
        (ModuleTranslation, "module"),
        (LessonTranslation, "lesson"),
    ):
        languages: dict[int, set[str]] = {}
        for row in model.objects.all():
            languages.setdefault(getattr(row, f"{parent}_id"), set()).add(row.language)
        assert languages and all(langs == {"ru", "en"} for langs in languages.values())
    assert Module.objects.count() == sum(len(c["modules"]) for c in COURSES)
    for question in Question.objects.prefetch_related("choices"):
        assert set(question.texts) == {"ru", "en"}
        assert any(c.is_correct for c in question.choices.all())
        assert all(c.feedback.get("ru") and c.feedback.get("en") for c in question.choices.all())


def test_it_loads_the_demo_cascade_with_a_certified_interviewer(db: None) -> None:
    out = io.StringIO()
    demo_org.load(out)
    demo.load(out)
    demo.load(out)
    assert Event.objects.count() == 3
    assert may_interview(User.objects.get(username="demo-interviewer"))
    tree = logged_in_client(User.objects.get(username="demo-training-coordinator")).get(
        "/training/cascade/"
    )
    assert tree.status_code == 200
    assert "Лейла Каримова" in tree.content.decode()
