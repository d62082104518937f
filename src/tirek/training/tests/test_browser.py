from __future__ import annotations

from pathlib import Path

import pytest

from tirek.accounts.roles import Role
from tirek.testing import build_world
from tirek.training import services
from tirek.training.models import Certificate

from .factories import attend, event, short_course

pytestmark = pytest.mark.e2e


def test_it_lets_a_learner_finish_a_module_with_a_quiz_and_download_the_certificate(
    browser_page, login_in_browser
) -> None:
    page = browser_page
    learner = build_world().staff(Role.INTERVIEWER)
    course = short_course()
    login_in_browser(page, learner)

    page.goto("/training/")
    page.get_by_role("link", name="Короткий курс").click()
    page.get_by_role("link", name="Введение").click()
    page.get_by_test_id("complete-lesson").click()
    # The next lesson has the quiz.
    assert page.locator("h1").inner_text() == "Проверка"
    page.get_by_test_id("take-quiz").click()
    page.get_by_label("Верно", exact=True).check()
    page.get_by_label("Первый", exact=True).check()
    page.get_by_label("Второй", exact=True).check()
    page.get_by_test_id("submit-quiz").click()
    assert "100,0%" in page.get_by_test_id("quiz-result").inner_text()
    assert "Да, верно." in page.content()  # feedback on the chosen answer

    page.goto(f"/training/courses/{course.pk}/")
    assert page.locator("progress").get_attribute("value") == "2"
    page.get_by_role("button", name="Получить сертификат").click()
    with page.expect_download() as download_info:
        page.get_by_test_id("certificate-pdf").first.click()
    data = Path(download_info.value.path()).read_bytes()
    code = Certificate.objects.get(user=learner).code
    assert data.startswith(b"%PDF")
    assert code.encode() in data

    page.context.clear_cookies()
    page.goto(f"/verify/{code}/")
    assert page.get_by_test_id("verify-status").inner_text() == "Действителен"


def test_it_shows_a_coordinator_the_cascade_tree(browser_page, login_in_browser) -> None:
    page = browser_page
    world = build_world()
    coordinator = world.staff(Role.TRAINING_COORDINATOR)
    trainer = world.staff(Role.TRAINER, username="trainer-cascade")
    course = short_course()
    tot = event(coordinator, course, title="ТОТ первого поколения")
    services.trainer_assign(
        by=coordinator, event=tot, external_name="Мастер-тренер Тест", is_master=True
    )
    participant = services.participant_add(by=coordinator, event=tot, user=trainer)
    attend(coordinator, participant, days=5, post=90)
    services.certificate_issue_for_participant(by=coordinator, participant=participant)
    second = event(coordinator, course, title="Семинар второго поколения")
    services.trainer_assign(by=coordinator, event=second, user=trainer)
    services.participant_add(by=coordinator, event=second, full_name="Участник Тест")

    login_in_browser(page, coordinator)
    page.goto("/training/")
    page.get_by_role("link", name="Каскад").click()
    tree = page.get_by_test_id("cascade-tree")
    assert "Мастер-тренер Тест" in tree.inner_text()
    nested = tree.locator("li.cascade-node li.cascade-node")
    assert "trainer-cascade" in nested.first.inner_text()
    assert "Семинар второго поколения" in nested.first.inner_text()


def test_a_passed_final_test_leads_to_the_certificate_and_anyone_can_check_it_by_typing_the_code(
    browser_page, login_in_browser, assert_accessible
) -> None:
    from tirek.training.models import Choice, Question, Quiz

    from .factories import lessons, quiz_of, right_answers

    page = browser_page
    learner = build_world().staff(Role.SOCIAL_WORKER)
    course = short_course()
    final = Quiz.objects.create(course=course, kind=Quiz.Kind.FINAL, pass_mark=50)
    question = Question.objects.create(quiz=final, order=1, texts={"ru": "Итоговый вопрос"})
    Choice.objects.create(question=question, order=1, is_correct=True, texts={"ru": "Правильно"})
    Choice.objects.create(question=question, order=2, texts={"ru": "Ошибочно"})
    text_lesson, quizzed_lesson = lessons(course)
    services.lesson_complete(user=learner, lesson=text_lesson)
    services.quiz_submit(user=learner, quiz=quiz_of(course), answers=right_answers(quiz_of(course)))
    services.lesson_complete(user=learner, lesson=quizzed_lesson)
    login_in_browser(page, learner)

    page.goto(f"/training/quizzes/{final.pk}/")
    page.get_by_label("Правильно", exact=True).check()
    assert_accessible(page)
    page.get_by_test_id("submit-quiz").click()
    assert_accessible(page)
    page.get_by_test_id("get-certificate").click()
    assert_accessible(page)
    code = Certificate.objects.get(user=learner, course=course).code
    assert page.get_by_test_id("certificate-code").first.inner_text().replace("-", "") == code

    page.context.clear_cookies()
    page.goto("/verify/")
    assert_accessible(page)
    page.get_by_label("Код сертификата").fill(f" {code[:4]} {code[4:]} ")
    page.get_by_role("button", name="Проверить").click()
    assert page.get_by_test_id("verify-status").inner_text() == "Действителен"
    page.get_by_label("Код сертификата").fill("AAAA-BBBB-CCCC")
    page.get_by_role("button", name="Проверить").click()
    assert "не найден" in page.get_by_test_id("verify-status").inner_text().lower()
