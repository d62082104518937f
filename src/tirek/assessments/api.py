"""Instruments and assessments in the JSON API. Case policy everywhere: 404 when not visible."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from tirek.access.policy import Section, can_see, get_case
from tirek.core.http import AuthenticatedHttpRequest
from tirek.core.patching import patch_changes
from tirek.core.validation import BoundedDate, CleanStr

from . import selectors, services
from .models import Assessment, InstrumentVersion

instruments_router = Router(tags=["assessments"])
case_router = Router(tags=["assessments"])
router = Router(tags=["assessments"])

VERSION = Field(..., ge=1, le=2_000_000_000)


class InstrumentOut(Schema):
    code: str
    kind: str
    subject: str
    version: int
    title: str
    licence: str
    min_age: int | None
    max_age: int | None
    languages: list[str]
    # Languages whose text is a working translation of a validated instrument, not validated.
    unvalidated_languages: list[str]


class InstrumentDetailOut(InstrumentOut):
    definition: dict[str, Any]


class AssessmentScoreOut(Schema):
    domain: str
    title: str
    score: int
    max_score: int
    severity: str
    red_flag: bool
    is_total: bool


class AssessmentOut(Schema):
    id: int
    case_id: int
    instrument: str
    instrument_version: int
    kind: str
    status: str
    assessed_on: date
    version: int
    completed_at: datetime | None
    overall_severity: str
    scores: list[AssessmentScoreOut]


class AssessmentDetailOut(AssessmentOut):
    answers: dict[str, Any]
    own_views: str
    remarks: str
    hidden_domains: list[str]


class AssessmentIn(Schema):
    instrument: CleanStr = Field(..., min_length=1, max_length=64)
    assessed_on: BoundedDate | None = None


class AssessmentAnswersIn(Schema):
    version: int = VERSION
    answers: dict[str, Any] = Field(default_factory=dict, max_length=500)
    own_views: CleanStr | None = Field(None, max_length=services.OWN_VIEWS_MAX)
    remarks: CleanStr | None = Field(None, max_length=1000)
    assessed_on: BoundedDate | None = None


class AssessmentVersionIn(Schema):
    version: int = VERSION


def _instrument(version: InstrumentVersion) -> dict[str, Any]:
    return {
        "code": version.instrument.code,
        "kind": version.instrument.kind,
        "subject": version.instrument.subject,
        "version": version.number,
        "title": version.display_title,
        "licence": version.licence,
        "min_age": version.min_age,
        "max_age": version.max_age,
        "languages": version.languages,
        "unvalidated_languages": list(version.parsed.data.get("unvalidated_languages", [])),
    }


def assessment_out(assessment: Assessment) -> dict[str, Any]:
    definition = assessment.instrument_version.parsed
    return {
        "id": assessment.pk,
        "case_id": assessment.case_id,
        "instrument": assessment.instrument_version.instrument.code,
        "instrument_version": assessment.instrument_version.number,
        "kind": assessment.kind,
        "status": assessment.status,
        "assessed_on": assessment.assessed_on,
        "version": assessment.version,
        "completed_at": assessment.completed_at,
        "overall_severity": assessment.overall_severity,
        "scores": [
            {
                "domain": s.domain,
                "title": definition.domain_title(s.domain),
                "score": s.score,
                "max_score": s.max_score,
                "severity": s.severity,
                "red_flag": s.red_flag,
                "is_total": s.is_total,
            }
            for s in assessment.scores.all()
        ],
    }


def _detail(request: AuthenticatedHttpRequest, assessment: Assessment) -> dict[str, Any]:
    definition = assessment.instrument_version.parsed
    hidden: list[str] = []
    answers = assessment.answers
    if not can_see(request.user, assessment.case, Section.PSYCHOLOGICAL):
        hidden = [d.code for d in definition.domains if d.psychological]
        private = {q.code for d in definition.domains if d.psychological for q in d.questions}
        answers = {code: value for code, value in answers.items() if code not in private}
    return {
        **assessment_out(assessment),
        "answers": answers,
        "own_views": assessment.own_views,
        "remarks": assessment.remarks,
        "hidden_domains": hidden,
    }


@instruments_router.get("", response=list[InstrumentOut])
def instrument_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_instrument(v) for v in selectors.current_instruments()]


@instruments_router.get("/{code}", response=InstrumentDetailOut)
def instrument_detail(
    request: HttpRequest, code: str, version: int | None = None
) -> dict[str, Any]:
    qs = InstrumentVersion.objects.select_related("instrument").filter(instrument__code=code)
    found = (qs.filter(number=version) if version else qs.order_by("-number")).first()
    if found is None:
        raise Http404
    return {**_instrument(found), "definition": found.definition}


@case_router.get("/{case_id}/assessments", response=list[AssessmentOut])
def case_assessment_list(request: AuthenticatedHttpRequest, case_id: int) -> list[dict[str, Any]]:
    case = get_case(request.user, case_id, section=Section.PLAN, request=request)
    return [assessment_out(a) for a in selectors.case_assessments(case)]


@case_router.post("/{case_id}/assessments", response={201: AssessmentDetailOut})
def case_assessment_create(
    request: AuthenticatedHttpRequest, case_id: int, payload: AssessmentIn
) -> Status:
    assessment = services.assessment_create(
        user=request.user,
        case_id=case_id,
        instrument_code=payload.instrument,
        assessed_on=payload.assessed_on,
        request=request,
    )
    fresh = selectors.assessment_for(request.user, assessment.pk, audit=False)
    return Status(201, _detail(request, fresh))


@router.get("/{assessment_id}", response=AssessmentDetailOut)
def assessment_get(request: AuthenticatedHttpRequest, assessment_id: int) -> dict[str, Any]:
    return _detail(request, selectors.assessment_for(request.user, assessment_id, request=request))


@router.patch("/{assessment_id}", response=AssessmentDetailOut)
def assessment_patch(
    request: AuthenticatedHttpRequest, assessment_id: int, payload: AssessmentAnswersIn
) -> dict[str, Any]:
    # The PATCH rule: null clears own views and remarks, is refused on the date; the
    # service reads a missing (None) value as unchanged.
    data = patch_changes(payload, Assessment)
    services.assessment_answer(
        user=request.user,
        assessment_id=assessment_id,
        expected_version=payload.version,
        answers=data.get("answers") or {},
        own_views=data.get("own_views"),
        remarks=data.get("remarks"),
        assessed_on=data.get("assessed_on"),
        request=request,
    )
    return _detail(request, selectors.assessment_for(request.user, assessment_id, audit=False))


@router.post("/{assessment_id}/complete", response=AssessmentDetailOut)
def assessment_complete(
    request: AuthenticatedHttpRequest, assessment_id: int, payload: AssessmentVersionIn
) -> dict[str, Any]:
    services.assessment_complete(
        user=request.user,
        assessment_id=assessment_id,
        expected_version=payload.version,
        request=request,
    )
    return _detail(request, selectors.assessment_for(request.user, assessment_id, audit=False))


@router.delete("/{assessment_id}", response={204: None})
def assessment_delete(
    request: AuthenticatedHttpRequest,
    assessment_id: int,
    version: int = Query(..., ge=1, le=2_000_000_000),
) -> Status:
    services.assessment_discard(
        user=request.user, assessment_id=assessment_id, expected_version=version, request=request
    )
    return Status(204, None)
