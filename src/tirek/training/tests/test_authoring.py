from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tirek.accounts.roles import Role
from tirek.testing import World, logged_in_client
from tirek.training.models import Course, LessonAsset, Question

from .factories import lessons, short_course


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_it_lets_a_coordinator_build_a_course_step_by_step(world: World) -> None:
    client = logged_in_client(world.staff(Role.TRAINING_COORDINATOR))
    response = client.post(
        "/training/manage/courses/new/",
        {
            "code": "stigma-basics",
            "language": "ru",
            "title": "Основы: стигма",
            "competency": "stigma",
            "validity_months": 24,
            "pass_mark": 80,
            "topics": ["stigma"],
            "audiences": ["teachers"],
        },
    )
    course = Course.objects.get(code="stigma-basics")
    assert response.status_code == 302 and course.competency == "stigma"
    manage = f"/training/manage/courses/{course.pk}/"
    client.post(manage, {"action": "module", "language": "ru", "title": "Что такое стигма"})
    module = course.modules.get()
    response = client.post(
        manage, {"action": "lesson", "module": module.pk, "language": "ru", "title": "Ярлыки"}
    )
    lesson = module.lessons.get()
    assert response.status_code == 302
    client.post(
        f"/training/manage/lessons/{lesson.pk}/",
        {"action": "text", "language": "en", "title": "Labels", "body": "Words **hurt**."},
    )
    assert set(lesson.translations.values_list("language", flat=True)) == {"ru", "en"}
    client.post(manage, {"action": "translation", "language": "en", "title": "Basics: stigma"})
    client.post(manage, {"action": "publish", "published": "1"})
    course.refresh_from_db()
    assert course.is_published and course.title_in("en") == "Basics: stigma"

    quiz_page = client.post(
        f"/training/manage/courses/{course.pk}/quiz/", {"kind": "lesson", "lesson": lesson.pk}
    )
    quiz_url = quiz_page["Location"]
    bad = client.post(
        quiz_url,
        {"language": "ru", "kind": "single", "text": "Вопрос", "choice_1": "А", "choice_2": "Б"},
    )
    assert bad.status_code == 422  # no correct answer marked
    good = client.post(
        quiz_url,
        {
            "language": "ru",
            "kind": "single",
            "text": "Вопрос",
            "choice_1": "А",
            "correct_1": "on",
            "feedback_1": "Да",
            "choice_2": "Б",
        },
    )
    assert good.status_code == 302
    assert Question.objects.get().choices.filter(is_correct=True).count() == 1


def test_it_refuses_a_duplicate_code_and_bad_text(world: World) -> None:
    client = logged_in_client(world.staff(Role.TRAINING_COORDINATOR))
    short_course(code="taken")
    base = {"code": "taken", "language": "ru", "title": "Т", "validity_months": 36, "pass_mark": 70}
    assert client.post("/training/manage/courses/new/", base).status_code == 422
    assert (
        client.post(
            "/training/manage/courses/new/", {**base, "code": "ok", "title": "a\x00"}
        ).status_code
        == 422
    )
    assert (
        client.post(
            "/training/manage/courses/new/", {**base, "code": "ok", "pass_mark": 101}
        ).status_code
        == 422
    )
    assert Course.objects.count() == 1


@pytest.mark.parametrize("role", [Role.TRAINER, Role.CASE_MANAGER, Role.ADMIN])
def test_it_keeps_course_editing_to_coordinators(world: World, role: str) -> None:
    course = short_course()
    client = logged_in_client(world.staff(role))
    for url in (
        "/training/manage/",
        "/training/manage/courses/new/",
        f"/training/manage/courses/{course.pk}/",
        f"/training/manage/lessons/{lessons(course)[0].pk}/",
        "/training/reports/",
    ):
        assert client.get(url).status_code == 403, url


def test_it_serves_lesson_images_and_refuses_other_files(
    world: World,
    settings,
    tmp_path,
) -> None:
    settings.MEDIA_ROOT = tmp_path  # uploads stay out of the working tree
    coordinator = world.staff(Role.TRAINING_COORDINATOR)
    course = short_course()
    lesson = lessons(course)[0]
    client = logged_in_client(coordinator)
    url = f"/training/manage/lessons/{lesson.pk}/"
    rejected = client.post(
        url,
        {
            "action": "asset",
            "kind": "image",
            "title": "Скрипт",
            "file": SimpleUploadedFile("x.html", b"<script>"),
        },
    )
    assert rejected.status_code == 422
    client.post(
        url,
        {
            "action": "asset",
            "kind": "image",
            "title": "Схема",
            "file": SimpleUploadedFile("scheme.png", _png()),
        },
    )
    asset = LessonAsset.objects.get()
    client.post(
        url,
        {
            "action": "text",
            "language": "ru",
            "title": "Введение",
            "body": f"![Схема](asset:{asset.pk})",
        },
    )
    learner = logged_in_client(world.staff(Role.SOCIAL_WORKER))
    page = learner.get(f"/training/lessons/{lesson.pk}/").content.decode()
    assert f'<img src="/training/assets/{asset.pk}/" alt="Схема">' in page
    image = learner.get(f"/training/assets/{asset.pk}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert learner.get("/training/assets/999999/").status_code == 404


def test_it_reports_people_trained_and_exports_safely(world: World) -> None:
    from tirek.training import services

    from .factories import attend, event

    coordinator = world.staff(Role.TRAINING_COORDINATOR)
    ev = event(coordinator, short_course())
    for name, sex in (("=Анна", "female"), ("Борис", "male"), ("Вера", "female")):
        p = services.participant_add(
            by=coordinator, event=ev, full_name=name, sex=sex, region=world.karaganda
        )
        attend(coordinator, p, days=5, post=90 if name != "Борис" else 10)
        if name != "Борис":
            services.certificate_issue_for_participant(by=coordinator, participant=p)
    client = logged_in_client(coordinator)
    page = client.get("/training/reports/").content.decode()
    assert "Женский" in page and "Карагандинская область" in page
    assert "2 / 3" in page  # post-test passed / taken
    csv_body = client.get("/training/reports/?format=csv").content.decode("utf-8-sig")
    assert "Женский,2,2" in csv_body and "Мужской,1,0" in csv_body
    assert client.get("/training/reports/?date_from=2026-13-45&course=abc").status_code == 200
    assert "=Анна" not in csv_body  # no names in the report at all
