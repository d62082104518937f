"""Relations owned by the access app itself.

Team memberships (``tirek.cases.models.CaseTeamMember``) and emergency accesses
(``tirek.privacy.models.EmergencyAccess``) keep their tables where they were created, but
are written only by ``tirek.access.services`` and read only through ``tirek.access``
(selectors and policy); the architecture test in ``access/tests`` holds every other app
to that.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tirek.core.fields import user_fk
from tirek.core.validation import reject_control_chars

from .epoch import RelationModel


class EmergencyScopeExtension(RelationModel):
    """A supervisor lets one professional outside the unit's region and agency break the
    glass on the unit's cases, for a limited time (DESIGN.md section 4: emergency access
    is "within the user's own region or agency unless a supervisor extends it")."""

    unit = models.ForeignKey(
        "organisations.Unit",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("unit"),
    )
    user = user_fk(_("extended to"))
    granted_by = user_fk(_("extended by"))
    reason = models.TextField(_("reason"), validators=[reject_control_chars])
    granted_at = models.DateTimeField(_("extended"), default=timezone.now)
    expires_at = models.DateTimeField(_("until"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("emergency access extension")
        verbose_name_plural = _("emergency access extensions")
        ordering = ["-granted_at", "-id"]
        indexes = [
            models.Index(fields=["user", "unit", "expires_at"], name="ea_extension_user_unit_idx")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → unit {self.unit_id}"


class TransferPreview(RelationModel):
    """While a transfer waits for an answer, the supervisors of the receiving unit read
    the case's basic information and the sections the request shares — nothing else,
    and only read (``tirek.access.policy``). Ended when the request is accepted,
    declined or withdrawn."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("case")
    )
    unit = models.ForeignKey(
        "organisations.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("receiving unit"),
    )
    sections = models.JSONField(_("shared sections"), default=list, blank=True)
    granted_by = user_fk(_("shared by"))
    granted_at = models.DateTimeField(_("shared"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("transfer preview")
        verbose_name_plural = _("transfer previews")
        ordering = ["-granted_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "ended_at", "case"], name="transfer_preview_unit_idx")
        ]

    def __str__(self) -> str:
        return f"case {self.case_id} → unit {self.unit_id}"
