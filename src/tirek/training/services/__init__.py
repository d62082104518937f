"""Writes for training: one function per use case, transactional, audited. The writes live
in the modules of this package by area; this module names them all."""

from __future__ import annotations

from .certificates import (
    attendance_percent,
    certificate_blockers,
    certificate_issue_for_elearning,
    certificate_issue_for_participant,
    certificate_revoke,
)
from .common import add_months
from .curriculum import (
    ASSET_TYPES,
    VIDEO_MAX_BYTES,
    ChoiceSpec,
    asset_add,
    course_create,
    course_publish,
    course_translation_save,
    lesson_create,
    lesson_translation_save,
    module_create,
    question_add,
    quiz_create,
)
from .elearning import (
    QuestionResult,
    QuizResult,
    enrolment_start,
    lesson_complete,
    quiz_score,
    quiz_submit,
)
from .events import (
    AUDIENCE_BY_ROLE,
    EVENT_FIELDS,
    attendance_set,
    event_create,
    event_update,
    participant_add,
    participant_for_user,
    participant_remove,
    scores_set,
    trainer_assign,
    trainer_remove,
    valid_trainer_certificate,
)

__all__ = [
    "ASSET_TYPES",
    "AUDIENCE_BY_ROLE",
    "ChoiceSpec",
    "EVENT_FIELDS",
    "QuestionResult",
    "QuizResult",
    "VIDEO_MAX_BYTES",
    "add_months",
    "asset_add",
    "attendance_percent",
    "attendance_set",
    "certificate_blockers",
    "certificate_issue_for_elearning",
    "certificate_issue_for_participant",
    "certificate_revoke",
    "course_create",
    "course_publish",
    "course_translation_save",
    "enrolment_start",
    "event_create",
    "event_update",
    "lesson_complete",
    "lesson_create",
    "lesson_translation_save",
    "module_create",
    "participant_add",
    "participant_for_user",
    "participant_remove",
    "question_add",
    "quiz_create",
    "quiz_score",
    "quiz_submit",
    "scores_set",
    "trainer_assign",
    "trainer_remove",
    "valid_trainer_certificate",
]
