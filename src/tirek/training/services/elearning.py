"""E-learning: enrolment, lesson progress, quiz scoring and submission."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tirek.accounts.models import User
from tirek.core.exceptions import Refused

from ..models import Choice, Course, Enrolment, Lesson, LessonProgress, Question, Quiz, QuizAttempt


@transaction.atomic
def enrolment_start(*, user: User, course: Course) -> Enrolment:
    if not course.is_published:
        raise Refused(_("This course is not open for learning yet."))
    enrolment, _created = Enrolment.objects.get_or_create(user=user, course=course)
    return enrolment


@transaction.atomic
def lesson_complete(*, user: User, lesson: Lesson) -> LessonProgress:
    """Mark a lesson done. A lesson with a quiz is done only when its quiz is passed."""
    course = lesson.module.course
    enrolment = enrolment_start(user=user, course=course)
    quiz = Quiz.objects.filter(lesson=lesson).first()
    if quiz and not QuizAttempt.objects.filter(user=user, quiz=quiz, passed=True).exists():
        raise Refused(_("Pass the quiz of this lesson first."))
    progress, _created = LessonProgress.objects.get_or_create(user=user, lesson=lesson)
    Enrolment.objects.filter(pk=enrolment.pk).update(last_lesson=lesson)
    _check_completion(user=user, course=course)
    return progress


@dataclass
class QuestionResult:
    question: Question
    chosen: list[Choice]
    correct: bool
    choices: list[Choice] = field(default_factory=list)


@dataclass
class QuizResult:
    score: Decimal
    passed: bool
    questions: list[QuestionResult]

    @property
    def correct_count(self) -> int:
        return sum(1 for q in self.questions if q.correct)


def quiz_score(quiz: Quiz, answers: dict[int, list[int]]) -> QuizResult:
    """One point per question answered exactly right (for multiple choice: exactly the
    set of correct answers); the score is the share of points in percent, one decimal."""
    questions = list(quiz.questions.prefetch_related("choices"))
    results: list[QuestionResult] = []
    for question in questions:
        choices = list(question.choices.all())
        chosen_ids = set(answers.get(question.pk, []))
        chosen = [c for c in choices if c.pk in chosen_ids]
        correct_ids = {c.pk for c in choices if c.is_correct}
        valid = question.kind == Question.Kind.MULTIPLE or len(chosen) <= 1
        results.append(
            QuestionResult(
                question=question,
                chosen=chosen,
                correct=valid and {c.pk for c in chosen} == correct_ids,
                choices=choices,
            )
        )
    total = len(results)
    points = sum(1 for r in results if r.correct)
    score = (
        (Decimal(points) * 100 / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if total
        else Decimal("0.0")
    )
    return QuizResult(score=score, passed=total > 0 and score >= quiz.pass_mark, questions=results)


@transaction.atomic
def quiz_submit(
    *, user: User, quiz: Quiz, answers: dict[int, list[int]]
) -> tuple[QuizAttempt, QuizResult]:
    enrolment_start(user=user, course=quiz.course)
    if quiz.kind == Quiz.Kind.FINAL:
        lessons = Lesson.objects.filter(module__course=quiz.course)
        if LessonProgress.objects.filter(user=user, lesson__in=lessons).count() < lessons.count():
            raise Refused(_("The final test opens when every lesson is done."))
    known = {
        q.pk: {c.pk for c in q.choices.all()} for q in quiz.questions.prefetch_related("choices")
    }
    errors = []
    for qid, chosen in answers.items():
        if qid not in known or not set(chosen) <= known[qid]:
            errors.append(_("An answer does not belong to this quiz."))
    unanswered = [qid for qid in known if not answers.get(qid)]
    if unanswered:
        errors.append(_("Answer every question (%(count)d left).") % {"count": len(unanswered)})
    if errors:
        raise ValidationError({"answers": errors})
    result = quiz_score(quiz, answers)
    attempt = QuizAttempt.objects.create(
        user=user,
        quiz=quiz,
        score=result.score,
        passed=result.passed,
        answers={str(k): sorted(v) for k, v in answers.items()},
    )
    if result.passed and quiz.lesson is not None:
        lesson_complete(user=user, lesson=quiz.lesson)
    elif result.passed and quiz.kind == Quiz.Kind.FINAL:
        _check_completion(user=user, course=quiz.course)
    return attempt, result


def _check_completion(*, user: User, course: Course) -> bool:
    lessons = Lesson.objects.filter(module__course=course)
    done = LessonProgress.objects.filter(user=user, lesson__in=lessons).count()
    if done < lessons.count():
        return False
    final = Quiz.objects.filter(course=course, kind=Quiz.Kind.FINAL).first()
    if final and not QuizAttempt.objects.filter(user=user, quiz=final, passed=True).exists():
        return False
    Enrolment.objects.filter(user=user, course=course, completed_at__isnull=True).update(
        completed_at=timezone.now()
    )
    return True
