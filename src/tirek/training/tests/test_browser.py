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
) -> None:  # type: ignore[no-untyped-def]
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


def test_it_shows_a_coordinator_the_cascade_tree(browser_page, login_in_browser) -> None:  # type: ignore[no-untyped-def]
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
