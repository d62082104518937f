"""A transfer of a case to another unit (same region or another), with acceptance.

The request names the receiving unit, the reason and what is shared before the answer
(basic information plus chosen sections, under consent or a recorded legal basis); the
receiving unit's supervisor accepts — naming the new case manager and whom of the old
team to keep — or declines with a reason (issue #17)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tirek.core.fields import user_fk
from tirek.core.models import CreatedByModel, VersionedModel
from tirek.core.validation import reject_control_chars


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", _("Awaiting an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class TransferRequest(VersionedModel):
    """What a case's and a family's transfer both ask and answer: to which unit, why,
    what is shared before the answer, and who answered when."""

    to_unit = models.ForeignKey(
        "organisations.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("receiving unit"),
    )
    reason = models.TextField(_("reason"), validators=[reject_control_chars])
    sections = models.JSONField(_("shared before acceptance"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=TransferStatus.choices, default=TransferStatus.REQUESTED
    )
    requested_by = user_fk()
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_by = user_fk(null=True)
    decided_at = models.DateTimeField(_("answered"), null=True, blank=True)
    decline_reason = models.TextField(
        _("reason for declining"), blank=True, validators=[reject_control_chars]
    )
    new_case_manager = user_fk(_("new case manager"), null=True)

    class Meta:
        abstract = True
        ordering = ["-requested_at", "-id"]

    @property
    def is_pending(self) -> bool:
        return self.status == TransferStatus.REQUESTED


class FamilyTransfer(TransferRequest):
    """A whole family's transfer, asked for in one request: one ``Transfer`` per member's
    case that the requester may transfer (same receiving unit, reason and shared
    sections; each with its own consent or legal basis), answered together."""

    family = models.ForeignKey(
        "families.Family", on_delete=models.CASCADE, related_name="+", verbose_name=_("family")
    )
    not_included = models.PositiveSmallIntegerField(default=0)  # members left out

    class Meta(TransferRequest.Meta):
        verbose_name = _("family transfer")
        verbose_name_plural = _("family transfers")
        indexes = [models.Index(fields=["to_unit", "status"], name="family_transfer_unit_idx")]

    def __str__(self) -> str:
        return f"{self.family_id} → {self.to_unit_id}"


class Transfer(TransferRequest):
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="transfers", verbose_name=_("case")
    )
    from_unit = models.ForeignKey(
        "organisations.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("transferring unit"),
    )
    from_region = models.ForeignKey(
        "organisations.Region", on_delete=models.PROTECT, related_name="+"
    )
    to_region = models.ForeignKey(
        "organisations.Region", on_delete=models.PROTECT, related_name="+"
    )
    consent_covered = models.BooleanField(default=False)
    legal_basis = models.TextField(_("legal basis"), blank=True, validators=[reject_control_chars])
    preview = models.ForeignKey(
        "access.TransferPreview", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kept_members = models.JSONField(default=list, blank=True)  # user ids kept on the team
    family_transfer = models.ForeignKey(
        FamilyTransfer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="transfers",
        verbose_name=_("family transfer"),
    )

    class Meta(TransferRequest.Meta):
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="requested"),
                name="transfer_one_pending_per_case",
            )
        ]
        indexes = [
            models.Index(fields=["to_unit", "status"], name="transfer_to_unit_idx"),
            models.Index(fields=["requested_by", "status"], name="transfer_requester_idx"),
            models.Index(fields=["status", "decided_at"], name="transfer_decided_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_unit_id} → {self.to_unit_id}"


class GroupImportStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting decisions")
    COMMITTED = "committed", _("Registered")


class GroupImport(CreatedByModel):
    """A returning group's spreadsheet, checked and waiting for the worker's decisions
    (issue #17, part 2). Bounded: at most ``group_import.LIMITS.max_rows`` rows, one
    pending import per worker (a new upload replaces it), nothing written to people or
    cases until the commit."""

    file_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=16, choices=GroupImportStatus.choices, default=GroupImportStatus.PENDING
    )
    rows = models.JSONField(default=list)
    committed_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("group arrival import")
        verbose_name_plural = _("group arrival imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "status"], name="group_import_user_idx")]

    def __str__(self) -> str:
        return f"{self.file_name} ({len(self.rows)})"
