"""Reads for assessments, always through the case policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest

from tirek.access.policy import Section, get_case
from tirek.cases.models import Case

from .definitions import Definition
from .domains import SEVERITY_RANK, Severity
from .models import Assessment, AssessmentStatus, DomainScore, InstrumentVersion
from .services import age_on

if TYPE_CHECKING:
    from tirek.accounts.models import User


def instruments() -> QuerySet[InstrumentVersion]:
    """Every version of the instruments in use, newest first; the definition JSON stays in
    the database until a parse is needed (and is parsed once per process)."""
    return (
        InstrumentVersion.objects.filter(instrument__is_active=True)
        .select_related("instrument")
        .defer("definition")
        .order_by("instrument__code", "-number")
    )


def current_instruments() -> list[InstrumentVersion]:
    latest: dict[str, InstrumentVersion] = {}
    for version in instruments():
        latest.setdefault(version.instrument.code, version)
    return list(latest.values())


def instruments_for(case: Case, *, on: Any = None) -> list[InstrumentVersion]:
    """Instruments that suit the person's age (unknown age: all of them)."""
    from django.utils import timezone

    age = age_on(case.person.birth_date, on or timezone.localdate())
    result = []
    for version in current_instruments():
        definition = version.parsed
        if not definition.suits_age(age):
            continue
        if (
            definition.subject != "any"
            and age is not None
            and (definition.subject == "adult") != (age >= 18)
        ):
            continue
        result.append(version)
    return result


def _with_scores(qs: QuerySet[Assessment]) -> QuerySet[Assessment]:
    # The definition JSON stays in the database: parses are cached by content hash.
    return (
        qs.select_related("instrument_version__instrument", "created_by", "completed_by")
        .defer("instrument_version__definition")
        .prefetch_related(
            Prefetch("scores", queryset=DomainScore.objects.order_by("is_total", "id"))
        )
    )


def case_assessments(case: Case) -> QuerySet[Assessment]:
    """A case's assessments (the caller has opened the case through the policy)."""
    return _with_scores(Assessment.objects.filter(case=case)).order_by("-assessed_on", "-id")


def assessment_for(
    user: User, assessment_id: Any, *, request: HttpRequest | None = None, audit: bool = True
) -> Assessment:
    """One assessment if the user may see its case's plan section, else 404."""
    try:
        case_id = Assessment.objects.values_list("case_id", flat=True).get(pk=assessment_id)
    except (Assessment.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    case = get_case(user, case_id, section=Section.PLAN, request=request, audit=audit)
    assessment = _with_scores(Assessment.objects.filter(pk=assessment_id)).get()
    assessment.case = case  # the policy-checked instance, with person loaded
    return assessment


def previous_completed(assessment: Assessment) -> Assessment | None:
    """The last completed assessment with the same instrument before this one."""
    return (
        _with_scores(
            Assessment.objects.filter(
                case_id=assessment.case_id,
                status=AssessmentStatus.COMPLETED,
                instrument_version__instrument_id=assessment.instrument_version.instrument_id,
            ).exclude(pk=assessment.pk)
        )
        .filter(assessed_on__lte=assessment.assessed_on)
        .order_by("-assessed_on", "-id")
        .first()
    )


@dataclass(frozen=True)
class Change:
    domain: str
    title: str
    before: DomainScore | None
    after: DomainScore | None

    @property
    def direction(self) -> str:
        """better / worse / same / new / gone — scores measure need, so lower is better."""
        if self.before is None:
            return "new"
        if self.after is None:
            return "gone"
        before = (SEVERITY_RANK[Severity(self.before.severity)], self.before.percent)
        after = (SEVERITY_RANK[Severity(self.after.severity)], self.after.percent)
        if after < before:
            return "better"
        if after > before:
            return "worse"
        return "same"


def compare(earlier: Assessment, later: Assessment) -> list[Change]:
    definition: Definition = later.instrument_version.parsed
    before = {s.domain: s for s in earlier.scores.all()}
    after = {s.domain: s for s in later.scores.all()}
    codes = list(after) + [c for c in before if c not in after]
    return [Change(c, definition.domain_title(c), before.get(c), after.get(c)) for c in codes]


@dataclass(frozen=True)
class TrendRow:
    domain: str
    title: str
    points: list[DomainScore | None]


def trend(
    assessments: list[Assessment], instrument_code: str
) -> tuple[list[Assessment], list[TrendRow]]:
    """From a case's assessments (as ``case_assessments`` loads them): the completed ones
    with one instrument, oldest first, and a row per domain."""
    completed = sorted(
        (
            a
            for a in assessments
            if a.status == AssessmentStatus.COMPLETED
            and a.instrument_version.instrument.code == instrument_code
        ),
        key=lambda a: (a.assessed_on, a.pk),
    )
    if not completed:
        return [], []
    definition = completed[-1].instrument_version.parsed
    order: list[str] = []
    for assessment in completed:
        for score in assessment.scores.all():
            if score.domain not in order:
                order.append(score.domain)
    rows = []
    for code in order:
        points = [next((s for s in a.scores.all() if s.domain == code), None) for a in completed]
        rows.append(TrendRow(code, definition.domain_title(code), points))
    return completed, rows
