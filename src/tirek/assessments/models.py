"""Instruments as versioned data, and the assessments filled in with them."""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tirek.core.crypto import EncryptedTextField
from tirek.core.fields import user_fk
from tirek.core.models import CreatedByModel, VersionedModel
from tirek.core.validation import reject_control_chars

from .definitions import Definition, localised
from .domains import Severity


class InstrumentKind(models.TextChoices):
    INITIAL = "initial", _("Initial assessment")
    COMPREHENSIVE = "comprehensive", _("Comprehensive needs assessment")
    SCREENING = "screening", _("Screening")


class Instrument(models.Model):
    """An assessment tool. Its content lives in versions; this row only names it."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=InstrumentKind.choices)
    subject = models.CharField(
        _("for"),
        max_length=8,
        choices=[("child", _("Child")), ("adult", _("Adult")), ("any", _("Child or adult"))],
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


_PARSED: dict[str, Definition] = {}


class InstrumentVersion(models.Model):
    """One immutable version of a definition. Responses point at the exact version they
    were given with, so changing an instrument never changes an old assessment."""

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"))
    # sha256 of the canonical JSON: loading an unchanged file creates no new version.
    checksum = models.CharField(max_length=64)
    title = models.JSONField(_("title"), default=dict)
    licence = models.CharField(_("licence"), max_length=300)
    min_age = models.PositiveSmallIntegerField(_("from age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("to age"), null=True, blank=True)
    languages = models.JSONField(_("languages"), default=list)
    loaded_at = models.DateTimeField(_("loaded"), default=timezone.now)
    source = models.CharField(_("source file"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("instrument version")
        verbose_name_plural = _("instrument versions")
        ordering = ["instrument__code", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "number"], name="instrument_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument.code} v{self.number}"

    @property
    def parsed(self) -> Definition:
        """The definition, parsed once per process: versions never change, so the parse is
        cached by content hash and list queries can leave the big JSON column deferred."""
        cached = _PARSED.get(self.checksum)
        if cached is None:
            cached = Definition(self.definition)
            if len(_PARSED) > 256:
                _PARSED.clear()
            _PARSED[self.checksum] = cached
        return cached

    @property
    def display_title(self) -> str:
        return localised(self.title)

    @staticmethod
    def canonical(definition: dict[str, Any]) -> str:
        return json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("assessment status", "Draft")
    COMPLETED = "completed", pgettext_lazy("assessment status", "Completed")


class Assessment(CreatedByModel, VersionedModel):
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="assessments", verbose_name=_("case")
    )
    instrument_version = models.ForeignKey(
        InstrumentVersion,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("instrument"),
    )
    # Copied from the instrument so "is the initial assessment done?" is one indexed query.
    kind = models.CharField(_("kind"), max_length=16, choices=InstrumentKind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    assessed_on = models.DateField(_("date of assessment"), default=timezone.localdate)
    # Answers by question code, as JSON, encrypted at rest: they are about a child's life.
    answers_json = EncryptedTextField(blank=True, default="")
    # The person's own views in their own words: a completed assessment cannot lack them.
    own_views = EncryptedTextField(
        _("the person's own views"), blank=True, default="", validators=[reject_control_chars]
    )
    # Domains that could not be assessed this time and why (e.g. "the psychologist will").
    remarks = models.CharField(
        _("remarks"), max_length=1000, blank=True, validators=[reject_control_chars]
    )
    updated_at = models.DateTimeField(auto_now=True)
    completed_by = user_fk(null=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    # The highest domain severity, for lists.
    overall_severity = models.CharField(
        _("overall"), max_length=16, choices=Severity.choices, blank=True
    )

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-assessed_on", "-id"]
        indexes = [
            models.Index(fields=["case", "kind", "status"], name="assessment_case_kind_idx"),
            models.Index(fields=["case", "assessed_on"], name="assessment_case_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_version} #{self.pk}"

    @property
    def answers(self) -> dict[str, Any]:
        return json.loads(self.answers_json) if self.answers_json else {}

    @property
    def is_draft(self) -> bool:
        return self.status == AssessmentStatus.DRAFT


class DomainScore(models.Model):
    """A completed assessment's score in one domain (or total), kept as rows so trends,
    comparisons and indicators are plain queries."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    domain = models.CharField(_("domain"), max_length=64)
    score = models.IntegerField(_("score"))
    max_score = models.IntegerField(_("maximum"))
    answered = models.PositiveIntegerField(_("answered items"))
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    red_flag = models.BooleanField(_("urgent concern"), default=False)
    is_total = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("domain score")
        verbose_name_plural = _("domain scores")
        ordering = ["assessment", "is_total", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "domain"], name="domain_score_unique")
        ]

    def __str__(self) -> str:
        return f"{self.domain}: {self.score}/{self.max_score}"

    @property
    def percent(self) -> int:
        return round(100 * self.score / self.max_score) if self.max_score else 0
