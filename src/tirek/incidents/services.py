"""Writes on incidents: transactional, audited, each checked against the policy.

Cases are named by the caller (ids or numbers); one the user may not write incidents on
is refused with the same message as a missing one. The child's own account needs the
interviews app's safeguards (see ``tirek.incidents.models``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tirek.access import policy
from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.cases.models import Case
from tirek.core.validation import clean_text
from tirek.justice.dates import check_date

from .models import Incident, IncidentAction, IncidentType, Place

MAX_CASES = 20
ACTION_HORIZON = timedelta(days=366)
# Roles that record incidents anywhere; a school liaison alone records school incidents.
ANY_PLACE_ROLES = frozenset(
    {Role.CASE_MANAGER, Role.SOCIAL_WORKER, Role.PSYCHOLOGIST, Role.SUPERVISOR}
)


def _writable_cases(by: User, refs: Iterable[Any]) -> list[Case]:
    """The cases named by id or number, each one on which ``by`` may write incidents."""
    refs = [str(r).strip() for r in refs if str(r).strip()]
    if not refs:
        raise ValidationError({"cases": _("Link the incident to at least one case.")})
    if len(refs) > MAX_CASES:
        raise ValidationError({"cases": _("Too many cases.")})
    found: list[Case] = []
    allowed = policy.cases_with_section(by, Incident.SECTION)
    for ref in dict.fromkeys(refs):
        lookup = {"pk": int(ref)} if ref.isdigit() else {"number": ref}
        case = allowed.filter(**lookup).select_related("person").first()
        if case is None or not policy.can_write(by, case, Incident.SECTION):
            raise ValidationError(
                {"cases": _("No case %(ref)s that you may record incidents on.") % {"ref": ref}}
            )
        if case not in found:
            found.append(case)
    return found


def _check_account(
    cases: list[Case], child_account: str, interview_id: Any, trusted_adult: str, consent: bool
) -> Any:
    """The interviews app's safeguards for a child's account; returns the interview."""
    if interview_id in (None, ""):
        interview = None
    else:
        from tirek.interviews.models import Interview, InterviewStatus

        interview = Interview.objects.filter(
            pk=int(interview_id) if str(interview_id).isdigit() else -1,
            case__in=cases,
            status=InterviewStatus.HELD,
        ).first()
        if interview is None:
            raise ValidationError(
                {"account_interview": _("No held interview of these cases with this number.")}
            )
    if child_account and interview is None and not (trusted_adult and consent):
        raise ValidationError(
            {
                "child_account": _(
                    "The child's own account needs a held interview, or the trusted adult "
                    "who was present and the consent to talk with the child."
                )
            }
        )
    return interview


@transaction.atomic
def incident_record(
    *,
    by: User,
    cases: Iterable[Any],
    kind: str,
    place: str,
    occurred_on: date,
    reported_by: str,
    description: str = "",
    child_account: str = "",
    account_interview: Any = None,
    account_trusted_adult: str = "",
    account_consent: bool = False,
    request: HttpRequest | None = None,
) -> Incident:
    linked = _writable_cases(by, cases)
    if kind not in IncidentType.values:
        raise ValidationError({"kind": _("Choose one of the listed values.")})
    if place not in Place.values:
        raise ValidationError({"place": _("Choose one of the listed values.")})
    if place != Place.SCHOOL and not (by.role_set & ANY_PLACE_ROLES):
        raise ValidationError({"place": _("A school liaison records incidents at school.")})
    check_date(occurred_on, "occurred_on", past=True)
    child_account = clean_text(child_account, "child_account")
    trusted = clean_text(account_trusted_adult, "account_trusted_adult", limit=200)
    interview = _check_account(linked, child_account, account_interview, trusted, account_consent)
    first = linked[0]
    incident = Incident(
        kind=kind,
        place=place,
        occurred_on=occurred_on,
        reported_by=clean_text(reported_by, "reported_by", required=True, limit=200),
        description=clean_text(description, "description"),
        child_account=child_account,
        account_interview=interview,
        account_trusted_adult=trusted,
        account_consent=bool(account_consent),
        region_id=first.region_id,
        unit_id=first.supervising_unit_id,
        recorded_by=by,
    )
    incident.full_clean(exclude=["recorded_by", "region", "unit", "account_interview"])
    incident.save()
    incident.cases.set(linked)
    record(
        actor=by,
        action=Action.CREATE,
        obj=incident,
        request=request,
        detail={"cases": [c.pk for c in linked], "section": Incident.SECTION, "kind": kind},
    )
    return incident


def _writable_incident(by: User, incident: Incident) -> None:
    if not any(policy.can_write(by, c, Incident.SECTION) for c in incident.cases.all()):
        raise PermissionDenied(_("You may read this incident but not change it."))


@transaction.atomic
def action_add(
    *,
    by: User,
    incident: Incident,
    description: str,
    owner: User,
    due_date: date,
    request: HttpRequest | None = None,
) -> IncidentAction:
    """An action taken on the incident; the owner must be able to see the incident."""
    _writable_incident(by, incident)
    cases = list(incident.cases.all())
    if not any(policy.can_see(owner, c, Incident.SECTION) for c in cases):
        raise ValidationError({"owner": _("The owner must work on one of the incident's cases.")})
    check_date(due_date, "due_date")
    if due_date < incident.occurred_on:
        raise ValidationError({"due_date": _("The due date is before the incident.")})
    if due_date > timezone.localdate() + ACTION_HORIZON:
        raise ValidationError({"due_date": _("The date is too far in the future.")})
    action = IncidentAction(
        incident=incident,
        description=clean_text(description, "description", required=True, limit=300),
        owner=owner,
        due_date=due_date,
        created_by=by,
    )
    action.full_clean(exclude=["incident", "owner", "created_by"])
    action.save()
    record(
        actor=by,
        action=Action.CREATE,
        obj=action,
        request=request,
        detail={"incident": incident.pk, "owner": owner.pk, "due": due_date.isoformat()},
    )
    return action


@transaction.atomic
def action_done(
    *, by: User, action: IncidentAction, request: HttpRequest | None = None
) -> IncidentAction:
    _writable_incident(by, action.incident)
    if action.done_on is None:
        action.done_on = timezone.localdate()
        action.save(update_fields=["done_on"])
        record(actor=by, action=Action.UPDATE, obj=action, request=request, detail={"done": True})
    return action


@transaction.atomic
def incident_close(
    *, by: User, incident: Incident, outcome: str, request: HttpRequest | None = None
) -> Incident:
    _writable_incident(by, incident)
    incident.outcome = clean_text(outcome, "outcome", required=True)
    incident.closed_on = timezone.localdate()
    incident.save(update_fields=["outcome", "closed_on"])
    record(actor=by, action=Action.UPDATE, obj=incident, request=request, detail={"closed": True})
    return incident
