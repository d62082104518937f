"""Child-sensitive interviews (forensic or social) and their safeguards.

"Interview once": every interview belongs to a *matter* of the child (a criminal
proceeding, a guardianship review...). Before a new one, the earlier interviews on the
same matter are shown; a repeat needs a written justification and a supervisor's
approval. Only a certified interviewer conducts one, and only when the psychologist has
judged the child ready. What the child said (notes, summary) is encrypted and belongs
to the SECURITY section.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tirek.core.fields import encrypted_text, user_fk
from tirek.core.models import CreatedByModel, VersionedModel
from tirek.core.validation import reject_control_chars


class Matter(CreatedByModel):
    """What the child is interviewed about; interviews on one matter are compared."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="interview_matters"
    )
    title = models.CharField(_("matter"), max_length=200, validators=[reject_control_chars])
    reference = models.CharField(
        _("file reference"), max_length=100, blank=True, validators=[reject_control_chars]
    )

    class Meta:
        verbose_name = _("matter")
        verbose_name_plural = _("matters")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "title"], name="matter_unique_title")
        ]

    def __str__(self) -> str:
        return self.title


class InterviewKind(models.TextChoices):
    FORENSIC = "forensic", _("Forensic")
    SOCIAL = "social", _("Social")


class InterviewStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("interview status", "Requested")
    PLANNED = "planned", pgettext_lazy("interview status", "Planned")
    HELD = "held", pgettext_lazy("interview status", "Held")
    CANCELLED = "cancelled", pgettext_lazy("interview status", "Cancelled")


class Readiness(models.TextChoices):
    UNKNOWN = "unknown", pgettext_lazy("readiness", "Not yet judged")
    READY = "ready", pgettext_lazy("readiness", "Ready")
    NOT_READY = "not_ready", pgettext_lazy("readiness", "Not ready")


class TimeOfDay(models.TextChoices):
    MORNING = "morning", _("Morning")
    MIDDAY = "midday", _("Midday")
    AFTERNOON = "afternoon", _("Afternoon")


class Interview(VersionedModel):
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="interviews", verbose_name=_("case")
    )
    matter = models.ForeignKey(
        Matter, on_delete=models.PROTECT, related_name="interviews", verbose_name=_("matter")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=InterviewKind.choices)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=InterviewStatus.choices,
        default=InterviewStatus.REQUESTED,
    )
    # The request.
    requesting_authority = models.CharField(
        _("requesting authority"), max_length=200, validators=[reject_control_chars]
    )
    purpose = encrypted_text(_("purpose"))
    legal_basis = encrypted_text(_("legal basis"))
    requested_by = user_fk()
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    # A repeat on the same matter: justification, then a supervisor's approval.
    is_repeat = models.BooleanField(_("repeat interview"), default=False)
    repeat_justification = encrypted_text(_("justification for a repeat interview"), blank=True)
    repeat_approved_by = user_fk(_("repeat approved by"), null=True)
    repeat_approved_at = models.DateTimeField(_("repeat approved"), null=True, blank=True)
    # Planning.
    interviewer = user_fk(_("interviewer"), null=True, related_name="child_interviews")
    scheduled_at = models.DateTimeField(_("planned for"), null=True, blank=True)
    time_of_day = models.CharField(
        _("time of day"), max_length=16, choices=TimeOfDay.choices, blank=True
    )
    language = models.CharField(_("language of the interview"), max_length=8, blank=True)
    interpreter = models.CharField(
        _("interpreter"), max_length=200, blank=True, validators=[reject_control_chars]
    )
    support_person = models.CharField(
        _("support person"), max_length=200, blank=True, validators=[reject_control_chars]
    )
    room = models.CharField(
        _("room"), max_length=200, blank=True, validators=[reject_control_chars]
    )
    child_friendly_room = models.BooleanField(_("child-friendly room"), default=False)
    # The psychologist's judgement of the child's readiness.
    readiness = models.CharField(
        _("readiness of the child"),
        max_length=16,
        choices=Readiness.choices,
        default=Readiness.UNKNOWN,
    )
    readiness_note = encrypted_text(_("psychologist's note on readiness"), blank=True)
    readiness_by = user_fk(null=True)
    readiness_at = models.DateTimeField(null=True, blank=True)
    # The record.
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    breaks = models.PositiveSmallIntegerField(_("number of breaks"), default=0)
    breaks_note = models.CharField(
        _("breaks"), max_length=300, blank=True, validators=[reject_control_chars]
    )
    observers = models.CharField(
        _("who observed"), max_length=500, blank=True, validators=[reject_control_chars]
    )
    recorded = models.BooleanField(_("audio/video recorded"), default=False)
    # Where the recording is kept (a reference, never the file itself).
    recording_reference = models.CharField(
        _("where the recording is kept"),
        max_length=300,
        blank=True,
        validators=[reject_control_chars],
    )
    notes = encrypted_text(_("notes"), blank=True)
    summary = encrypted_text(_("summary"), blank=True)
    # Support for the child afterwards.
    follow_up = encrypted_text(_("follow-up support"), blank=True)
    follow_up_by = user_fk(null=True)
    follow_up_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(
        _("reason for cancelling"), max_length=500, blank=True, validators=[reject_control_chars]
    )
    # The team membership planning gave the interviewer (taken back if cancelled).
    membership = models.ForeignKey(
        "cases.CaseTeamMember",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("child-sensitive interview")
        verbose_name_plural = _("child-sensitive interviews")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["case", "status"], name="interview_case_idx"),
            models.Index(fields=["matter", "status"], name="interview_matter_idx"),
            models.Index(fields=["interviewer", "status"], name="interview_interviewer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()} {self.requested_at:%Y-%m-%d}"

    @property
    def needs_approval(self) -> bool:
        return self.is_repeat and self.repeat_approved_at is None

    @property
    def is_open(self) -> bool:
        return self.status in (InterviewStatus.REQUESTED, InterviewStatus.PLANNED)
