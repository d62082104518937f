"""Writes for instruments and assessments: one function per use case, each audited."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tirek.access.policy import Section, can_write, get_case
from tirek.audit.models import Action
from tirek.audit.services import record, save_recorded
from tirek.cases.models import Case, CaseStatus
from tirek.core.content_i18n import Overlays, complete_languages, load_overlays, translate
from tirek.core.exceptions import Conflict, Refused
from tirek.core.validation import reject_control_chars
from tirek.core.versioning import check_version, update_versioned

from .definitions import Definition, check_definition
from .domains import SEVERITY_RANK, Severity
from .models import Assessment, AssessmentStatus, DomainScore, Instrument, InstrumentVersion
from .signals import assessment_completed

if TYPE_CHECKING:
    from tirek.accounts.models import User

INSTRUMENTS_DIR = Path(__file__).parent / "instruments"
# Kazakh, Uzbek and Tajik texts: {English text: translation} per language (core.content_i18n).
INSTRUMENT_OVERLAYS_DIR = INSTRUMENTS_DIR / "i18n"
OWN_VIEWS_MAX = 4000


# --- instruments -----------------------------------------------------------------------


@dataclass(frozen=True)
class LoadResult:
    code: str
    number: int
    created: bool


def instruments_load(*, paths: list[Path] | None = None) -> list[LoadResult]:
    """Load definitions from JSON files. A changed definition becomes a new version (old
    responses keep theirs); an unchanged one is left alone. All files or none."""
    files = paths or sorted(INSTRUMENTS_DIR.glob("*.json"))
    try:
        overlays = load_overlays(INSTRUMENT_OVERLAYS_DIR)
    except (OSError, ValueError) as exc:
        raise ValidationError(f"{INSTRUMENT_OVERLAYS_DIR}: {exc}") from exc
    parsed: list[tuple[Path, dict[str, Any]]] = []
    for path in files:
        try:
            data = with_translations(json.loads(Path(path).read_text(encoding="utf-8")), overlays)
        except (OSError, ValueError) as exc:
            raise ValidationError(f"{path}: {exc}") from exc
        try:
            check_definition(data)
        except ValueError as exc:
            raise ValidationError(f"{path}: {exc}") from exc
        parsed.append((Path(path), data))
    results = []
    with transaction.atomic():
        for path, data in parsed:
            results.append(_load_one(data, source=path.name))
    return results


def with_translations(data: Any, overlays: Overlays) -> Any:
    """The definition with the overlay languages merged in, so that a translation is part of
    the instrument version: a new or changed translation makes a new version, an unchanged
    one loads as the same version.

    A language is listed in ``languages`` once it translates every text. For an instrument
    validated only in some languages (``validated_in``), every other language is listed in
    ``unvalidated_languages``: the form then shows the instrument's ``translation_note``
    (a working translation, not validated).
    """
    if not isinstance(data, dict):
        return data  # check_definition reports it
    translated = translate(data, overlays)
    languages = [str(language) for language in data.get("languages") or []]
    languages += [lang for lang in complete_languages(data, overlays) if lang not in languages]
    translated["languages"] = languages
    validated_in = data.get("validated_in")
    if isinstance(validated_in, list):
        translated["unvalidated_languages"] = [
            language for language in languages if language not in validated_in
        ]
    return translated


def _load_one(data: dict[str, Any], *, source: str) -> LoadResult:
    canonical = InstrumentVersion.canonical(data)
    checksum = hashlib.sha256(canonical.encode()).hexdigest()
    instrument, _created = Instrument.objects.select_for_update().get_or_create(
        code=data["code"], defaults={"kind": data["kind"], "subject": data["subject"]}
    )
    latest = instrument.versions.order_by("-number").first()
    if latest is not None and latest.checksum == checksum:
        return LoadResult(instrument.code, latest.number, created=False)
    # Kind and subject follow the newest definition; versions keep their own copy.
    Instrument.objects.filter(pk=instrument.pk).update(kind=data["kind"], subject=data["subject"])
    ages = data.get("ages") or {}
    version = InstrumentVersion(
        instrument=instrument,
        number=(latest.number + 1) if latest else 1,
        definition=json.loads(canonical),
        checksum=checksum,
        title=data["title"],
        licence=str(data["licence"]["name"])[:300],
        min_age=ages.get("min"),
        max_age=ages.get("max"),
        languages=list(data.get("languages", [])),
        source=source[:300],
    )
    version.full_clean()
    version.save()
    record(
        actor="tirek instruments load",
        action=Action.CREATE,
        obj=version,
        detail={"instrument": instrument.code, "version": version.number},
    )
    return LoadResult(instrument.code, version.number, created=True)


def current_version(code: str) -> InstrumentVersion:
    version = (
        InstrumentVersion.objects.filter(instrument__code=code, instrument__is_active=True)
        .select_related("instrument")
        .order_by("-number")
        .first()
    )
    if version is None:
        raise Http404
    return version


# --- helpers ---------------------------------------------------------------------------


def age_on(birth_date: date | None, day: date) -> int | None:
    if birth_date is None:
        return None
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return max(years, 0)


def assessment_age(assessment: Assessment) -> int | None:
    return age_on(assessment.case.person.birth_date, assessment.assessed_on)


def fillable_domains(user: User, case: Case, definition: Definition) -> set[str]:
    """Domains this user may answer: psychological ones need the psychological section."""
    psychological = can_write(user, case, Section.PSYCHOLOGICAL)
    return {d.code for d in definition.domains if psychological or not d.psychological}


def check_writable(user: User, case: Case) -> None:
    """Team members and supervisors write; emergency access only lets one read."""
    if not can_write(user, case, Section.PLAN):
        raise PermissionDenied(_("Emergency access lets you read this case, not change it."))


def _check_open(case: Case) -> None:
    if case.status == CaseStatus.CLOSED:
        raise Refused(_("The case is closed; reopen it before adding assessments."))


def _check_assessed_on(value: date, case: Case) -> None:
    today = timezone.localdate()
    if value > today:
        raise ValidationError({"assessed_on": _("The date of assessment cannot be in the future.")})
    earliest = timezone.localtime(case.opened_at).date() - timedelta(days=366)
    if value < earliest:
        raise ValidationError(
            {"assessed_on": _("The date of assessment is long before the case was opened.")}
        )


def _locked_draft(user: User, assessment_id: Any, expected_version: int) -> Assessment:
    from .selectors import assessment_for

    assessment = assessment_for(user, assessment_id, audit=False)
    check_writable(user, assessment.case)
    if assessment.status != AssessmentStatus.DRAFT:
        raise Refused(_("A completed assessment cannot be changed; start a re-assessment."))
    check_version(
        assessment.version,
        expected_version,
        _("Someone else saved this assessment; reload it and try again."),
    )
    return assessment


# --- assessments -----------------------------------------------------------------------


@transaction.atomic
def assessment_create(
    *,
    user: User,
    case_id: Any,
    instrument_code: str,
    assessed_on: date | None = None,
    request: HttpRequest | None = None,
) -> Assessment:
    case = get_case(user, case_id, section=Section.PLAN, request=request, audit=False)
    check_writable(user, case)
    _check_open(case)
    version = current_version(instrument_code)
    definition = version.parsed
    if definition.all_psychological and not can_write(user, case, Section.PSYCHOLOGICAL):
        raise Refused(_("Only the psychologist on the case fills in this instrument."))
    assessed_on = assessed_on or timezone.localdate()
    _check_assessed_on(assessed_on, case)
    age = age_on(case.person.birth_date, assessed_on)
    if not definition.suits_age(age):
        raise ValidationError(
            {"instrument": _("This instrument is not meant for a person of this age.")}
        )
    if definition.subject != "any" and age is not None:
        adult = age >= 18
        if (definition.subject == "adult") != adult:
            raise ValidationError(
                {"instrument": _("This instrument is not meant for a person of this age.")}
            )
    assessment = Assessment(
        case=case,
        instrument_version=version,
        kind=version.instrument.kind,
        assessed_on=assessed_on,
        created_by=user,
    )
    return save_recorded(
        assessment,
        actor=user,
        request=request,
        detail={"case": case.pk, "instrument": version.instrument.code, "version": version.number},
    )


@transaction.atomic
def assessment_answer(
    *,
    user: User,
    assessment_id: Any,
    expected_version: int,
    answers: Any = None,
    own_views: str | None = None,
    remarks: str | None = None,
    assessed_on: date | None = None,
    request: HttpRequest | None = None,
) -> Assessment:
    """Save answers on a draft. Answers are merged by question code (null clears one)."""
    assessment = _locked_draft(user, assessment_id, expected_version)
    case = assessment.case
    definition = assessment.instrument_version.parsed
    errors: dict[str, str] = {}
    day = assessed_on or assessment.assessed_on
    if assessed_on is not None:
        try:
            _check_assessed_on(assessed_on, case)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    age = age_on(case.person.birth_date, day)
    clean, answer_errors = definition.clean_answers(
        answers or {}, age=age, allowed_domains=fillable_domains(user, case, definition)
    )
    errors.update(answer_errors)
    for name, value, limit in (
        ("own_views", own_views, OWN_VIEWS_MAX),
        ("remarks", remarks, 1000),
    ):
        if value is None:
            continue
        if not isinstance(value, str):
            errors[name] = _("Give a text answer.")
        elif len(value) > limit:
            errors[name] = _("At most %(max)d characters (this has %(length)d).") % {
                "max": limit,
                "length": len(value),
            }
        else:
            try:
                reject_control_chars(value)
            except ValidationError as exc:
                errors[name] = exc.messages[0]
    if errors:
        raise ValidationError({field: [message] for field, message in errors.items()})
    merged = assessment.answers
    for code, value in clean.items():
        if value is None:
            merged.pop(code, None)
        else:
            merged[code] = value
    # Answers given before a date change that no longer apply at the new age are dropped.
    applicable = {q.code for d in definition.applicable(age) for q in d.questions}
    merged = {code: value for code, value in merged.items() if code in applicable}
    changes: dict[str, Any] = {"answers_json": json.dumps(merged, ensure_ascii=False)}
    if own_views is not None:
        changes["own_views"] = own_views.strip()
    if remarks is not None:
        changes["remarks"] = remarks.strip()
    if assessed_on is not None:
        changes["assessed_on"] = assessed_on
    # The encrypted field only encrypts through the model, so save the instance after the
    # version check has claimed the row.
    update_versioned(
        Assessment,
        assessment.pk,
        expected_version,
        _("Someone else saved this assessment; reload it and try again."),
        updated_at=timezone.now(),
    )
    for name, value in changes.items():
        setattr(assessment, name, value)
    assessment.version = expected_version + 1
    assessment.save(update_fields=[*changes, "updated_at"])
    record(
        actor=user,
        action=Action.UPDATE,
        obj=assessment,
        request=request,
        # Which questions changed, never the answers themselves.
        detail={"case": case.pk, "questions": sorted(clean), "own_views": own_views is not None},
    )
    return assessment


@transaction.atomic
def assessment_complete(
    *,
    user: User,
    assessment_id: Any,
    expected_version: int,
    request: HttpRequest | None = None,
) -> Assessment:
    assessment = _locked_draft(user, assessment_id, expected_version)
    definition = assessment.instrument_version.parsed
    age = assessment_age(assessment)
    answers = assessment.answers
    errors: dict[str, list[str]] = {}
    for code in definition.missing_required(answers, age=age):
        errors[f"answers.{code}"] = [_("This question must be answered.")]
    if not assessment.own_views.strip():
        # Child participation (DESIGN.md section 1): no assessment without the person's views.
        errors["own_views"] = [
            _("Record the person's own views (in their words) before completing.")
        ]
    if errors:
        raise ValidationError(errors)
    results = definition.score(answers, age=age)
    update_versioned(
        Assessment,
        assessment.pk,
        expected_version,
        _("Someone else saved this assessment; reload it and try again."),
        where=Q(status=AssessmentStatus.DRAFT),
        status=AssessmentStatus.COMPLETED,
        completed_at=timezone.now(),
        completed_by=user,
        overall_severity=_overall(results),
    )
    DomainScore.objects.bulk_create(
        [
            DomainScore(
                assessment=assessment,
                domain=r.domain,
                score=r.score,
                max_score=r.max_score,
                answered=r.answered,
                severity=r.severity,
                red_flag=r.red_flag,
                is_total=r.is_total,
            )
            for r in results
        ]
    )
    assessment.refresh_from_db()
    assessment_completed.send(sender=Assessment, assessment=assessment)
    record(
        actor=user,
        action=Action.UPDATE,
        obj=assessment,
        request=request,
        detail={
            "case": assessment.case_id,
            "completed": True,
            "severity": {r.domain: r.severity for r in results},
        },
    )
    return assessment


def _overall(results: list[Any]) -> str:
    domains = [r for r in results if not r.is_total]
    if not domains:
        return ""
    return str(max((r.severity for r in domains), key=lambda s: SEVERITY_RANK[Severity(s)]))


@transaction.atomic
def assessment_discard(
    *, user: User, assessment_id: Any, expected_version: int, request: HttpRequest | None = None
) -> None:
    """Delete a draft (a completed assessment is a record and stays)."""
    assessment = _locked_draft(user, assessment_id, expected_version)
    deleted, _rows = Assessment.objects.filter(
        pk=assessment.pk, version=expected_version, status=AssessmentStatus.DRAFT
    ).delete()
    if not deleted:
        raise Conflict(_("Someone else saved this assessment; reload it and try again."))
    record(
        actor=user,
        action=Action.DELETE,
        object_type="assessments.assessment",
        object_id=assessment_id,
        request=request,
        detail={"case": assessment.case_id},
    )
