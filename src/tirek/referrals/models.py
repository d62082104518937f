"""The service directory, referrals between agencies, and in-app notifications.

A referral shares the minimum: the sections the referrer chose. Accepting it puts the
receiving worker on the case team with exactly those sections; declining or withdrawing
takes back only what the referral itself gave (``Referral.membership``).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tirek.accounts.roles import Role
from tirek.core.fields import encrypted_text, user_fk
from tirek.core.models import VersionedModel
from tirek.core.validation import reject_control_chars

# Languages a provider may work in: the country languages plus those returnees often speak.
LANGUAGES = [
    ("ru", _("Russian")),
    ("kk", _("Kazakh")),
    ("uz", _("Uzbek")),
    ("tg", _("Tajik")),
    ("ky", _("Kyrgyz")),
    ("en", _("English")),
    ("ar", _("Arabic")),
]
LANGUAGE_CODES = frozenset(code for code, _label in LANGUAGES)

# Roles a referral may give the receiving worker on the case team. A supervisor comes
# with the unit, never through a referral; an interviewer through an interview request.
REFERRAL_ROLES = [
    (role.value, role.label)
    for role in (
        Role.PSYCHOLOGIST,
        Role.SOCIAL_WORKER,
        Role.LAWYER,
        Role.SCHOOL_LIAISON,
        Role.HEALTH_WORKER,
        Role.RELIGIOUS_COUNSELLOR,
        Role.CASE_MANAGER,
    )
]


class ServiceCategory(models.TextChoices):
    PSYCHOLOGICAL = "psychological", _("Psychological support")
    MEDICAL = "medical", _("Medical care")
    LEGAL_AID = "legal_aid", _("Legal aid")
    EDUCATION = "education", _("Education")
    VOCATIONAL = "vocational", _("Vocational training")
    BENEFITS = "benefits", _("Social benefits")
    HOUSING = "housing", _("Housing")
    RELIGIOUS = "religious", _("Religious counselling")
    FAMILY_MEDIATION = "family_mediation", _("Family mediation")
    OTHER = "other", _("Other")


class Provider(VersionedModel):
    """An agency, or a unit inside one, that offers services to referred people."""

    agency = models.ForeignKey(
        "organisations.Agency",
        on_delete=models.PROTECT,
        related_name="service_providers",
        verbose_name=_("agency"),
    )
    unit = models.ForeignKey(
        "organisations.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_providers",
        verbose_name=_("unit"),
    )
    name = models.CharField(_("name"), max_length=200, validators=[reject_control_chars])
    description = models.TextField(
        _("description"), max_length=2000, blank=True, validators=[reject_control_chars]
    )
    # A served region includes every district under it.
    regions = models.ManyToManyField(
        "organisations.Region", related_name="service_providers", verbose_name=_("regions served")
    )
    # Stored as ",ru,kk," so "works in Kazakh" is one portable LIKE filter on both databases.
    languages_csv = models.CharField(_("languages"), max_length=64, blank=True)
    contact_name = models.CharField(
        _("contact person"), max_length=200, blank=True, validators=[reject_control_chars]
    )
    phone = models.CharField(
        _("phone"), max_length=64, blank=True, validators=[reject_control_chars]
    )
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    address = models.CharField(
        _("address"), max_length=300, blank=True, validators=[reject_control_chars]
    )
    hours = models.CharField(
        _("opening hours"), max_length=200, blank=True, validators=[reject_control_chars]
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="provider_unique_agency_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def languages(self) -> list[str]:
        return [code for code in self.languages_csv.split(",") if code]

    @languages.setter
    def languages(self, codes: list[str]) -> None:
        ordered = [code for code, _label in LANGUAGES if code in set(codes)]
        self.languages_csv = f",{','.join(ordered)}," if ordered else ""

    def language_labels(self) -> list[str]:
        labels = dict(LANGUAGES)
        return [str(labels[c]) for c in self.languages if c in labels]


class Service(VersionedModel):
    """One service a provider offers, with its capacity and usual waiting time."""

    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="services", verbose_name=_("provider")
    )
    category = models.CharField(_("category"), max_length=32, choices=ServiceCategory.choices)
    name = models.CharField(_("name"), max_length=200, validators=[reject_control_chars])
    description = models.TextField(
        _("description"), max_length=2000, blank=True, validators=[reject_control_chars]
    )
    # How many people the service can take at once; empty: not limited / not known.
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    waiting_days = models.PositiveIntegerField(_("usual waiting time, days"), null=True, blank=True)
    # The role the receiving worker usually plays on the case (a default for new referrals).
    default_role = models.CharField(
        _("usual role on the case"), max_length=32, choices=REFERRAL_ROLES, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Lower-cased names and description of the service and its provider: SQLite compares
    # only ASCII case-insensitively, so Cyrillic search goes through this column.
    search_text = models.TextField(blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["provider__name", "name"]
        indexes = [models.Index(fields=["category", "is_active"], name="service_category_idx")]

    def __str__(self) -> str:
        return f"{self.name} — {self.provider.name}"

    def build_search_text(self) -> str:
        provider = self.provider
        parts = [self.name, self.description, provider.name, provider.agency.name]
        return " ".join(p for p in parts if p).lower()


class Urgency(models.TextChoices):
    ROUTINE = "routine", pgettext_lazy("urgency", "Routine")
    PRIORITY = "priority", pgettext_lazy("urgency", "Priority")
    URGENT = "urgent", pgettext_lazy("urgency", "Urgent")


class ReferralStatus(models.TextChoices):
    SENT = "sent", pgettext_lazy("referral status", "Sent")
    ACCEPTED = "accepted", pgettext_lazy("referral status", "Accepted")
    DECLINED = "declined", pgettext_lazy("referral status", "Declined")
    IN_PROGRESS = "in_progress", pgettext_lazy("referral status", "In progress")
    COMPLETED = "completed", pgettext_lazy("referral status", "Completed")
    WITHDRAWN = "withdrawn", pgettext_lazy("referral status", "Withdrawn")


OPEN_STATUSES = (ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS)


def due_date_of(status: str, respond_by: date | None, complete_by: date | None) -> date | None:
    """A referral's next deadline: an answer while sent, completion while accepted or in
    progress; none once answered for good."""
    if status == ReferralStatus.SENT:
        return respond_by
    if status in (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS):
        return complete_by
    return None


class Referral(VersionedModel):
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="referrals", verbose_name=_("case")
    )
    # The plan intervention this referral carries out, when it comes from the plan. The plans
    # app is optional for this one, so the link is an id resolved lazily (see selectors).
    intervention_id = models.PositiveBigIntegerField(_("plan intervention"), null=True, blank=True)
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("provider")
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("service"),
    )
    # The receiving worker, when the referrer names one; otherwise anyone at the provider
    # holding ``role`` may accept, and becomes the receiver.
    to_user = user_fk(_("receiving worker"), null=True, related_name="incoming_referrals")
    role = models.CharField(_("role on the case"), max_length=32, choices=REFERRAL_ROLES)
    reason = encrypted_text(_("reason"))
    urgency = models.CharField(
        _("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    # The sections shared with the receiver (always including "core"): the minimum needed.
    sections = models.JSONField(_("shared sections"), default=list)
    status = models.CharField(
        _("status"), max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    # Consent: covered at sending time, or a supervisor's recorded legal basis.
    consent_covered = models.BooleanField(_("covered by consent"), default=False)
    legal_basis = encrypted_text(_("legal basis"), blank=True)
    legal_basis_by = user_fk(_("legal basis recorded by"), null=True)
    respond_by = models.DateField(_("answer due"))
    complete_by = models.DateField(_("completion due"))
    decline_reason = encrypted_text(_("reason for declining"), blank=True)
    withdraw_reason = encrypted_text(_("reason for withdrawing"), blank=True)
    outcome = encrypted_text(_("outcome"), blank=True)
    # The team membership this referral created on acceptance (None if it gave none).
    membership = models.ForeignKey(
        "cases.CaseTeamMember",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_by = user_fk(_("referred by"), related_name="sent_referrals")
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["case", "created_at"], name="referral_case_idx"),
            models.Index(fields=["to_user", "status"], name="referral_to_user_idx"),
            models.Index(fields=["provider", "status"], name="referral_provider_idx"),
            models.Index(fields=["status", "respond_by"], name="referral_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} → {self.provider.name}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def due_date(self) -> date | None:
        return due_date_of(self.status, self.respond_by, self.complete_by)

    @property
    def is_overdue(self) -> bool:
        due = self.due_date
        return due is not None and due < timezone.localdate()

    def section_labels(self) -> list[str]:
        from tirek.access.policy import Section

        return [str(Section.LABELS.get(s, s)) for s in self.sections]


class ReferralEvent(models.Model):
    """One step in a referral's history (for the case timeline and the referral page)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("status"), max_length=16, choices=ReferralStatus.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = user_fk(_("who"))

    class Meta:
        verbose_name = _("referral event")
        verbose_name_plural = _("referral events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.referral_id} {self.status}"


class NotificationKind(models.TextChoices):
    REFERRAL_RECEIVED = "referral_received", _("New referral")
    REFERRAL_ACCEPTED = "referral_accepted", _("Referral accepted")
    REFERRAL_DECLINED = "referral_declined", _("Referral declined")
    REFERRAL_COMPLETED = "referral_completed", _("Referral completed")
    REFERRAL_WITHDRAWN = "referral_withdrawn", _("Referral withdrawn")
    CONFERENCE_INVITED = "conference_invited", _("Invitation to a case conference")
    CONFERENCE_ACTION = "conference_action", _("Action from a case conference")
    INTERVIEW_REQUESTED = "interview_requested", _("Interview request")
    INTERVIEW_ASSIGNED = "interview_assigned", _("Interview assigned to you")
    INTERVIEW_APPROVAL = "interview_approval", _("Repeat interview awaits approval")
    INTERVIEW_COUNT = "interview_count", _("Interview count above the threshold")
    EMERGENCY_ACCESS = "emergency_access", _("Emergency access opened to a case")
    # Told to the DPO (and administrators who may confirm) by tirek.accounts.
    ROLE_CHANGE = "role_change", _("Change of a staff account's roles")
    # Told by tirek.transfers: a request to the receiving unit's supervisors, an answer or
    # a withdrawal to the requester.
    TRANSFER_REQUESTED = "transfer_requested", _("Transfer request to your unit")
    TRANSFER_ACCEPTED = "transfer_accepted", _("Transfer accepted")
    TRANSFER_DECLINED = "transfer_declined", _("Transfer declined")
    TRANSFER_WITHDRAWN = "transfer_withdrawn", _("Transfer withdrawn")


class Notification(models.Model):
    """An in-app notice. It names only a kind, a pseudonymous label and a link: the
    details stay behind the access policy on the page it links to."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    label = models.CharField(_("about"), max_length=64, blank=True)
    url = models.CharField(_("link"), max_length=300)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id}"
