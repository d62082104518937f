"""Case summaries for a court, a commission or a receiving unit (issue 17 part 3).

A summary itself is not kept: it is built on request, handed over as an encrypted archive
and recorded in the audit log as a disclosure (purpose, recipient, sections). What is kept
is the psychologist's release: psychological notes never go to a court, a commission or
another outside recipient unless a psychologist on the case released them for that
purpose and that recipient (``PsychologicalRelease``).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tirek.core.fields import user_fk


class Purpose(models.TextChoices):
    COURT = "court", _("Court")
    COMMISSION = "commission", _("Interdepartmental commission")
    RECEIVING_UNIT = "receiving_unit", _("Receiving unit")
    OTHER = "other", _("Other")


# Purposes whose recipient is outside the programme's care: psychological notes reach them
# only through a psychologist's release. A receiving unit continues the child's care.
RELEASE_REQUIRED = frozenset({Purpose.COURT, Purpose.COMMISSION, Purpose.OTHER})


def recipient_key(recipient: str) -> str:
    """The recipient as compared: case and spacing do not matter."""
    return " ".join((recipient or "").split()).casefold()


class PsychologicalRelease(models.Model):
    """A psychologist on the case lets psychological notes go into summaries for one
    purpose and one recipient, until revoked."""

    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("case"),
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    recipient = models.CharField(_("recipient"), max_length=200)
    recipient_key = models.CharField(max_length=200, editable=False)
    released_by = user_fk(_("released by"))
    released_at = models.DateTimeField(_("released"), default=timezone.now)
    revoked_by = user_fk(null=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("release of psychological notes")
        verbose_name_plural = _("releases of psychological notes")
        ordering = ["-released_at", "-id"]
        indexes = [
            models.Index(fields=["case", "purpose", "recipient_key"], name="psyrelease_lookup_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} · {self.recipient}"
