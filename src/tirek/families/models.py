"""The family as a unit of work (issue 16): who belongs to it (people stay in
``tirek.people``: a member is a ``Person``), the household and guardianship, and the
family plan — goals that belong to the family, linked to goals of members' individual
plans, with tasks owned by a person and approved like an individual plan.

Nobody reads a family through these tables directly: ``selectors.get_family`` asks the
access policy about each member's case."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tirek.core.fields import user_fk
from tirek.core.models import CreatedByModel, VersionedModel
from tirek.core.validation import reject_control_chars
from tirek.plans.models import (
    AbstractPlanDecision,
    AbstractPlanVersion,
    GoalStatus,
    PlanStatus,
)

TEXT = [reject_control_chars]


class Family(CreatedByModel, VersionedModel):
    label = models.CharField(
        _("family"),
        max_length=200,
        validators=TEXT,
        help_text=_("A household label, not a child's name (e.g. 'Family of case KZ-…')."),
    )
    household = models.ForeignKey(
        "people.Household",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("household"),
    )
    guardianship = models.CharField(
        _("guardianship arrangements"), max_length=1000, blank=True, validators=TEXT
    )
    shared_goals = models.CharField(
        _("the family's shared goals"),
        max_length=2000,
        blank=True,
        validators=TEXT,
        help_text=_("What the family wants together, in their words (e.g. to live together)."),
    )

    class Meta:
        verbose_name = _("family")
        verbose_name_plural = _("families")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.label


class MemberRole(models.TextChoices):
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    CHILD = "child", _("Child")
    GRANDPARENT = "grandparent", _("Grandparent")
    CARER = "carer", _("Other carer")
    RELATIVE = "relative", _("Other relative")


ADULT_ROLES = frozenset({MemberRole.MOTHER, MemberRole.FATHER, MemberRole.GRANDPARENT})


class FamilyMember(models.Model):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="family_memberships"
    )
    role = models.CharField(_("place in the family"), max_length=16, choices=MemberRole.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("family member")
        verbose_name_plural = _("family members")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["family", "person"], name="family_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.family_id}:{self.person_id}"


class FamilyPlan(VersionedModel):
    """The family plan: drafted by a case manager of a member's case, submitted, approved
    by a supervisor of a member case's unit who did not submit it (as an individual plan)."""

    family = models.OneToOneField(Family, on_delete=models.CASCADE, related_name="plan")
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    submitted_by = user_fk(null=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = user_fk(null=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=2000, blank=True, validators=TEXT)

    class Meta:
        verbose_name = _("family plan")
        verbose_name_plural = _("family plans")

    def __str__(self) -> str:
        return f"family plan of {self.family_id}"


class GoalArea(models.TextChoices):
    HOUSING = "housing", _("Housing")
    INCOME = "income", _("Income and employment")
    PARENTING = "parenting", _("Parenting")
    CONTACT = "contact", _("Contact between the mother and the children")
    EDUCATION = "education", _("Schooling")
    HEALTH = "health", _("Health")
    COMMUNITY = "community", _("Life in the community")
    OTHER = "other", pgettext_lazy("goal area", "Other")


class FamilyGoal(models.Model):
    plan = models.ForeignKey(FamilyPlan, on_delete=models.CASCADE, related_name="goals")
    area = models.CharField(_("area"), max_length=16, choices=GoalArea.choices)
    title = models.CharField(_("goal"), max_length=300, validators=TEXT)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=GoalStatus.choices, default=GoalStatus.PLANNED
    )
    linked_goals = models.ManyToManyField(
        "plans.Goal", blank=True, related_name="family_goals", verbose_name=_("members' goals")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("family goal")
        verbose_name_plural = _("family goals")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class FamilyTask(CreatedByModel):
    goal = models.ForeignKey(FamilyGoal, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=300, validators=TEXT)
    owner = user_fk(_("owner"), related_name="family_tasks")
    due_date = models.DateField(_("due"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("family task")
        verbose_name_plural = _("family tasks")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["owner", "done_at"], name="family_task_owner_idx")]

    def __str__(self) -> str:
        return self.title


class FamilyConference(models.Model):
    """A case conference held for the family: the conference (``tirek.conferences``)
    names the family here, so that app stays unchanged."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="conferences")
    conference = models.OneToOneField(
        "conferences.Conference", on_delete=models.CASCADE, related_name="family_link"
    )

    class Meta:
        verbose_name = _("family conference")
        verbose_name_plural = _("family conferences")

    def __str__(self) -> str:
        return f"{self.family_id}:{self.conference_id}"


class FamilyPlanVersion(AbstractPlanVersion):
    """An approved family plan, frozen as ``plans.PlanVersion`` freezes an individual
    plan: what was agreed (goals, their links and tasks), submitted and approved by whom."""

    plan = models.ForeignKey(FamilyPlan, on_delete=models.CASCADE, related_name="versions")

    class Meta(AbstractPlanVersion.Meta):
        verbose_name = _("family plan version")
        verbose_name_plural = _("family plan versions")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="family_plan_version_unique")
        ]


class FamilyPlanDecision(AbstractPlanDecision):
    """The family plan's approval history (the decisions of ``plans.Decision``)."""

    plan = models.ForeignKey(FamilyPlan, on_delete=models.CASCADE, related_name="decisions")

    class Meta(AbstractPlanDecision.Meta):
        verbose_name = _("family plan decision")
        verbose_name_plural = _("family plan decisions")
