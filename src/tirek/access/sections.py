"""The sections of a case, by sensitivity. Kept free of model imports so models of any
app (notes, assessments, interviews) can name the section they belong to;
``tirek.access.policy`` re-exports ``Section``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class Section:
    CORE = "core"  # case number, status, phase, name, date of birth
    RETURN_HISTORY = "return_history"  # origin, return, related persons (protected identity)
    FAMILY = "family"  # relatives, guardianship, household
    PLAN = "plan"  # assessments summary, risk level and the individual plan
    PSYCHOLOGICAL = "psychological"
    SOCIAL = "social"
    LEGAL = "legal"
    EDUCATION = "education"
    HEALTH = "health"
    COUNSELLING = "counselling"
    SECURITY = "security"  # law-enforcement and court information, interview records
    INCIDENTS = "incidents"  # stigma and discrimination incidents (tirek.incidents)

    LABELS: dict[str, Any] = {
        CORE: _("Basic information"),
        RETURN_HISTORY: _("Return history and origin"),
        FAMILY: _("Family and care"),
        PLAN: _("Assessments and plan"),
        PSYCHOLOGICAL: _("Psychological notes"),
        SOCIAL: _("Social work"),
        LEGAL: _("Legal status and documents"),
        EDUCATION: _("Education"),
        HEALTH: _("Health"),
        COUNSELLING: _("Religious counselling"),
        SECURITY: _("Law enforcement and court"),
        INCIDENTS: _("Stigma and discrimination incidents"),
    }
    ALL = frozenset(LABELS)

    @classmethod
    def choices(cls) -> list[tuple[str, Any]]:
        return list(cls.LABELS.items())
