"""A case: one person's path through the programme, and the team that works on it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tirek.accounts.roles import Role


class CaseStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    TRANSFERRED = "transferred", _("Transferred")


class Phase(models.TextChoices):
    REHABILITATION = "rehabilitation", _("Rehabilitation")
    REINTEGRATION = "reintegration", _("Reintegration")
    MONITORING = "monitoring", _("Monitoring")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Case(models.Model):
    number = models.CharField(_("case number"), max_length=32, unique=True)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="cases", verbose_name=_("person")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.REGISTERED
    )
    phase = models.CharField(
        _("phase"), max_length=16, choices=Phase.choices, default=Phase.REHABILITATION
    )
    risk_level = models.CharField(
        _("risk level"), max_length=8, choices=RiskLevel.choices, default=RiskLevel.MEDIUM
    )
    case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="managed_cases",
        verbose_name=_("case manager"),
    )
    supervising_unit = models.ForeignKey(
        "organisations.Unit",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("supervising unit"),
    )
    region = models.ForeignKey(
        "organisations.Region",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("region"),
    )
    # Hides return history, origin and related people from roles that do not need them.
    protected_identity = models.BooleanField(_("protected identity"), default=True)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    return_date = models.DateField(_("date of return"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["status", "phase"], name="case_status_phase_idx"),
            models.Index(fields=["supervising_unit", "status"], name="case_unit_status_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class CaseTeamMember(models.Model):
    """A professional on the case team, with the role they play on this case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_memberships"
    )
    role = models.CharField(_("role on the case"), max_length=32, choices=Role.choices)
    added_at = models.DateTimeField(_("added"), default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    # Sections this membership may see beyond the role's default (e.g. granted by a referral);
    # empty means "the role's default sections".
    sections = models.JSONField(_("sections"), default=list, blank=True)

    class Meta:
        verbose_name = _("case team member")
        verbose_name_plural = _("case team members")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user", "role"],
                condition=models.Q(removed_at__isnull=True),
                name="case_team_active_unique",
            )
        ]
        indexes = [models.Index(fields=["user", "removed_at"], name="team_user_active_idx")]

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"
