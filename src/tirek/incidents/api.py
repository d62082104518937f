"""/api/v1/incidents: stigma and discrimination incidents (INCIDENTS section).

Lists and reads go through the policy's cases with the INCIDENTS section; an incident
names only the linked cases the caller may see. Bad input: 422 problem naming the field
(RFC 9457), nothing written; a hidden case or incident: 404."""

from __future__ import annotations

from datetime import date

from ninja import Field, Query, Router, Schema, Status

from tirek.access.policy import get_case
from tirek.accounts.models import User
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.core.http import AuthenticatedHttpRequest
from tirek.core.validation import BoundedDate, CleanStr, RecordId

from . import selectors, services
from .models import Incident

router = Router(tags=["incidents"])


class IncidentActionOut(Schema):
    id: int
    description: str
    owner_id: int
    due_date: date
    done_on: date | None


class IncidentOut(Schema):
    id: int
    kind: str
    place: str
    occurred_on: date
    reported_by: str
    description: str
    child_account: str
    case_ids: list[int]
    closed_on: date | None
    outcome: str
    actions: list[IncidentActionOut]


class CaseFilter(Schema):
    case_id: RecordId


class IncidentIn(Schema):
    case_ids: list[RecordId] = Field(..., min_length=1, max_length=20)
    kind: str = Field(..., max_length=24)
    place: str = Field(..., max_length=16)
    occurred_on: BoundedDate
    reported_by: CleanStr = Field(..., min_length=1, max_length=200)
    description: CleanStr = Field("", max_length=20000)
    child_account: CleanStr = Field("", max_length=20000)
    account_interview: RecordId | None = None
    account_trusted_adult: CleanStr = Field("", max_length=200)
    account_consent: bool = False


def _out(user: User, incident: Incident) -> IncidentOut:
    return IncidentOut(
        id=incident.pk,
        kind=incident.kind,
        place=incident.place,
        occurred_on=incident.occurred_on,
        reported_by=incident.reported_by,
        description=incident.description,
        child_account=incident.child_account,
        case_ids=[c.pk for c in selectors.linked_cases(user, incident)],
        closed_on=incident.closed_on,
        outcome=incident.outcome,
        actions=[
            IncidentActionOut(
                id=a.pk,
                description=a.description,
                owner_id=a.owner_id,
                due_date=a.due_date,
                done_on=a.done_on,
            )
            for a in incident.actions.all()
        ],
    )


@router.get("", response=list[IncidentOut])
def incident_list(
    request: AuthenticatedHttpRequest, filters: Query[CaseFilter]
) -> list[IncidentOut]:
    user = request.user
    case = get_case(user, filters.case_id, section=Incident.SECTION, request=request)
    return [_out(user, i) for i in selectors.case_incidents(user, case)]


@router.get("/{incident_id}", response=IncidentOut)
def incident_detail(request: AuthenticatedHttpRequest, incident_id: int) -> IncidentOut:
    user = request.user
    incident = selectors.incident_get(user, incident_id)
    shown = _out(user, incident)
    # The cases it shows, so that the entry says whose incident was read.
    detail = {"cases": shown.case_ids}
    record(actor=user, action=Action.READ, obj=incident, request=request, detail=detail)
    return shown


@router.post("", response={201: IncidentOut})
def incident_create(request: AuthenticatedHttpRequest, payload: IncidentIn) -> Status:
    user = request.user
    incident = services.incident_record(
        by=user,
        cases=payload.case_ids,
        kind=payload.kind,
        place=payload.place,
        occurred_on=payload.occurred_on,
        reported_by=payload.reported_by,
        description=payload.description,
        child_account=payload.child_account,
        account_interview=payload.account_interview,
        account_trusted_adult=payload.account_trusted_adult,
        account_consent=payload.account_consent,
        request=request,
    )
    return Status(201, _out(user, incident))
