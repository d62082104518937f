"""A case: one person's path through the programme, and the team that works on it."""

from __future__ import annotations

from django.core.validators import MinLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tirek.access.epoch import RelationModel
from tirek.access.sections import Section
from tirek.accounts.roles import Role
from tirek.core.crypto import EncryptedTextField
from tirek.core.fields import encrypted_text, user_fk
from tirek.core.models import VersionedModel
from tirek.core.validation import reject_control_chars


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


class Case(VersionedModel):
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
    case_manager = user_fk(_("case manager"), related_name="managed_cases")
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
    opened_by = user_fk(_("opened by"), null=True)
    # Section RETURN_HISTORY: hidden from school and health staff while the identity is protected.
    country_returned_from = models.CharField(
        _("country returned from"), max_length=100, blank=True, validators=[reject_control_chars]
    )
    return_date = models.DateField(_("date of return"), null=True, blank=True)
    return_history = encrypted_text(_("return history"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["status", "phase"], name="case_status_phase_idx"),
            models.Index(fields=["supervising_unit", "status"], name="case_unit_status_idx"),
            models.Index(fields=["supervising_unit", "-opened_at"], name="case_unit_opened_idx"),
            models.Index(fields=["-opened_at", "-id"], name="case_opened_idx"),
            models.Index(fields=["region", "status"], name="case_region_status_idx"),
        ]
        constraints = [
            # One open case per person: a closed case may be reopened, or a new one opened.
            models.UniqueConstraint(
                fields=["person"],
                condition=~models.Q(status="closed"),
                name="case_one_open_per_person",
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status != CaseStatus.CLOSED


class CaseTeamMember(RelationModel):
    """A professional on the case team, with the role they play on this case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="team")
    user = user_fk(related_name="case_memberships")
    role = models.CharField(_("role on the case"), max_length=32, choices=Role.choices)
    added_at = models.DateTimeField(_("added"), default=timezone.now)
    added_by = user_fk(null=True)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    removed_by = user_fk(null=True)
    # Sections this membership may see beyond the role's default; empty means "the role's
    # default sections". With ``exact_sections`` (a referral's grant) they are the whole
    # grant instead: basic information plus exactly what the referral shared.
    sections = models.JSONField(_("sections"), default=list, blank=True)
    exact_sections = models.BooleanField(_("only the shared sections"), default=False)
    # Welfare sections reach law enforcement only on a recorded legal basis (DESIGN.md 4):
    # an interviewer's extra ``sections`` count only when this is filled in.
    legal_basis = models.CharField(
        _("legal basis"), max_length=300, blank=True, validators=[reject_control_chars]
    )

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
        indexes = [
            models.Index(fields=["user", "removed_at"], name="team_user_active_idx"),
            models.Index(fields=["user", "removed_at", "case"], name="team_user_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class CaseNumberSequence(models.Model):
    """The last number given per "KZ-2026" prefix. Incremented with an UPDATE inside the
    opening transaction, so two people opening cases at once never get the same number."""

    prefix = models.CharField(max_length=16, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}: {self.last}"


class EventKind(models.TextChoices):
    OPENED = "opened", _("Case opened")
    UPDATED = "updated", _("Case details changed")
    STATUS = "status", _("Status changed")
    PHASE = "phase", _("Phase changed")
    TEAM_ADDED = "team_added", _("Added to the team")
    TEAM_REMOVED = "team_removed", _("Removed from the team")
    TRANSFERRED = "transferred", _("Case transferred")
    EMERGENCY_ACCESS = "emergency_access", _("Emergency access")


class CaseEvent(models.Model):
    """Something that happened to the case, for its timeline. The audit log keeps the
    tamper-evident record; this keeps what the team needs to read, by section."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = user_fk(null=True)
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    section = models.CharField(max_length=32, choices=Section.choices(), default=Section.CORE)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["case", "at"], name="caseevent_case_at_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class NoteKind(models.TextChoices):
    HOME_VISIT = "home_visit", _("Home visit")
    SESSION = "session", _("Session")
    PHONE_CALL = "phone_call", _("Phone call")
    SCHOOL_VISIT = "school_visit", _("School visit")
    OFFICE_VISIT = "office_visit", _("Office visit")
    OTHER = "other", _("Other")


class ContactNote(VersionedModel):
    """A record of contact with the child or family. The narrative is encrypted at rest and
    belongs to one section of the policy: a psychologist's session note is only for those
    who may read psychological notes."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(_("kind of contact"), max_length=16, choices=NoteKind.choices)
    section = models.CharField(_("section"), max_length=32, choices=Section.choices())
    occurred_on = models.DateField(_("date of contact"))
    narrative = EncryptedTextField(
        _("note"), validators=[reject_control_chars, MinLengthValidator(1)]
    )
    # Marked by staff: the note tells about other people (a parent, a neighbour, a
    # sibling); a subject-access report shows that it was withheld, not its text.
    third_party = models.BooleanField(_("contains third-party information"), default=False)
    author = user_fk(_("author"), related_name="contact_notes")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contact note")
        verbose_name_plural = _("contact notes")
        ordering = ["-occurred_on", "-id"]
        indexes = [
            models.Index(fields=["case", "section", "occurred_on"], name="note_case_section_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"


class Attachment(models.Model):
    """A file attached to a note, stored encrypted under MEDIA_ROOT/attachments/ and served
    only through a view that asks the policy first."""

    note = models.ForeignKey(ContactNote, on_delete=models.CASCADE, related_name="attachments")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField(_("size"))
    stored_name = models.CharField(max_length=64, unique=True, editable=False)
    uploaded_by = user_fk()
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
