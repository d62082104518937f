"""Staff accounts, their roles, competencies and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tirek.core.fields import user_fk

from .roles import Role


class User(AbstractUser):
    """A staff account, tied to an agency, a unit and a region."""

    agency = models.ForeignKey(
        "organisations.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("agency"),
    )
    unit = models.ForeignKey(
        "organisations.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("unit"),
    )
    region = models.ForeignKey(
        "organisations.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("region"),
    )
    position = models.CharField(_("position"), max_length=200, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="ru"
    )
    # Demo accounts may skip MFA, but only while the installation runs in demo mode.
    is_demo = models.BooleanField(default=False, editable=False)
    # Set when someone else chose the password (an administrator provisioning the account
    # or setting a new password): the account is unusable until its owner picks their own.
    must_change_password = models.BooleanField(default=False, editable=False)

    # Not a field: on the user of an API request, the token the request was made with (set
    # by the bearer-token authentication, ``tirek.accounts.selectors.user_by_token``).
    current_api_token: ApiToken

    class Meta:
        verbose_name = _("staff account")
        verbose_name_plural = _("staff accounts")

    def save(self, *args: Any, **kwargs: Any) -> None:
        # ``set_password`` leaves the new password in ``_password`` until the save; Django's
        # hash upgrade at sign-in clears it first, so only a real change is caught here.
        password_changed = getattr(self, "_password", None) is not None and not self._state.adding
        if password_changed and self.must_change_password:
            self.must_change_password = False  # set again by whoever set it for someone else
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "must_change_password"}
        super().save(*args, **kwargs)
        if password_changed:
            self._revoke_api_tokens()

    def _revoke_api_tokens(self) -> None:
        """A new password ends every API token (other browser sessions end too: Django
        checks a hash of the password on each request, and allauth keeps only the session
        that made the change)."""
        from tirek.audit.models import Action
        from tirek.audit.services import record

        revoked = ApiToken.objects.filter(user=self, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            record(
                actor=self,
                action=Action.TOKEN_REVOKED,
                obj=self,
                detail={"reason": "password changed", "tokens": revoked},
            )

    @property
    def role_set(self) -> frozenset[str]:
        """The user's roles, loaded once per request object."""
        cached: frozenset[str] | None = getattr(self, "_role_cache", None)
        if cached is None:
            cached = (
                frozenset(self.roles.values_list("role", flat=True)) if self.pk else frozenset()
            )
            self._role_cache = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    @property
    def is_system_admin(self) -> bool:
        return Role.ADMIN in self.role_set


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    granted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="userrole_unique")]

    def __str__(self) -> str:
        return str(self.get_role_display())


class Competency(models.TextChoices):
    """Skills that gate sensitive work; granted by certificates or an administrator."""

    CHILD_INTERVIEWING = "child-interviewing", _("Child-sensitive interviewing")
    TRAUMA_INFORMED = "trauma-informed", _("Trauma-informed care")
    NEEDS_ASSESSMENT = "needs-assessment", _("Needs assessment")
    CASE_MANAGEMENT = "case-management", _("Case management")
    WORKING_WITH_PARENTS = "working-with-parents", _("Working with parents")
    STIGMA = "stigma", _("Countering stigma and discrimination")
    REINTEGRATION_PLANNING = "reintegration-planning", _("Reintegration planning")
    MONITORING = "monitoring", _("Monitoring and evaluation")
    LEGAL_FRAMEWORK = "legal-framework", _("International legal framework")
    TRAINER = "trainer", _("Trainer")


class StaffCompetency(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="competencies")
    competency = models.CharField(_("competency"), max_length=48, choices=Competency.choices)
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    granted_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # Free text of where it came from ("certificate TK-…", "recorded by administrator").
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("competency")
        verbose_name_plural = _("competencies")
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        return str(self.get_competency_display())

    def is_valid(self, at: datetime | None = None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > at)


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 hash is stored."""

    PREFIX = "tirek_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"token {self.pk} of {self.user_id}"

    @staticmethod
    def hash_key(key: str) -> str:
        # Tokens are 256-bit random values, so a plain hash resists guessing; no salt needed.
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def new_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class RoleChangeRequest(models.Model):
    """A change of someone's roles or place in the organisation (agency, unit, region),
    which decides what cases they may read, or a reset of their two-factor authentication,
    which lets whoever knows the password enrol a new device. Separation of duties: a system
    administrator asks, a second person (another administrator or the data protection
    officer) confirms, and only the confirmation changes the account. Nobody asks for their
    own account."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_change_requests", verbose_name=_("for")
    )
    requested_by = user_fk(_("requested by"))
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    reason = models.TextField(_("reason"))
    roles_before = models.JSONField(_("roles before"), default=list)
    roles_after = models.JSONField(_("roles after"), default=list)
    agency_before = models.ForeignKey(
        "organisations.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agency_after = models.ForeignKey(
        "organisations.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency"),
    )
    unit_before = models.ForeignKey(
        "organisations.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit_after = models.ForeignKey(
        "organisations.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    region_before = models.ForeignKey(
        "organisations.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    region_after = models.ForeignKey(
        "organisations.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
    )
    reset_two_factor = models.BooleanField(
        _("reset two-factor authentication"),
        default=False,
        help_text=_("They lost their device: they set up a new one at their next sign-in."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    decided_by = user_fk(_("confirmed or rejected by"), null=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("role change request")
        verbose_name_plural = _("role change requests")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"role change {self.pk} for {self.user_id} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    def roles_added(self) -> list[str]:
        return sorted(set(self.roles_after) - set(self.roles_before))

    def roles_removed(self) -> list[str]:
        return sorted(set(self.roles_before) - set(self.roles_after))
