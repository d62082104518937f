"""Training pages: thin views over services and selectors, in the modules of this package
by area; this module names them all (the URLs and the app's wiring use these names)."""

from __future__ import annotations

from .authoring import (
    certificate_revoke,
    course_create,
    course_manage,
    lesson_edit,
    manage,
    quiz_add,
    quiz_manage,
)
from .learner import (
    asset,
    certificate_pdf,
    course_certificate,
    course_detail,
    lesson_detail,
    my_courses,
    my_work_panel,
    quiz_take,
)
from .organising import (
    attendance,
    certificate_issue,
    event_create,
    event_detail,
    event_edit,
    event_export,
    events,
    participant_add,
    participant_import,
    participant_remove,
    scores,
    trainer_add,
    trainer_remove,
)
from .overview import cascade, needs, report
from .verification import verify, verify_start

__all__ = [
    "asset",
    "attendance",
    "cascade",
    "certificate_issue",
    "certificate_pdf",
    "certificate_revoke",
    "course_certificate",
    "course_create",
    "course_detail",
    "course_manage",
    "event_create",
    "event_detail",
    "event_edit",
    "event_export",
    "events",
    "lesson_detail",
    "lesson_edit",
    "manage",
    "my_courses",
    "my_work_panel",
    "needs",
    "participant_add",
    "participant_import",
    "participant_remove",
    "quiz_add",
    "quiz_manage",
    "quiz_take",
    "report",
    "scores",
    "trainer_add",
    "trainer_remove",
    "verify",
    "verify_start",
]
