from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tirek.accounts.roles import Role
from tirek.core.exceptions import Refused
from tirek.testing import World, logged_in_client
from tirek.training import richtext, services
from tirek.training.models import Enrolment, LessonProgress, QuizAttempt

from .factories import lessons, quiz_of, right_answers, short_course


def test_it_keeps_a_learners_progress_after_logout(world: World) -> None:
    learner = world.staff(Role.SOCIAL_WORKER)
    course = short_course()
    first = lessons(course)[0]
    client = logged_in_client(learner)
    response = client.post(f"/training/lessons/{first.pk}/")
    assert response.status_code == 302
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get(f"/training/courses/{course.pk}/").status_code == 302  # signed out

    fresh = logged_in_client(learner)
    page = fresh.get(f"/training/courses/{course.pk}/").content.decode()
    assert 'value="1" max="2"' in page  # the <progress> bar: 1 of 2 lessons
    assert "1 из 2 уроков (50%)" in page
    assert LessonProgress.objects.filter(user=learner, lesson=first).exists()


def test_it_scores_a_quiz_as_computed_by_hand(world: World) -> None:
    learner = world.staff(Role.PSYCHOLOGIST)
    quiz = quiz_of(short_course())
    single, multi = list(quiz.questions.all())
    right_single = [c.pk for c in single.choices.all() if c.is_correct]
    first_multi = [multi.choices.order_by("order").first().pk]
    # Single right (1 point); multiple only half chosen (0 points): 1 of 2 → 50.0 %, pass mark 50.
    _attempt, result = services.quiz_submit(
        user=learner, quiz=quiz, answers={single.pk: right_single, multi.pk: first_multi}
    )
    assert result.score == Decimal("50.0")
    assert result.passed is True
    # Both wrong: 0 %; not passed.
    wrong_single = [c.pk for c in single.choices.all() if not c.is_correct]
    all_multi = [c.pk for c in multi.choices.all()]
    attempt, result = services.quiz_submit(
        user=learner, quiz=quiz, answers={single.pk: wrong_single, multi.pk: all_multi}
    )
    assert (attempt.score, attempt.passed) == (Decimal("0.0"), False)
    # Everything right: 100 %.
    _attempt, result = services.quiz_submit(user=learner, quiz=quiz, answers=right_answers(quiz))
    assert result.score == Decimal("100.0")


