"""Legal holds, destruction batches (the record of destruction) and anonymisations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tirek.core.fields import user_fk
from tirek.core.models import RecordedByModel
from tirek.core.validation import reject_control_chars

from .schedule import RecordType, Trigger


class HoldScope(models.TextChoices):
    CASE = "case", _("This case")
    PERSON = "person", _("Every case of this person")
    FAMILY = "family", _("The person and their family")


class LegalHoldQuerySet(models.QuerySet["LegalHold"]):
    def active(self) -> LegalHoldQuerySet:
        today = timezone.localdate()
        return self.filter(lifted_at__isnull=True).filter(
            Q(until__isnull=True) | Q(until__gte=today)
        )


class LegalHold(models.Model):
    """Stops every destruction of what it covers (a court case, an investigation, a
    complaint), placed and lifted only by the DPO. Refers to a case and its person by id:
    the reason must not name anyone (the form says so)."""

    scope = models.CharField(_("covers"), max_length=8, choices=HoldScope.choices)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="+", verbose_name=_("case")
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    reason = models.CharField(_("reason"), max_length=500, validators=[reject_control_chars])
    legal_basis = models.CharField(
        _("legal basis"), max_length=300, validators=[reject_control_chars]
    )
    until = models.DateField(_("until"), null=True, blank=True)
    placed_by = user_fk()
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_by = user_fk(null=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.CharField(
        _("why it is lifted"), max_length=500, blank=True, validators=[reject_control_chars]
    )

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-placed_at", "-id"]

    def __str__(self) -> str:
        return f"hold {self.pk} ({self.scope})"

    @property
    def is_active(self) -> bool:
        if self.lifted_at is not None:
            return False
        return self.until is None or self.until >= timezone.localdate()


class BatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for approval")
    QUEUED = "queued", _("Approved, queued")
    RUNNING = "running", _("Approved, being carried out")
    FAILED = "failed", _("Approved, failed")
    DONE = "done", _("Approved and carried out")
    CANCELLED = "cancelled", _("Cancelled")


class DestructionBatch(models.Model):
    """What the daily pass found due for one record type, approved by the DPO before
    anything is destroyed. Kept for ever as the record of destruction: the rule, the
    counts, who approved — never a name (items refer to cases by id only)."""

    record_type = models.CharField(_("record type"), max_length=16, choices=RecordType.choices)
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    years = models.PositiveSmallIntegerField(_("years"), default=0)
    days = models.PositiveSmallIntegerField(_("days"), default=0)
    action = models.CharField(_("action"), max_length=12)
    status = models.CharField(
        _("status"), max_length=12, choices=BatchStatus.choices, default=BatchStatus.PROPOSED
    )
    proposed_at = models.DateTimeField(_("proposed"), default=timezone.now)
    proposed_count = models.PositiveIntegerField(_("proposed"), default=0)
    approved_by = user_fk(null=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    done_at = models.DateTimeField(_("carried out"), null=True, blank=True)
    destroyed_count = models.PositiveIntegerField(_("destroyed"), default=0)
    # Under a legal hold, or no longer due, when the batch was carried out.
    held_back_count = models.PositiveIntegerField(_("held back"), default=0)
    # For record types that are not per case (exports, sessions): what was counted.
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    # The queued run (``tasks.carry_out_batch``): attempts made and why the last one failed
    # (an error's kind and message, never a name).
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    failure = models.CharField(_("failure"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("destruction batch")
        verbose_name_plural = _("destruction batches")
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record_type"],
                condition=Q(status="proposed"),
                name="retention_one_proposed_batch_per_type",
            )
        ]

    def __str__(self) -> str:
        return f"batch {self.pk} {self.record_type} ({self.status})"


class BatchItem(models.Model):
    batch = models.ForeignKey(DestructionBatch, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    destroyed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "case"], name="retention_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.case_id}"


class Erasure(models.Model):
    """One record type erased for one case (so the pass does not propose it again)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    record_type = models.CharField(max_length=16, choices=RecordType.choices)
    batch = models.ForeignKey(DestructionBatch, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "record_type"], name="retention_erasure_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.record_type}"


class Anonymisation(models.Model):
    """The person was anonymised: what screens show instead of a name."""

    person = models.OneToOneField("people.Person", on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(DestructionBatch, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"anonymised {self.person_id}"


# --- subject access and rectification ----------------------------------------------------


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access to one's data")
    RECTIFICATION = "rectification", _("Rectification")
    OBJECTION = "objection", _("Objection to processing")


class RequesterKind(models.TextChoices):
    PERSON = "person", _("The person themself")
    REPRESENTATIVE = "representative", _("A legal representative of a child")
    COURT = "court", _("A court")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Being prepared")
    APPROVED = "approved", _("Approved by the DPO")
    RELEASED = "released", _("Released")
    CLOSED = "closed", _("Closed with an outcome")


class Outcome(models.TextChoices):
    GRANTED = "granted", _("Granted")
    PARTLY = "partly", _("Partly granted")
    REFUSED = "refused", _("Refused")


class SubjectRequest(RecordedByModel):
    """A request by or for a person about their data, with its statutory deadline."""

    kind = models.CharField(_("request"), max_length=16, choices=RequestKind.choices)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    requester_kind = models.CharField(_("who asks"), max_length=16, choices=RequesterKind.choices)
    requester_name = models.CharField(
        _("name of the requester"), max_length=200, validators=[reject_control_chars]
    )
    language = models.CharField(
        _("language of the reply"), max_length=8, choices=settings.LANGUAGES, default="ru"
    )
    received_on = models.DateField(_("received"))
    deadline = models.DateField(_("reply due by"))
    details = models.CharField(
        _("what is asked"), max_length=1000, blank=True, validators=[reject_control_chars]
    )
    status = models.CharField(
        _("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    outcome_note = models.CharField(
        _("what was done"), max_length=1000, blank=True, validators=[reject_control_chars]
    )
    approved_by = user_fk(null=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("subject request")
        verbose_name_plural = _("subject requests")
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return f"request {self.pk} ({self.kind})"

    @property
    def is_done(self) -> bool:
        return self.status in (RequestStatus.RELEASED, RequestStatus.CLOSED)

    @property
    def overdue(self) -> bool:
        return not self.is_done and self.deadline < timezone.localdate()


class PersonKey(models.Model):
    """One person's data key (a Fernet key), stored only wrapped by the installation keys
    (``tirek.core.crypto``). Anonymisation wipes ``wrapped``: whatever was encrypted under
    it, in this database or in any copy of it, is unreadable from then on. The empty row
    stays as the tombstone (an id and a date, nothing else)."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    wrapped = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("person's data key")
        verbose_name_plural = _("people's data keys")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(destroyed_at__isnull=True),
                name="retention_one_live_key_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"data key {self.pk}"
