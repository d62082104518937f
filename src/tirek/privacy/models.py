"""Consent and assent, and emergency (break-the-glass) access with its review."""

from __future__ import annotations

from datetime import date, datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tirek.access.epoch import RelationModel
from tirek.core.fields import user_fk
from tirek.core.models import RecordedByModel, VersionedModel
from tirek.core.validation import reject_control_chars


class Purpose(models.TextChoices):
    CASE_MANAGEMENT = "case_management", _("Case management")
    INFORMATION_SHARING = "information_sharing", _("Information sharing with agencies")
    REFERRAL = "referral", _("Referral to services")
    PHOTO = "photo", _("Photo")
    RESEARCH = "research", _("Research and statistics")


class GivenBy(models.TextChoices):
    GUARDIAN = "guardian", _("Parent or legal representative")
    CHILD = "child", _("The child")
    ADULT_SELF = "adult_self", _("The adult themselves")


class ConsentKind(models.TextChoices):
    CONSENT = "consent", _("Consent")
    ASSENT = "assent", _("Child's assent")


class ConsentQuerySet(models.QuerySet["Consent"]):
    def effective(self, at: date | None = None) -> ConsentQuerySet:
        """Records in force at ``at``: started, not expired, not withdrawn, and, for an
        override of the age default, approved by a supervisor."""
        moment = at or timezone.now()
        day = timezone.localdate(moment) if isinstance(moment, datetime) else moment
        return self.filter(valid_from__lte=day).filter(
            models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=day),
            models.Q(withdrawn_at__isnull=True) | models.Q(withdrawn_at__gt=moment),
            models.Q(is_override=False) | models.Q(override_approved_at__isnull=False),
        )


class Consent(RecordedByModel, VersionedModel):
    """One person's consent (or a child's assent) to one purpose.

    ``recipients`` lists the agencies that may receive information under it; empty means
    none. A record that departs from the default for the person's age (e.g. a 12-year-old
    consenting alone) is an override: it needs a reason and counts only once a
    supervisor has approved it.
    """

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="consents", verbose_name=_("person")
    )
    purpose = models.CharField(_("purpose"), max_length=32, choices=Purpose.choices)
    kind = models.CharField(
        _("kind"), max_length=8, choices=ConsentKind.choices, default=ConsentKind.CONSENT
    )
    given_by = models.CharField(_("given by"), max_length=16, choices=GivenBy.choices)
    giver_name = models.CharField(
        _("name of the person giving it"),
        max_length=200,
        blank=True,
        validators=[reject_control_chars],
    )
    recipients = models.ManyToManyField(
        "organisations.Agency",
        blank=True,
        related_name="+",
        verbose_name=_("recipient agencies"),
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = user_fk(_("withdrawal recorded by"), null=True)
    withdrawal_note = models.CharField(
        _("withdrawal note"), max_length=500, blank=True, validators=[reject_control_chars]
    )
    is_override = models.BooleanField(_("departs from the default for the age"), default=False)
    override_reason = models.CharField(
        _("reason for the override"), max_length=500, blank=True, validators=[reject_control_chars]
    )
    override_approved_by = user_fk(_("override approved by"), null=True)
    override_approved_at = models.DateTimeField(null=True, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-valid_from", "-id"]
        indexes = [
            models.Index(fields=["person", "purpose"], name="consent_person_purpose_idx"),
            # Overrides waiting for a supervisor's approval are few among every consent of
            # the programme; each supervisor's "my work" looks for them.
            models.Index(
                fields=["person"],
                condition=models.Q(
                    is_override=True, override_approved_at__isnull=True, withdrawn_at__isnull=True
                ),
                name="consent_override_waiting_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="consent_until_after_from",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.get_given_by_display()})"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def awaiting_approval(self) -> bool:
        return self.is_override and self.override_approved_at is None and not self.is_withdrawn


class ReviewOutcome(models.TextChoices):
    JUSTIFIED = "justified", _("Justified")
    NOT_JUSTIFIED = "not_justified", _("Not justified")
    NEEDS_FOLLOW_UP = "follow_up", _("Needs follow-up")


class EmergencyAccess(RelationModel, VersionedModel):
    """Break-the-glass: a professional opens a case outside their relation to it, with a
    justification, for a limited time; the data protection officer reviews every one."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="emergency_accesses"
    )
    user = user_fk(_("who"), related_name="emergency_accesses")
    justification = models.TextField(_("justification"), validators=[reject_control_chars])
    granted_at = models.DateTimeField(_("opened"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = user_fk(_("reviewed by"), null=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=ReviewOutcome.choices, blank=True
    )
    review_comment = models.TextField(_("comment"), blank=True, validators=[reject_control_chars])

    class Meta:
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")
        ordering = ["-granted_at", "-id"]
        indexes = [
            models.Index(fields=["user", "case", "expires_at"], name="emergency_user_case_idx"),
            models.Index(fields=["reviewed_at", "granted_at"], name="emergency_review_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.case_id}"

    @property
    def is_active(self) -> bool:
        return self.expires_at > timezone.now()
