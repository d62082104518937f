"""Stigma and discrimination incidents (issue 16, part 4).

An incident is linked to one or more cases (siblings bullied together); it lives in its
own section, ``Section.INCIDENTS``: a user sees an incident through a linked case of which
the policy opens that section, and sees only those linked cases. The child's own account
is recorded only with the interviews app's safeguards: either a linked interview (held
under that app's rules), or the recorded presence of a trusted adult and the consent
given for the conversation. Actions taken have an owner and a due date; open ones show
on the owner's "my work".
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tirek.access.sections import Section
from tirek.core.fields import encrypted_text, user_fk
from tirek.core.models import CreatedByModel, RecordedByModel
from tirek.core.validation import reject_control_chars


class IncidentType(models.TextChoices):
    BULLYING = "bullying", _("Bullying at school")
    HATE_SPEECH = "hate_speech", _("Hate speech")
    SERVICE_REFUSED = "service_refused", _("Refusal of a service")
    EXPOSURE = "exposure", _("Exposure of the child's background")
    VIOLENCE = "violence", _("Violence")
    OTHER = "other", pgettext_lazy("incident type", "Other")


class Place(models.TextChoices):
    SCHOOL = "school", _("School")
    COMMUNITY = "community", _("Community or neighbourhood")
    SERVICE = "service", _("A public service")
    ONLINE = "online", _("Online")
    OTHER = "other", pgettext_lazy("place", "Other")


class Incident(RecordedByModel):
    SECTION = Section.INCIDENTS

    cases = models.ManyToManyField("cases.Case", related_name="incidents")
    kind = models.CharField(_("what happened"), max_length=24, choices=IncidentType.choices)
    place = models.CharField(_("where"), max_length=16, choices=Place.choices)
    occurred_on = models.DateField(_("date"))
    reported_by = models.CharField(
        _("who reported it"), max_length=200, validators=[reject_control_chars]
    )
    description = encrypted_text(_("what happened, in short"), blank=True)
    # The child's own account and its safeguards.
    child_account = encrypted_text(_("the child's own account"), blank=True)
    account_interview = models.ForeignKey(
        "interviews.Interview",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("interview"),
    )
    account_trusted_adult = models.CharField(
        _("trusted adult present"), max_length=200, blank=True, validators=[reject_control_chars]
    )
    account_consent = models.BooleanField(
        _("consent to talk with the child recorded"), default=False
    )
    outcome = encrypted_text(_("outcome"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # For the ministry's aggregates: the region and unit of the first linked case.
    region = models.ForeignKey(
        "organisations.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        "organisations.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["occurred_on"], name="incident_occurred_idx")]

    def __str__(self) -> str:
        return f"incident {self.pk}"


class IncidentAction(CreatedByModel):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(_("action"), max_length=300, validators=[reject_control_chars])
    owner = user_fk(_("owner"), related_name="incident_actions")
    due_date = models.DateField(_("due date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("action taken")
        verbose_name_plural = _("actions taken")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["owner", "done_on"], name="incident_action_owner_idx")]

    def __str__(self) -> str:
        return self.description
