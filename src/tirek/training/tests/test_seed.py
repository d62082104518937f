from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from tirek.accounts import demo_org
from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.testing import World, logged_in_client
from tirek.training import demo, seed
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
        assert languages and all({"ru", "en", "kk"} <= langs for langs in languages.values())
    assert Module.objects.count() == sum(len(c["modules"]) for c in COURSES)
    for question in Question.objects.prefetch_related("choices"):
        assert {"ru", "en", "kk"} <= set(question.texts)
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


def test_it_adds_a_new_language_to_a_seeded_curriculum_without_touching_edits(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_overlays = seed.SEED_OVERLAYS_DIR
    kazakh = json.loads((real_overlays / "kk.json").read_text(encoding="utf-8"))
    monkeypatch.setattr(seed, "SEED_OVERLAYS_DIR", tmp_path)  # no overlays yet
    seed.load()
    assert not LessonTranslation.objects.filter(language="kk").exists()
    question = Question.objects.order_by("pk").first()
    assert question is not None
    question.texts["ru"] = "Вопрос, исправленный координатором"
    question.save()

    monkeypatch.setattr(seed, "SEED_OVERLAYS_DIR", real_overlays)
    seed.load()
    seed.load()
    question.refresh_from_db()
    assert question.texts["ru"] == "Вопрос, исправленный координатором"
    assert question.texts["kk"] == kazakh[question.texts["en"]]
    assert all(c.feedback.get("kk") for c in question.choices.all())
    lesson = LessonTranslation.objects.get(language="en", title="The child is a victim first")
    assert LessonTranslation.objects.filter(lesson=lesson.lesson, language="kk").count() == 1

    # A case manager reading in Kazakh sees the lesson in Kazakh.
    client = logged_in_client(world.staff(Role.CASE_MANAGER))
    client.cookies["tirek_language"] = "kk"
    html = client.get(f"/training/lessons/{lesson.lesson_id}/").content.decode()
    assert kazakh["The child is a victim first"] in html
    assert "The child is a victim first" not in html and "Ребёнок прежде всего жертва" not in html
