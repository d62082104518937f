"""Small builders for training tests: a short course, an event with people."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tirek.accounts.models import User
from tirek.training import services
from tirek.training.models import (
    Choice,
    Course,
    CourseTranslation,
    Event,
    Lesson,
    LessonTranslation,
    Module,
    ModuleTranslation,
    Participant,
    Question,
    Quiz,
)


def short_course(
    *, code: str = "short", competency: str = "child-interviewing", published: bool = True
) -> Course:
    """One module: a text lesson, then a lesson with a two-question quiz (pass mark 50%)."""
    course = Course.objects.create(
        code=code, competency=competency, pass_mark=50, is_published=published
    )
    CourseTranslation.objects.create(course=course, language="ru", title="Короткий курс")
    CourseTranslation.objects.create(course=course, language="en", title="Short course")
    module = Module.objects.create(course=course, order=1)
    ModuleTranslation.objects.create(module=module, language="ru", title="Модуль 1")
    text = Lesson.objects.create(module=module, order=1)
    LessonTranslation.objects.create(
        lesson=text, language="ru", title="Введение", body="Текст **урока**."
    )
    quizzed = Lesson.objects.create(module=module, order=2)
    LessonTranslation.objects.create(
        lesson=quizzed, language="ru", title="Проверка", body="Ответьте на вопросы."
    )
    quiz = Quiz.objects.create(course=course, lesson=quizzed, pass_mark=50)
    single = Question.objects.create(quiz=quiz, order=1, texts={"ru": "Один ответ"})
    Choice.objects.create(
        question=single,
        order=1,
        is_correct=True,
        texts={"ru": "Верно"},
        feedback={"ru": "Да, верно."},
    )
    Choice.objects.create(
        question=single, order=2, texts={"ru": "Неверно"}, feedback={"ru": "Нет, подумайте ещё."}
    )
    multi = Question.objects.create(
        quiz=quiz, order=2, kind=Question.Kind.MULTIPLE, texts={"ru": "Несколько ответов"}
    )
    Choice.objects.create(question=multi, order=1, is_correct=True, texts={"ru": "Первый"})
    Choice.objects.create(question=multi, order=2, is_correct=True, texts={"ru": "Второй"})
    Choice.objects.create(question=multi, order=3, texts={"ru": "Лишний"})
    return course


def lessons(course: Course) -> list[Lesson]:
    return list(Lesson.objects.filter(module__course=course).order_by("module__order", "order"))


def quiz_of(course: Course) -> Quiz:
    return Quiz.objects.get(course=course, lesson__isnull=False)


def right_answers(quiz: Quiz) -> dict[int, list[int]]:
    return {q.pk: [c.pk for c in q.choices.all() if c.is_correct] for q in quiz.questions.all()}


def event(
    coordinator: User,
    course: Course,
    *,
    kind: str = Event.Kind.TOT,
    title: str = "Тренинг",
    days: int = 5,
    start: date = date(2026, 3, 2),
) -> Event:
    return services.event_create(
        by=coordinator,
        courses=[course],
        title=title,
        kind=kind,
        mode=Event.Mode.IN_PERSON,
        start_date=start,
        end_date=date.fromordinal(start.toordinal() + days - 1),
    )


def attend(
    coordinator: User, participant: Participant, days: int, post: int | None, pre: int = 40
) -> None:
    event_ = participant.event
    services.attendance_set(
        by=coordinator, event=event_, present={participant.pk: set(event_.days[:days])}
    )
    services.scores_set(
        by=coordinator,
        event=event_,
        scores={participant.pk: (Decimal(pre), None if post is None else Decimal(post))},
    )
