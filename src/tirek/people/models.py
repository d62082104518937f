"""Children, women and relatives: identity that is often uncertain and spelled many ways."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tirek.core.fields import user_fk
from tirek.core.models import VersionedModel
from tirek.core.validation import reject_control_chars, require_letter

from . import matching
from .choices import COUNTRY_CODES, LANGUAGE_CODES
from .iin import consistency_errors, validate_iin

_iin_digits = RegexValidator(r"^\d{12}$", _("The IIN must be exactly 12 digits."))


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNKNOWN = "unknown", _("Unknown")


class BirthPrecision(models.TextChoices):
    DAY = "day", _("Exact date")
    MONTH = "month", _("Month and year")
    YEAR = "year", _("Year only")


class CitizenshipStatus(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    PENDING = "pending", _("Citizenship being established")
    STATELESS = "stateless", _("Stateless")
    FOREIGN = "foreign", _("Foreign citizen")
    UNKNOWN = "unknown", _("Unknown")


def _country_code(value: str) -> None:
    if value and value not in COUNTRY_CODES:
        raise ValidationError(_("Choose a country from the list."), code="country")


def _language_codes(value: object) -> None:
    if not isinstance(value, list) or not all(
        isinstance(v, str) and v in LANGUAGE_CODES for v in value
    ):
        raise ValidationError(_("Choose languages from the list."), code="languages")


def check_birth_date(value: date | None) -> None:
    if value is None:
        return
    if value > timezone.localdate():
        raise ValidationError(_("The date of birth cannot be in the future."), code="future")
    if value.year < 1900:
        raise ValidationError(_("The date of birth is before 1900."), code="too_old")


class EnteredModel(models.Model):
    """When the row was entered, and by which staff account (if any)."""

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = user_fk(null=True)

    class Meta:
        abstract = True


class Person(EnteredModel, VersionedModel):
    """A child or an adult. Identifiers stay searchable (protected by access control);
    narrative content lives in encrypted notes, never here."""

    given_name = models.CharField(
        _("given name"), max_length=100, validators=[reject_control_chars, require_letter]
    )
    family_name = models.CharField(
        _("family name"), max_length=100, validators=[reject_control_chars, require_letter]
    )
    patronymic = models.CharField(
        _("patronymic"),
        max_length=100,
        blank=True,
        validators=[reject_control_chars, require_letter],
    )
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(
        _("date of birth"), null=True, blank=True, validators=[check_birth_date]
    )
    birth_date_precision = models.CharField(
        _("date of birth known to"),
        max_length=8,
        choices=BirthPrecision.choices,
        default=BirthPrecision.DAY,
    )
    birth_date_estimated = models.BooleanField(_("date of birth is estimated"), default=False)
    birth_place = models.CharField(
        _("place of birth"), max_length=200, blank=True, validators=[reject_control_chars]
    )
    birth_country = models.CharField(
        _("country of birth"), max_length=2, blank=True, validators=[_country_code]
    )
    citizenship = models.CharField(
        _("citizenship"), max_length=2, blank=True, validators=[_country_code]
    )
    citizenship_status = models.CharField(
        _("citizenship status"),
        max_length=12,
        choices=CitizenshipStatus.choices,
        default=CitizenshipStatus.UNKNOWN,
    )
    iin = models.CharField(
        _("IIN"), max_length=12, blank=True, db_index=True, validators=[_iin_digits, validate_iin]
    )
    # Set when the worker has checked: the person holds no identity document at all
    # (children born in camps). Without it, "no documents on file" means "not recorded".
    no_documents = models.BooleanField(_("has no identity documents"), default=False)
    languages = models.JSONField(
        _("languages spoken"), default=list, blank=True, validators=[_language_codes]
    )
    # Normalised Latin key of all spellings, maintained by services for duplicate search.
    search_key = models.TextField(blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_duplicates",
        editable=False,
        verbose_name=_("merged into"),
    )
    updated_at = models.DateTimeField(auto_now=True)
    # The unit that registered the person: whom to contact about a duplicate candidate.
    registered_by_unit = models.ForeignKey(
        "organisations.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["family_name", "given_name"], name="person_name_idx"),
            models.Index(fields=["birth_date"], name="person_birth_idx"),
        ]
        constraints = [
            # One person, one IIN: the database refuses a second registration, whatever
            # raced past the duplicate check (issue 10).
            models.UniqueConstraint(
                fields=["iin"],
                condition=~Q(iin=""),
                name="person_iin_unique",
                violation_error_message=_("A person with this IIN is already registered."),
            ),
        ]

    def __str__(self) -> str:
        return self.initials

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not (self.given_name or "").strip():
            errors["given_name"] = str(_("Enter the given name."))
        if not (self.family_name or "").strip():
            errors["family_name"] = str(_("Enter the family name."))
        if self.iin and len(self.iin) == 12:
            errors.update(
                consistency_errors(
                    self.iin,
                    birth_date=self.birth_date,
                    precision=self.birth_date_precision,
                    estimated=self.birth_date_estimated,
                    sex=self.sex,
                )
            )
        if errors:
            raise ValidationError(errors)

    @property
    def initials(self) -> str:
        """Discreet label for lists: "А. С." — never the full name."""
        parts = [self.given_name[:1], self.family_name[:1]]
        return " ".join(f"{p.upper()}." for p in parts if p)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.family_name, self.given_name, self.patronymic) if p)

    @property
    def birth_year(self) -> int | None:
        return self.birth_date.year if self.birth_date else None

    @property
    def birth_display(self) -> str:
        """The date of birth as precisely as it is known: "2015", "03.2015", "~12.03.2015"."""
        if self.birth_date is None:
            return ""
        d = self.birth_date
        text = {
            BirthPrecision.YEAR.value: f"{d.year}",
            BirthPrecision.MONTH.value: f"{d.month:02}.{d.year}",
        }.get(self.birth_date_precision, f"{d.day:02}.{d.month:02}.{d.year}")
        return f"≈ {text}" if self.birth_date_estimated else text

    def birth(self) -> matching.Birth:
        return matching.Birth(
            date=self.birth_date,
            precision=self.birth_date_precision,
            estimated=self.birth_date_estimated,
        )


class NameKind(models.TextChoices):
    GIVEN = "given", _("Given name")
    FAMILY = "family", _("Family name")
    PATRONYMIC = "patronymic", _("Patronymic")
    FULL = "full", _("Full name")
    ALIAS = "alias", _("Other name used")


class PersonName(EnteredModel):
    """Another spelling or name of a person, in any script ("Oysha", "عائشة", a maiden
    name, a name used in the camp). The primary names stay on Person."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    kind = models.CharField(_("kind of name"), max_length=12, choices=NameKind.choices)
    value = models.CharField(
        _("name"), max_length=200, validators=[reject_control_chars, require_letter]
    )
    script = models.CharField(_("script"), max_length=10, blank=True, editable=False)

    class Meta:
        verbose_name = _("other name")
        verbose_name_plural = _("other names")
        ordering = ["kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "value"], name="personname_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.script = matching.script_of(self.value)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if not (self.value or "").strip():
            raise ValidationError({"value": _("Enter the name.")})


class PersonNameKey(models.Model):
    """Blocking keys for duplicate checks and name search (see ``matching``), rebuilt by
    the services whenever a name or the date of birth changes."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="name_keys")
    key = models.CharField(max_length=matching.MAX_KEY_LENGTH)

    class Meta:
        indexes = [models.Index(fields=["key", "person"], name="personnamekey_key_idx")]

    def __str__(self) -> str:
        return self.key


class DocumentType(models.TextChoices):
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    ID_CARD = "id_card", _("Identity card")
    PASSPORT = "passport", _("Passport")
    FOREIGN_PASSPORT = "foreign_passport", _("Foreign passport")
    RETURN_CERTIFICATE = "return_certificate", _("Certificate of return")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
    STATELESS_CERTIFICATE = "stateless_certificate", _("Stateless person's certificate")
    FOREIGN_BIRTH_RECORD = "foreign_birth_record", _("Birth record issued abroad")
    OTHER = "other", _("Other document")


class IdentityDocument(EnteredModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    doc_type = models.CharField(_("document"), max_length=24, choices=DocumentType.choices)
    number = models.CharField(
        _("number"), max_length=64, blank=True, validators=[reject_control_chars]
    )
    issuer = models.CharField(
        _("issued by"), max_length=200, blank=True, validators=[reject_control_chars]
    )
    country = models.CharField(
        _("country of issue"), max_length=2, blank=True, validators=[_country_code]
    )
    issued_on = models.DateField(_("date of issue"), null=True, blank=True)
    expires_on = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return str(self.get_doc_type_display())

    def clean(self) -> None:
        errors = {}
        if self.issued_on and self.issued_on > timezone.localdate():
            errors["issued_on"] = _("The date of issue cannot be in the future.")
        if self.issued_on and self.issued_on.year < 1900:
            errors["issued_on"] = _("The date of issue is before 1900.")
        if self.issued_on and self.expires_on and self.expires_on < self.issued_on:
            errors["expires_on"] = _("The document cannot expire before it was issued.")
        if errors:
            raise ValidationError(errors)

    @property
    def expired(self) -> bool:
        return bool(self.expires_on and self.expires_on < timezone.localdate())


class PersonPhoto(models.Model):
    """A photo kept encrypted in the database (backed up and rotated with the rest);
    served only through a view that checks the access policy."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="photo")
    data = models.BinaryField(editable=False)  # Fernet token of the image bytes
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = user_fk(null=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return f"photo of {self.person_id}"


class RelationshipKind(models.TextChoices):
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    SIBLING = "sibling", _("Brother or sister")
    GRANDPARENT = "grandparent", _("Grandparent")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    LEGAL_GUARDIAN = "legal_guardian", _("Legal guardian")
    FOSTER_CARER = "foster_carer", _("Foster carer")


# How the relationship reads from the other side: the mother's family lists her child.
INVERSE_LABELS: dict[str, Any] = {
    RelationshipKind.MOTHER: _("Child"),
    RelationshipKind.FATHER: _("Child"),
    RelationshipKind.SIBLING: _("Brother or sister"),
    RelationshipKind.GRANDPARENT: _("Grandchild"),
    RelationshipKind.OTHER_RELATIVE: _("Other relative"),
    RelationshipKind.LEGAL_GUARDIAN: _("Ward"),
    RelationshipKind.FOSTER_CARER: _("Foster child"),
}
CARE_KINDS = frozenset({RelationshipKind.LEGAL_GUARDIAN, RelationshipKind.FOSTER_CARER})


class LegalBasis(models.TextChoices):
    COURT_DECISION = "court_decision", _("Court decision")
    GUARDIANSHIP_AUTHORITY = "guardianship_authority", _("Decision of the guardianship authority")
    FOSTER_AGREEMENT = "foster_agreement", _("Foster care agreement")
    TEMPORARY = "temporary", _("Temporary placement order")
    OTHER = "other", _("Other legal basis")


class Relationship(EnteredModel):
    """``relative`` is the ``kind`` of ``person`` (the mother of the child). Guardianship
    and foster care carry their legal basis and dates."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships")
    relative = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="relationships_as_relative"
    )
    kind = models.CharField(_("relationship"), max_length=16, choices=RelationshipKind.choices)
    legal_basis = models.CharField(
        _("legal basis"), max_length=24, choices=LegalBasis.choices, blank=True
    )
    basis_reference = models.CharField(
        _("decision number and date"),
        max_length=200,
        blank=True,
        validators=[reject_control_chars],
    )
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(
        _("note"), max_length=300, blank=True, validators=[reject_control_chars]
    )

    class Meta:
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        ordering = ["kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "relative", "kind"], name="relationship_unique"
            ),
            models.CheckConstraint(
                condition=~Q(person=F("relative")), name="relationship_not_self"
            ),
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    def clean(self) -> None:
        errors = {}
        if self.person_id and self.person_id == self.relative_id:
            errors["relative"] = _("A person cannot be their own relative.")
        if self.kind == RelationshipKind.LEGAL_GUARDIAN and not self.legal_basis:
            errors["legal_basis"] = _("Guardianship needs its legal basis.")
        if self.legal_basis and self.kind not in CARE_KINDS:
            errors["legal_basis"] = _(
                "A legal basis is recorded for guardianship and foster care only."
            )
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end cannot be before the start.")
        if self.start_date and self.start_date.year < 1900:
            errors["start_date"] = _("The date is before 1900.")
        if errors:
            raise ValidationError(errors)

    @property
    def current(self) -> bool:
        return not self.end_date or self.end_date >= timezone.localdate()


class Household(EnteredModel):
    """Where a child lives and with whom."""

    label = models.CharField(_("household"), max_length=200, validators=[reject_control_chars])
    region = models.ForeignKey(
        "organisations.Region",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("region"),
    )
    locality = models.CharField(
        _("town or village"), max_length=200, blank=True, validators=[reject_control_chars]
    )

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.label


class HouseholdMember(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="household_memberships"
    )
    is_head = models.BooleanField(_("head of household"), default=False)
    since = models.DateField(_("lives here since"), null=True, blank=True)
    until = models.DateField(_("moved out"), null=True, blank=True)

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        constraints = [
            # One current household per person.
            models.UniqueConstraint(
                fields=["person"], condition=Q(until__isnull=True), name="household_one_current"
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_id}:{self.person_id}"


class MergeState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class MergeRequest(models.Model):
    """Two records of one person: a registering worker asks, a supervisor decides. On
    approval the duplicate's names, documents, relationships and cases move to ``kept``."""

    kept = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    duplicate = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(
        _("why they are one person"), max_length=1000, validators=[reject_control_chars]
    )
    state = models.CharField(
        _("state"), max_length=10, choices=MergeState.choices, default=MergeState.REQUESTED
    )
    requested_by = user_fk()
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = user_fk(null=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(
        _("decision note"), max_length=1000, blank=True, validators=[reject_control_chars]
    )

    class Meta:
        verbose_name = _("merge request")
        verbose_name_plural = _("merge requests")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(kept=F("duplicate")), name="merge_not_self"),
            models.UniqueConstraint(
                fields=["duplicate"],
                condition=Q(state="requested"),
                name="merge_one_open_per_duplicate",
            ),
        ]

    def __str__(self) -> str:
        return f"merge {self.duplicate_id} → {self.kept_id} ({self.state})"


class DuplicateDismissal(models.Model):
    """ "A different person, register anyway": the worker's reason, kept for review."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    reason = models.CharField(_("reason"), max_length=500, validators=[reject_control_chars])
    decided_by = user_fk()
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("duplicate dismissed")
        verbose_name_plural = _("duplicates dismissed")

    def __str__(self) -> str:
        return f"{self.person_id} is not {self.candidate_id}"
