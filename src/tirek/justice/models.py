"""The justice pathway of adults (issue 16, part 2).

- ``LegalStatus``: one row per status in the justice system (under investigation,
  pre-trial detention, sentenced — in custody / suspended / probation, released,
  amnestied, no proceedings); the newest row is the current status, the earlier ones
  are its history. With ``Condition`` (the conditions of a sentence or of probation and
  their review dates) it is SECURITY information: law enforcement and the probation
  service see it, welfare roles never do (``tirek.access.policy``).
- ``ContactEvent``: a planned or held visit, call or letter between a child and a parent
  in custody or in a centre, recorded on the CHILD's case in the FAMILY section, so the
  children's case managers see the contact plan and never the criminal file.
- ``SupportRecord``: livelihood and disengagement support of an adult with its outcome.
  Its section follows its kind (``SUPPORT_SECTIONS``): livelihood — vocational training,
  employment, housing — is social work (SOCIAL: the case manager who leads the family
  plan it feeds, the social workers); religious counselling and disengagement sessions
  are COUNSELLING (the religious counsellor, the probation officer). A viewer sees the
  records of the kinds whose section the policy opens to them, nothing else.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tirek.access.sections import Section
from tirek.core.fields import encrypted_text
from tirek.core.models import RecordedByModel
from tirek.core.validation import reject_control_chars


class Status(models.TextChoices):
    INVESTIGATION = "investigation", _("Under investigation")
    PRE_TRIAL = "pre_trial", _("Pre-trial detention")
    CUSTODY = "custody", _("Sentenced — in custody")
    SUSPENDED = "suspended", _("Sentenced — suspended sentence")
    PROBATION = "probation", _("Sentenced — probation")
    RELEASED = "released", _("Released")
    AMNESTIED = "amnestied", _("Amnestied")
    NONE = "none", _("No proceedings")


class LegalStatus(RecordedByModel):
    SECTION = Section.SECURITY

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="legal_statuses")
    status = models.CharField(_("legal status"), max_length=16, choices=Status.choices)
    institution = models.CharField(
        _("institution or probation service"),
        max_length=200,
        blank=True,
        validators=[reject_control_chars],
    )
    contact = models.CharField(
        _("probation or institution contact"),
        max_length=200,
        blank=True,
        validators=[reject_control_chars],
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    next_review = models.DateField(_("next review"), null=True, blank=True)
    note = encrypted_text(_("note"), blank=True)

    class Meta:
        verbose_name = _("legal status")
        verbose_name_plural = _("legal statuses")
        ordering = ["-start_date", "-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="legal_status_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return str(self.get_status_display())


class Condition(RecordedByModel):
    SECTION = Section.SECURITY

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="conditions")
    text = encrypted_text(_("condition"))
    review_date = models.DateField(_("review date"), null=True, blank=True)
    lifted_on = models.DateField(_("lifted on"), null=True, blank=True)

    class Meta:
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")
        ordering = ["review_date", "id"]

    def __str__(self) -> str:
        return f"condition {self.pk}"


class UpdateKind(models.TextChoices):
    CONDITION_LIFTED = "lifted", _("Condition lifted")
    CONDITION_CHANGED = "changed", _("Condition modified")
    REVIEW = "review", _("Review held")
    CONTACT = "contact", _("Institution or contact updated")


class LegalUpdate(RecordedByModel):
    """A change to the current legal status or its conditions — a condition lifted or
    modified, a review held, the institution or probation contact changed — with the
    legal basis it rests on (the court's or the service's decision). SECURITY, like the
    status it changes; the case's timeline lists it for whoever sees that section."""

    SECTION = Section.SECURITY

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="legal_updates")
    kind = models.CharField(_("kind"), max_length=16, choices=UpdateKind.choices)
    on_date = models.DateField(_("date"))
    condition = models.ForeignKey(
        Condition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="updates",
        verbose_name=_("condition"),
    )
    legal_basis = models.CharField(
        _("legal basis"), max_length=300, validators=[reject_control_chars]
    )
    note = encrypted_text(_("note"), blank=True)

    class Meta:
        verbose_name = _("legal status update")
        verbose_name_plural = _("legal status updates")
        ordering = ["-on_date", "-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.on_date}"


class ContactKind(models.TextChoices):
    VISIT = "visit", _("Visit")
    CALL = "call", _("Phone or video call")
    LETTER = "letter", _("Letter")


class ContactStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("contact", "Planned")
    HELD = "held", pgettext_lazy("contact", "Held")
    CANCELLED = "cancelled", pgettext_lazy("contact", "Cancelled")


class ContactEvent(RecordedByModel):
    SECTION = Section.FAMILY

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="parent_contacts")
    kind = models.CharField(_("kind"), max_length=16, choices=ContactKind.choices)
    status = models.CharField(_("status"), max_length=16, choices=ContactStatus.choices)
    on_date = models.DateField(_("date"))
    with_whom = models.CharField(_("with whom"), max_length=200, validators=[reject_control_chars])
    accompanied_by = models.CharField(
        _("who accompanies the child"),
        max_length=200,
        blank=True,
        validators=[reject_control_chars],
    )
    child_reaction = encrypted_text(_("the child's reaction"), blank=True)

    class Meta:
        verbose_name = _("contact with a parent")
        verbose_name_plural = _("contacts with a parent")
        ordering = ["-on_date", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.on_date}"


class SupportKind(models.TextChoices):
    TRAINING = "training", _("Vocational training")
    EMPLOYMENT = "employment", _("Employment")
    HOUSING = "housing", _("Housing")
    COUNSELLING = "counselling", _("Religious counselling sessions")


# The section each kind of support belongs to (module docstring). A kind missing here is
# shown to nobody (deny by default): ``support_kinds`` only lists the kinds named here.
SUPPORT_SECTIONS: dict[str, str] = {
    SupportKind.TRAINING: Section.SOCIAL,
    SupportKind.EMPLOYMENT: Section.SOCIAL,
    SupportKind.HOUSING: Section.SOCIAL,
    SupportKind.COUNSELLING: Section.COUNSELLING,
}


def support_section(kind: str) -> str | None:
    """The section a support record of ``kind`` belongs to (None: an unknown kind)."""
    return SUPPORT_SECTIONS.get(kind)


def support_kinds(sections: frozenset[str]) -> list[str]:
    """The kinds of support whose section is among ``sections``."""
    return [str(kind) for kind, section in SUPPORT_SECTIONS.items() if section in sections]


class SupportRecord(RecordedByModel):
    SECTIONS = frozenset(SUPPORT_SECTIONS.values())

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="support_records")
    kind = models.CharField(_("kind of support"), max_length=16, choices=SupportKind.choices)
    provider = models.CharField(_("provider"), max_length=200, validators=[reject_control_chars])
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    outcome = encrypted_text(_("outcome"), blank=True)

    class Meta:
        verbose_name = _("support record")
        verbose_name_plural = _("support records")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="support_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.start_date}"

    @property
    def section(self) -> str | None:
        return support_section(self.kind)
