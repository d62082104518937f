"""Needs-assessment domains (DESIGN.md section 3) and severity levels.

Instruments name their domains with these codes, so a trend, a plan goal and an
indicator can follow one domain across instruments and versions. An instrument may
also have its own domains (PSC-17's subscales); those show with the instrument's title.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Domain(models.TextChoices):
    SAFETY = "safety", _("Safety and protection")
    PHYSICAL_HEALTH = "physical_health", _("Physical health")
    MENTAL_HEALTH = "mental_health", _("Mental health and psychosocial wellbeing")
    EDUCATION = "education", _("Education and development")
    FAMILY = "family", _("Family and care arrangements")
    LEGAL = "legal", _("Legal status and documents")
    SOCIAL = "social", _("Social relations and stigma")
    BASIC_NEEDS = "basic_needs", _("Basic needs and livelihood")
    # Worded neutrally on purpose: it is about what the person was exposed to and how
    # they see the world now, never a label (DESIGN.md section 1).
    BELIEFS = "beliefs", _("Beliefs and sense of belonging")
    VIEWS = "views", _("Own views and strengths")
    CHILDREN_CARE = "children_care", _("Care of her children")
    COUNSELLING = "counselling", _("Outlook and religious counselling")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    """How much help a domain needs, from the instrument's cut-offs."""

    NONE = "none", pgettext_lazy("level of need", "No need identified")
    LOW = "low", pgettext_lazy("level of need", "Low")
    MODERATE = "moderate", pgettext_lazy("level of need", "Moderate")
    HIGH = "high", pgettext_lazy("level of need", "High")


SEVERITY_RANK = {Severity.NONE: 0, Severity.LOW: 1, Severity.MODERATE: 2, Severity.HIGH: 3}
# Cut-offs in a definition, from the mildest to the most severe.
CUTOFF_ORDER = (Severity.LOW, Severity.MODERATE, Severity.HIGH)
