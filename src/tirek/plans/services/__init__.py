"""Writes for plans, reviews, closure and follow-up: one function per use case, each
transactional, each leaving its audit entry in the same transaction. The writes live in
the modules of this package by area; this module names them all."""

from __future__ import annotations

from .closure import (
    case_close,
    case_reopen,
    closure_approve,
    closure_request,
    closure_return,
    open_goals,
)
from .common import GOAL_CONTENT, GOAL_PROGRESS, INTERVENTION_FIELDS, STALE, is_case_manager
from .follow_up import follow_up_record
from .plan import (
    goal_create,
    goal_delete,
    goal_update,
    has_completed_comprehensive,
    intervention_create,
    intervention_delete,
    intervention_update,
    plan_approve,
    plan_return,
    plan_submit,
    snapshot,
    submit_problems,
)
from .reviews import end_of_day, review_create

__all__ = [
    "GOAL_CONTENT",
    "GOAL_PROGRESS",
    "INTERVENTION_FIELDS",
    "STALE",
    "case_close",
    "case_reopen",
    "closure_approve",
    "closure_request",
    "closure_return",
    "end_of_day",
    "follow_up_record",
    "goal_create",
    "goal_delete",
    "goal_update",
    "has_completed_comprehensive",
    "intervention_create",
    "intervention_delete",
    "intervention_update",
    "is_case_manager",
    "open_goals",
    "plan_approve",
    "plan_return",
    "plan_submit",
    "review_create",
    "snapshot",
    "submit_problems",
]
