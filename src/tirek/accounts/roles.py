"""The roles of DESIGN.md section 2. Access rules live in ``tirek.access``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CASE_MANAGER = "case-manager", _("Case manager")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    SOCIAL_WORKER = "social-worker", _("Social worker")
    LAWYER = "lawyer", _("Lawyer / legal aid")
    SCHOOL_LIAISON = "school-liaison", _("School liaison")
    HEALTH_WORKER = "health-worker", _("Health worker")
    INTERVIEWER = "interviewer", _("Interviewer")
    RELIGIOUS_COUNSELLOR = "religious-counsellor", _("Religious counsellor")
    PROBATION_OFFICER = "probation-officer", _("Probation officer")
    PRISON_SOCIAL_WORKER = "prison-social-worker", _("Prison/centre social worker")
    SUPERVISOR = "supervisor", _("Supervisor")
    # Uzbekistan's mahalla, Kazakhstan's akimat social worker: works with a family (issue 16).
    COMMUNITY_WORKER = "community-worker", _("Community worker")
    DPO = "dpo", _("Data protection officer")
    ME_ANALYST = "me-analyst", _("M&E analyst")
    TRAINING_COORDINATOR = "training-coordinator", _("Training coordinator")
    TRAINER = "trainer", _("Trainer")
    ADMIN = "admin", _("System administrator")


# Roles that work on cases (and so may be put on a case team).
CASEWORK_ROLES = frozenset(
    {
        Role.CASE_MANAGER,
        Role.PSYCHOLOGIST,
        Role.SOCIAL_WORKER,
        Role.LAWYER,
        Role.SCHOOL_LIAISON,
        Role.HEALTH_WORKER,
        Role.INTERVIEWER,
        Role.RELIGIOUS_COUNSELLOR,
        Role.PROBATION_OFFICER,
        Role.PRISON_SOCIAL_WORKER,
        Role.SUPERVISOR,
        Role.COMMUNITY_WORKER,
    }
)
# Roles that register people (and so may run the duplicate check).
REGISTERING_ROLES = frozenset({Role.CASE_MANAGER, Role.SOCIAL_WORKER, Role.SUPERVISOR})
