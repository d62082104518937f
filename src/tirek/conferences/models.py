"""Case conferences: several agencies meet about one case or a family (several cases).

The minutes (agenda, the child's and the family's views, decisions) are narrative and
encrypted at rest. Action items name an owner and a due date and appear in the owner's
"my work" until done.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tirek.core.fields import encrypted_text, user_fk
from tirek.core.models import CreatedByModel, VersionedModel
from tirek.core.validation import reject_control_chars


class ConferenceStatus(models.TextChoices):
    SCHEDULED = "scheduled", pgettext_lazy("conference status", "Scheduled")
    HELD = "held", pgettext_lazy("conference status", "Held")
    CANCELLED = "cancelled", pgettext_lazy("conference status", "Cancelled")


class Conference(CreatedByModel, VersionedModel):
    cases = models.ManyToManyField(
        "cases.Case", related_name="conferences", verbose_name=_("cases")
    )
    scheduled_at = models.DateTimeField(_("date and time"))
    location = models.CharField(
        _("place"), max_length=200, blank=True, validators=[reject_control_chars]
    )
    # The unit that convenes (often an interdepartmental commission).
    unit = models.ForeignKey(
        "organisations.Unit",
        on_delete=models.PROTECT,
        related_name="conferences",
        verbose_name=_("convening unit"),
    )
    chair = user_fk(_("chair"), related_name="chaired_conferences")
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ConferenceStatus.choices,
        default=ConferenceStatus.SCHEDULED,
    )
    agenda = encrypted_text(_("agenda"), blank=True)
    child_views = encrypted_text(_("the child's views"), blank=True)
    family_views = encrypted_text(_("the family's views"), blank=True)
    decisions = encrypted_text(_("decisions"), blank=True)
    # A plan revision this conference approved (the plans app records the approval itself).
    approved_plan_id = models.PositiveBigIntegerField(_("approved plan"), null=True, blank=True)
    held_at = models.DateTimeField(_("held"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case conference")
        verbose_name_plural = _("case conferences")
        ordering = ["-scheduled_at", "-id"]
        indexes = [models.Index(fields=["unit", "scheduled_at"], name="conference_unit_idx")]

    def __str__(self) -> str:
        return f"{self.scheduled_at:%Y-%m-%d %H:%M}"


class Attendance(models.TextChoices):
    INVITED = "invited", pgettext_lazy("attendance", "Invited")
    PRESENT = "present", pgettext_lazy("attendance", "Present")
    ABSENT = "absent", pgettext_lazy("attendance", "Absent")
    EXCUSED = "excused", pgettext_lazy("attendance", "Excused")


class Participant(models.Model):
    """Someone at the table: a Tirek user, or a named person from outside (a parent, a
    mahalla representative) with their organisation."""

    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="participants"
    )
    user = user_fk(_("staff member"), null=True, related_name="conference_participations")
    name = models.CharField(
        _("name"), max_length=200, blank=True, validators=[reject_control_chars]
    )
    organisation = models.CharField(
        _("agency or organisation"), max_length=200, blank=True, validators=[reject_control_chars]
    )
    capacity = models.CharField(
        _("in the capacity of"), max_length=200, blank=True, validators=[reject_control_chars]
    )
    attendance = models.CharField(
        _("attendance"), max_length=16, choices=Attendance.choices, default=Attendance.INVITED
    )

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "user"],
                condition=models.Q(user__isnull=False),
                name="participant_unique_user",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.user_id and self.user:
            return self.user.get_full_name() or self.user.username
        return self.name

    @property
    def display_organisation(self) -> str:
        if self.organisation:
            return self.organisation
        if self.user_id and self.user and self.user.agency:
            return self.user.agency.name
        return ""


class ActionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("action status", "Open")
    DONE = "done", pgettext_lazy("action status", "Done")
    CANCELLED = "cancelled", pgettext_lazy("action status", "Cancelled")


class ActionItem(VersionedModel):
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="actions")
    # The case the action is about (one of the conference's cases).
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="conference_actions"
    )
    description = models.CharField(_("action"), max_length=500, validators=[reject_control_chars])
    owner = user_fk(_("owner"), related_name="conference_actions")
    due_date = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=16, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    note = models.CharField(
        _("note"), max_length=500, blank=True, validators=[reject_control_chars]
    )

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["owner", "status", "due_date"], name="action_owner_idx")]

    def __str__(self) -> str:
        return self.description

    @property
    def is_overdue(self) -> bool:
        return self.status == ActionStatus.OPEN and self.due_date < timezone.localdate()
