"""The individual rehabilitation and reintegration plan, its reviews, closure and follow-up."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tirek.assessments.domains import Domain
from tirek.core.fields import encrypted_text, user_fk
from tirek.core.models import CreatedByModel, VersionedModel
from tirek.core.validation import reject_control_chars

TEXT = [reject_control_chars]


class PlanStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("plan status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("plan status", "Submitted for approval")
    APPROVED = "approved", pgettext_lazy("plan status", "Approved")
    RETURNED = "returned", pgettext_lazy("plan status", "Returned for changes")


class Plan(VersionedModel):
    """The one plan of a case, as it is being worked on. Each approval freezes it into a
    ``PlanVersion``; editing an approved plan starts the next revision."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="plan", verbose_name=_("case")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    approved_number = models.PositiveIntegerField(_("approved version"), default=0)
    first_approved_at = models.DateTimeField(_("first approved"), null=True, blank=True)
    last_approved_at = models.DateTimeField(_("last approved"), null=True, blank=True)
    # Set by the last review: when the next one is due (end of the chosen day).
    next_review_due_at = models.DateTimeField(_("next review due"), null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = user_fk(null=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("individual plan")
        verbose_name_plural = _("individual plans")
        indexes = [models.Index(fields=["status"], name="plan_status_idx")]

    def __str__(self) -> str:
        return f"plan of {self.case_id}"


class GoalStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("goal status", "Planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("goal status", "In progress")
    ACHIEVED = "achieved", pgettext_lazy("goal status", "Achieved")
    PARTLY_ACHIEVED = "partly_achieved", pgettext_lazy("goal status", "Partly achieved")
    NOT_ACHIEVED = "not_achieved", pgettext_lazy("goal status", "Not achieved")
    CANCELLED = "cancelled", pgettext_lazy("goal status", "Cancelled")


OPEN_GOAL_STATUSES = (GoalStatus.PLANNED, GoalStatus.IN_PROGRESS)


class Progress(models.IntegerChoices):
    NONE = 0, _("0 — no progress yet")
    STARTED = 1, _("1 — first steps")
    SOME = 2, _("2 — some progress")
    GOOD = 3, _("3 — good progress")
    ACHIEVED = 4, _("4 — achieved")


class ResponsibleModel(models.Model):
    """Names who carries out a goal or an intervention: a staff account, someone without
    one, or both."""

    responsible_user = user_fk(_("responsible person"), null=True)
    # Someone without an account: the mother, a class teacher, a mahalla elder.
    responsible_name = models.CharField(
        _("responsible person (name)"), max_length=200, blank=True, validators=TEXT
    )

    class Meta:
        abstract = True

    @property
    def responsible_label(self) -> str:
        person = (
            self.responsible_user.get_full_name() or self.responsible_user.username
            if self.responsible_user
            else ""
        )
        return ", ".join(p for p in (person, self.responsible_name) if p)


class Goal(ResponsibleModel, VersionedModel):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    domain = models.CharField(_("domain"), max_length=32, choices=Domain.choices)
    title = models.CharField(_("goal"), max_length=300, validators=TEXT)
    indicator = models.CharField(
        _("indicator of success"), max_length=300, blank=True, validators=TEXT
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    responsible_agency = models.ForeignKey(
        "organisations.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible agency"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=GoalStatus.choices, default=GoalStatus.PLANNED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress"), choices=Progress.choices, default=Progress.NONE
    )
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_GOAL_STATUSES


class InterventionStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("intervention status", "Planned")
    ONGOING = "ongoing", pgettext_lazy("intervention status", "Ongoing")
    DONE = "done", pgettext_lazy("intervention status", "Done")
    CANCELLED = "cancelled", pgettext_lazy("intervention status", "Cancelled")


class Intervention(ResponsibleModel, VersionedModel):
    """A service or activity under a goal."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="interventions")
    title = models.CharField(_("intervention or service"), max_length=300, validators=TEXT)
    description = models.CharField(_("details"), max_length=2000, blank=True, validators=TEXT)
    provider = models.ForeignKey(
        "organisations.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("provided by"),
    )
    frequency = models.CharField(_("how often"), max_length=100, blank=True, validators=TEXT)
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=InterventionStatus.choices,
        default=InterventionStatus.PLANNED,
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class AbstractPlanVersion(models.Model):
    """An approved plan, frozen: what was agreed, by whom, when. The family plan
    (``tirek.families``) keeps its versions the same way."""

    number = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("content"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True)
    approved_by = user_fk()
    approved_at = models.DateTimeField(_("approved"))
    comment = models.CharField(_("comment"), max_length=2000, blank=True, validators=TEXT)

    class Meta:
        abstract = True
        ordering = ["plan", "-number"]

    def __str__(self) -> str:
        return f"v{self.number}"


class PlanVersion(AbstractPlanVersion):
    """An approved version of the individual plan."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")

    class Meta(AbstractPlanVersion.Meta):
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique")
        ]


class Decision(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("plan decision", "Submitted for approval")
    APPROVED = "approved", pgettext_lazy("plan decision", "Approved")
    RETURNED = "returned", pgettext_lazy("plan decision", "Returned for changes")


class AbstractPlanDecision(models.Model):
    """A step of a plan's approval history: a submission, an approval or a return, with
    its comment. The family plan (``tirek.families``) keeps its history the same way."""

    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    by = user_fk()
    at = models.DateTimeField(default=timezone.now)
    comment = models.CharField(_("comment"), max_length=2000, blank=True, validators=TEXT)
    version_number = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.decision


class PlanDecision(AbstractPlanDecision):
    """The plan's approval history."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="decisions")

    class Meta(AbstractPlanDecision.Meta):
        verbose_name = _("plan decision")
        verbose_name_plural = _("plan decisions")


class Review(CreatedByModel):
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="reviews", verbose_name=_("case")
    )
    plan_version = models.ForeignKey(
        PlanVersion,
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name=_("plan version reviewed"),
    )
    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews",
        verbose_name=_("re-assessment"),
    )
    held_on = models.DateField(_("date of review"))
    child_views = encrypted_text(_("the child's views"))
    family_views = encrypted_text(_("the family's views"), blank=True)
    decisions = encrypted_text(_("decisions"))
    next_review_on = models.DateField(_("next review"))

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["case", "held_on"], name="review_case_date_idx")]

    def __str__(self) -> str:
        return f"review {self.held_on}"


class GoalProgress(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="progress")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="reviews")
    progress = models.PositiveSmallIntegerField(_("progress"), choices=Progress.choices)
    status = models.CharField(_("status"), max_length=16, choices=GoalStatus.choices)
    comment = models.CharField(_("comment"), max_length=1000, blank=True, validators=TEXT)

    class Meta:
        verbose_name = _("progress on a goal")
        verbose_name_plural = _("progress on goals")
        constraints = [
            models.UniqueConstraint(fields=["review", "goal"], name="goal_progress_unique")
        ]

    def __str__(self) -> str:
        return f"{self.goal_id}: {self.progress}"


class ClosureReason(models.TextChoices):
    GOALS_ACHIEVED = "goals_achieved", _("Plan goals achieved, the situation is stable")
    ADULT_SERVICES = "adult_services", _("Reached adulthood, handed over to adult services")
    MOVED = "moved", _("Moved to another region or country (case handed over)")
    DECLINED = "declined", _("The family declined further support")
    OTHER = "other", _("Other reason (explained)")


class ClosureStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("closure status", "Waiting for approval")
    APPROVED = "approved", pgettext_lazy("closure status", "Closed")
    RETURNED = "returned", pgettext_lazy("closure status", "Returned")
    REOPENED = "reopened", pgettext_lazy("closure status", "Reopened")


# What must be true before a case closes (checked one by one by the case manager).
CLOSURE_CRITERIA: list[tuple[str, object]] = [
    ("safe", _("The child is safe and lives in a stable care arrangement")),
    ("goals_reviewed", _("Every plan goal was reviewed: achieved, or handed over with a reason")),
    (
        "services_in_place",
        _("Needed services continue without the case (school, clinic, benefits)"),
    ),
    ("documents", _("Identity and legal documents are in order or in a known process")),
    ("views_heard", _("The child's and the family's views on closing were heard")),
    ("follow_up_agreed", _("The family knows about the follow-up visits at 6 and 12 months")),
]


class Closure(VersionedModel):
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="closures", verbose_name=_("case")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ClosureStatus.choices, default=ClosureStatus.REQUESTED
    )
    reason = models.CharField(_("reason"), max_length=32, choices=ClosureReason.choices)
    explanation = encrypted_text(_("explanation"), blank=True)
    checklist = models.JSONField(_("closure criteria"), default=dict)
    # Required when goals are still open: why the case closes anyway.
    open_goals_explanation = models.CharField(
        _("why open goals do not stop closure"), max_length=2000, blank=True, validators=TEXT
    )
    requested_by = user_fk()
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = user_fk(null=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.CharField(
        _("supervisor's comment"), max_length=2000, blank=True, validators=TEXT
    )
    reopened_by = user_fk(null=True)
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.CharField(
        _("reason for reopening"), max_length=2000, blank=True, validators=TEXT
    )

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["case", "status"], name="closure_case_status_idx")]

    def __str__(self) -> str:
        return f"closure of {self.case_id}"


class FollowUpOutcome(models.TextChoices):
    STABLE = "stable", _("Stable, no further support needed")
    CONCERNS = "concerns", _("Some concerns, support arranged")
    REOPEN = "reopen", _("Serious concerns: reopening recommended")
    NOT_REACHED = "not_reached", _("Could not be reached")


class FollowUp(VersionedModel):
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("case")
    )
    closure = models.ForeignKey(Closure, on_delete=models.CASCADE, related_name="follow_ups")
    months = models.PositiveSmallIntegerField(_("months after closure"))
    due_at = models.DateTimeField(_("due"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = user_fk(null=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=FollowUpOutcome.choices, blank=True
    )
    notes = encrypted_text(_("notes"), blank=True)
    child_views = encrypted_text(_("the child's views"), blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)  # the case was reopened

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["case", "done_on", "due_at"], name="followup_case_due_idx")]

    def __str__(self) -> str:
        return f"follow-up {self.months} m"

    @property
    def is_pending(self) -> bool:
        return self.done_on is None and self.cancelled_at is None


class CaseMilestones(models.Model):
    """The facts deadlines depend on, one row per case, so task lists compute every case's
    next due date with one join instead of a subquery per fact.

    Derived data: ``tirek.plans.milestones.milestones_refresh`` recomputes a row from the
    assessments, the plan, its reviews and the follow-ups whenever one of them changes.
    A case without a row has done nothing yet (its initial assessment is due)."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, primary_key=True, related_name="milestones"
    )
    # An initial or a comprehensive assessment completed (either covers the 72-hour check).
    initial_done_at = models.DateTimeField(null=True, blank=True)
    comprehensive_done_at = models.DateTimeField(null=True, blank=True)
    plan_approved_at = models.DateTimeField(null=True, blank=True)
    next_review_at = models.DateTimeField(null=True, blank=True)
    next_follow_up_at = models.DateTimeField(null=True, blank=True)
    follow_ups_done = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case milestones")
        verbose_name_plural = _("case milestones")

    def __str__(self) -> str:
        return f"milestones of {self.case_id}"