def test_it_shows_feedback_for_each_chosen_answer(world: World) -> None:
    learner = world.staff(Role.PSYCHOLOGIST)
    quiz = quiz_of(short_course())
    single, multi = list(quiz.questions.all())
    wrong = single.choices.get(is_correct=False)
    client = logged_in_client(learner)
    response = client.post(
        f"/training/quizzes/{quiz.pk}/",
        {
            f"q{single.pk}": wrong.pk,
            f"q{multi.pk}": [c.pk for c in multi.choices.filter(is_correct=True)],
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Нет, подумайте ещё." in body
    assert "50,0%" in body  # Russian decimal comma


def test_it_completes_a_quiz_lesson_only_when_the_quiz_is_passed(world: World) -> None:
    learner = world.staff(Role.PSYCHOLOGIST)
    course = short_course()
    quizzed = lessons(course)[1]
    with pytest.raises(Refused):
        services.lesson_complete(user=learner, lesson=quizzed)
    quiz = quiz_of(course)
    wrong = {
        q.pk: [c.pk for c in q.choices.all() if not c.is_correct] for q in quiz.questions.all()
    }
    services.quiz_submit(user=learner, quiz=quiz, answers=wrong)
    assert not LessonProgress.objects.filter(user=learner, lesson=quizzed).exists()
    services.quiz_submit(user=learner, quiz=quiz, answers=right_answers(quiz))
    assert LessonProgress.objects.filter(user=learner, lesson=quizzed).exists()


def test_it_refuses_incomplete_or_foreign_answers_without_saving(world: World) -> None:
    learner = world.staff(Role.PSYCHOLOGIST)
    quiz = quiz_of(short_course())
    other = quiz_of(short_course(code="other"))
    single = quiz.questions.first()
    client = logged_in_client(learner)
    response = client.post(f"/training/quizzes/{quiz.pk}/", {f"q{single.pk}": "999999"})
    assert response.status_code == 422
    response = client.post(f"/training/quizzes/{quiz.pk}/", {f"q{single.pk}": "not-a-number\x00"})
    assert response.status_code == 422
    with pytest.raises(ValidationError):
        services.quiz_submit(user=learner, quiz=quiz, answers=right_answers(other))
    assert not QuizAttempt.objects.filter(user=learner).exists()


def test_it_hides_unpublished_courses_from_learners(world: World) -> None:
    learner = world.staff(Role.CASE_MANAGER)
    course = short_course(published=False)
    client = logged_in_client(learner)
    assert client.get(f"/training/courses/{course.pk}/").status_code == 404
    assert client.get(f"/training/lessons/{lessons(course)[0].pk}/").status_code == 404
    assert "Короткий курс" not in client.get("/training/").content.decode()


def test_it_issues_an_elearning_certificate_only_after_completion(world: World) -> None:
    learner = world.staff(Role.INTERVIEWER)
    course = short_course()
    with pytest.raises(Refused):
        services.certificate_issue_for_elearning(user=learner, course=course)
    client = logged_in_client(learner)
    assert client.post(f"/training/courses/{course.pk}/certificate/").status_code == 302
    assert not learner.training_certificates.exists()
    first, _quizzed = lessons(course)
    services.lesson_complete(user=learner, lesson=first)
    services.quiz_submit(user=learner, quiz=quiz_of(course), answers=right_answers(quiz_of(course)))
    assert Enrolment.objects.get(user=learner, course=course).completed_at is not None
    client.post(f"/training/courses/{course.pk}/certificate/")
    certificate = learner.training_certificates.get()
    assert certificate.course == course
    # Asking again gives the same certificate, not a second one.
    client.post(f"/training/courses/{course.pk}/certificate/")
    assert learner.training_certificates.count() == 1


def test_it_renders_lesson_text_without_scripts() -> None:
    html = richtext.render(
        "# Title\n<script>alert(1)</script>\n\n- [ok](https://example.org)\n"
        '- [bad](javascript:alert(1))\n- **bold** and *it*\n\n![x](asset:5) "<img onerror=x>"'
    )
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert 'href="https://example.org"' in html
    assert "javascript:" not in html.replace("&lt;", "")
    assert "<strong>bold</strong>" in html and "<em>it</em>" in html
    assert "<img onerror" not in html
    assert "<h2>Title</h2>" in html


def test_it_shows_a_lesson_in_english_and_falls_back_to_russian(world: World) -> None:
    learner = world.staff(Role.CASE_MANAGER)
    course = short_course()
    client = logged_in_client(learner)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/training/courses/{course.pk}/").content.decode()
    assert "Short course" in page
    assert "Модуль 1" in page  # no English module title: Russian is shown


def test_it_sends_anonymous_visitors_to_sign_in(db: None) -> None:
    assert Client().get("/training/").status_code == 302


def test_it_opens_the_final_test_only_after_every_lesson(world: World) -> None:
    from tirek.training.models import Quiz

    learner = world.staff(Role.CASE_MANAGER)
    course = short_course()
    final = Quiz.objects.create(course=course, kind=Quiz.Kind.FINAL, pass_mark=50)
    with pytest.raises(Refused):
        services.quiz_submit(user=learner, quiz=final, answers={})
    response = logged_in_client(learner).post(f"/training/quizzes/{final.pk}/", {})
    assert response.status_code == 302
    assert not QuizAttempt.objects.filter(user=learner).exists()


def test_it_shows_unfinished_courses_on_my_work(world: World) -> None:
    learner = world.staff(Role.SOCIAL_WORKER)
    course = short_course()
    client = logged_in_client(learner)
    client.post(f"/training/lessons/{lessons(course)[0].pk}/")
    home = client.get("/").content.decode()
    assert "Мои курсы" in home and "Короткий курс" in home and "<progress" in home


def test_my_work_shows_the_five_courses_started_last_and_not_the_finished_ones(
    world: World,
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from tirek.audit.models import Action, AuditEntry

    learner = world.staff(Role.SOCIAL_WORKER)
    start = timezone.now() - timedelta(days=30)
    for n in range(8):
        course = short_course(code=f"c{n}")
        course.translations.filter(language="ru").update(title=f"Курс номер {n}")
        Enrolment.objects.create(
            user=learner,
            course=course,
            started_at=start + timedelta(days=n),
            completed_at=timezone.now() if n == 7 else None,  # the newest, finished
        )
    home = logged_in_client(learner).get("/").content.decode()
    shown = sorted(n for n in range(8) if f"Курс номер {n}<" in home)
    assert shown == [2, 3, 4, 5, 6]
    assert home.index("Курс номер 6") < home.index("Курс номер 2")  # newest first
    # Their own courses are not someone's personal data: the page records no read.
    assert not AuditEntry.objects.filter(actor=learner, action=Action.READ).exists()


def test_it_shows_the_learners_knowledge_gain_on_the_course(world: World) -> None:
    from tirek.training.models import Question, Quiz

    learner = world.staff(Role.CASE_MANAGER)
    course = short_course()
    pre = Quiz.objects.create(course=course, kind=Quiz.Kind.PRE, pass_mark=0)
    final = Quiz.objects.create(course=course, kind=Quiz.Kind.FINAL, pass_mark=50)
    for quiz in (pre, final):
        for order in (1, 2):
            question = Question.objects.create(quiz=quiz, order=order, texts={"ru": f"В{order}"})
            question.choices.create(order=1, is_correct=True, texts={"ru": "да"})
            question.choices.create(order=2, texts={"ru": "нет"})
    wrong = {q.pk: [q.choices.get(is_correct=False).pk] for q in pre.questions.all()}
    services.quiz_submit(user=learner, quiz=pre, answers=wrong)  # 0 %
    first, quizzed = lessons(course)
    services.lesson_complete(user=learner, lesson=first)
    services.quiz_submit(user=learner, quiz=quiz_of(course), answers=right_answers(quiz_of(course)))
    services.quiz_submit(user=learner, quiz=final, answers=right_answers(final))  # 100 %
    page = logged_in_client(learner).get(f"/training/courses/{course.pk}/").content.decode()
    assert "прирост знаний от входного к итоговому тесту: 100,0 баллов" in page


HOSTILE_LINKS = [
    "/\\evil.example/x",
    "\\\\evil.example/x",
    "//evil.example/x",
    "\\/evil.example/x",
    "/\\/evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "evil.example/x",
    "https://bank.example@evil.example/",
    "https:",
    "https:///x",
    "http://evil.example\x00.org/",
    "\x01javascript:alert(1)",
    "mailto:someone@evil.example",
]


@pytest.mark.parametrize("href", HOSTILE_LINKS)
def test_a_lesson_link_cannot_leave_the_site_by_a_trick(href: str) -> None:
    html = richtext.render(f"[x]({href})")
    assert "<a " not in html, html


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("/training/courses/", "/training/courses/"),
        ("/", "/"),
        ("https://example.org/a?b=1#c", "https://example.org/a?b=1#c"),
        ("HTTP://example.org", "http://example.org"),
        ("https:\\\\example.org\\x", "https://example.org/x"),
    ],
)
def test_safe_lesson_links_are_kept_as_the_browser_reads_them(href: str, expected: str) -> None:
    assert f'href="{expected}"' in richtext.render(f"[x]({href})")
