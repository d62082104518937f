"""The tamper-evident audit log.

Entries are spread over ``CHAIN_COUNT`` independent hash chains. Each entry carries
its chain's sequence number, the previous entry's MAC and its own HMAC-SHA256 over
its content. A writer locks only the head row of one chain (any free one), so
concurrent requests do not queue behind a single lock. ``tirek audit verify``
walks every chain: a changed entry fails its MAC, a deleted entry leaves a gap in
the sequence, an inserted one breaks the links, and the sealed chain heads catch
a truncated tail.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CHAIN_COUNT = 16


class AuditChain(models.Model):
    """The head of one chain: last sequence number and MAC, itself sealed."""

    id = models.PositiveSmallIntegerField(primary_key=True)
    seq = models.BigIntegerField(default=0)
    head_mac = models.CharField(max_length=64, default="")
    seal = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = _("audit chain")

    def __str__(self) -> str:
        return f"chain {self.id} at #{self.seq}"


class Action(models.TextChoices):
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOCKED_OUT = "locked_out", _("Account locked out")
    LOGOUT = "logout", _("Logout")
    READ = "read", _("Read")
    SEARCH = "search", _("Search")
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    EXPORT = "export", _("Export")
    # A person-level document handed to someone outside the system (a court, a commission,
    # another unit), with its purpose and recipient in the detail.
    DISCLOSURE = "disclosure", _("Disclosure")
    PERMISSION_CHANGE = "permission_change", _("Permission change")
    EMERGENCY_ACCESS = "emergency_access", _("Emergency access")
    TOKEN_ISSUED = "token_issued", _("API token issued")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    MFA_CHANGE = "mfa_change", _("Two-factor change")
    DENIED = "denied", _("Access denied")


class AuditEntry(models.Model):
    chain = models.PositiveSmallIntegerField()
    seq = models.BigIntegerField()
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # The actor is copied as text too: an entry must outlive the account it names.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_constraint=False,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_name = models.CharField(_("who"), max_length=150, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=32, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True, db_index=True)
    object_id = models.CharField(_("object"), max_length=64, blank=True, db_index=True)
    ip = models.CharField(_("from"), max_length=64, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    prev_mac = models.CharField(max_length=64)
    mac = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="auditentry_chain_seq_unique")
        ]
        indexes = [models.Index(fields=["object_type", "object_id", "at"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.object_type}"
