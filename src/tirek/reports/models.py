"""Exports (files made in the background, kept for a day) and imported regional exchanges.

No table here holds a count about a person: an export file contains only protected
aggregates, and so does an imported exchange (the importer refuses anything else).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Export(models.Model):
    class Kind(models.TextChoices):
        CSV = "csv", _("Table (CSV)")
        XLSX = "xlsx", _("Spreadsheet (XLSX)")
        PDF = "pdf", _("Donor report (PDF)")
        EXCHANGE = "exchange", _("Regional exchange (JSON)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("format"), max_length=16, choices=Kind.choices)
    audience = models.CharField(_("dashboard"), max_length=16)
    # Only what the dashboard filters take: year, region code, language. Never an id of a person.
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="report_exports",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="export_status_idx"),
            models.Index(fields=["requested_by", "-created_at"], name="export_user_idx"),
            models.Index(fields=["expires_at"], name="export_expires_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="export_progress_max_100"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


class ExchangeImport(models.Model):
    """Another country's anonymous aggregates, imported to compare side by side."""

    country = models.CharField(_("country"), max_length=2)
    year = models.PositiveSmallIntegerField(_("year"))
    threshold = models.PositiveSmallIntegerField(_("threshold used"))
    generated_at = models.DateTimeField(_("generated"))
    payload = models.JSONField(_("aggregates"))
    source_name = models.CharField(_("file"), max_length=200, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)

    class Meta:
        verbose_name = _("regional exchange")
        verbose_name_plural = _("regional exchanges")
        ordering = ["-year", "country", "-imported_at"]
        indexes = [models.Index(fields=["country", "year"], name="exchange_country_year_idx")]

    def __str__(self) -> str:
        return f"{self.country} {self.year}"


class CubeSnapshot(models.Model):
    """A computed, protected cube (codes and published numbers only — a hidden value is
    stored as null, never as itself), shared by every process until it is refreshed."""

    key = models.CharField(max_length=200, unique=True)
    computed_at = models.DateTimeField(db_index=True)
    payload = models.JSONField()

    class Meta:
        verbose_name = _("indicator snapshot")
        verbose_name_plural = _("indicator snapshots")

    def __str__(self) -> str:
        return self.key


class ExchangeImportJob(models.Model):
    """An upload (or ``tirek reports import-exchange FILE``) waiting for ``tirek worker`` to
    import it. The file is bounded (``exchange.MAX_BYTES``) before it is stored here, and
    dropped once imported; a refusal keeps its reasons for the person who asked."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("importing")
        DONE = "done", _("imported")
        FAILED = "failed", _("not imported")

    raw = models.BinaryField(_("file"), blank=True, editable=False)
    source_name = models.CharField(_("file"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    errors = models.JSONField(_("problems"), default=list, blank=True)
    result = models.ForeignKey(
        ExchangeImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("regional exchange import")
        verbose_name_plural = _("regional exchange imports")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source_name} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
