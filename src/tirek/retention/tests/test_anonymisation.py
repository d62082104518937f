"""Anonymisation on the full demo data set: afterwards nothing in the database names the
person, search, the duplicate check and the API do not find them, and the indicators are
the same as before."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection, models
from django.db.models import Count, Q
from django.utils import timezone

from tirek.accounts import demo_org
from tirek.accounts.models import User
from tirek.assessments.models import Assessment, DomainScore
from tirek.audit.models import AuditEntry
from tirek.cases import attachments
from tirek.cases.models import Attachment, Case, CaseEvent, ContactNote
from tirek.conferences.models import Conference
from tirek.core.crypto import encrypted_fields
from tirek.core.registry import demo_loaders
from tirek.people import matching
from tirek.people.models import Person, PersonName, PersonPhoto
from tirek.people.selectors import find_duplicates, search_people
from tirek.plans.models import PlanVersion
from tirek.retention import services
from tirek.retention.models import DestructionBatch
from tirek.testing import api_client

pytestmark = pytest.mark.django_db

FAMILY, GIVEN, PATRONYMIC = "Тлеубердиева", "Зейнегуль", "Амангельдиевна"
LATIN, ARABIC = "Tleuberdiyeva Zeynegul", "زينگول"
IIN = "120304600123"
PLANTED = f"{GIVEN} {FAMILY} {IIN}"
NEEDLES = (FAMILY, GIVEN, PATRONYMIC, "Tleuberdiyeva", ARABIC, IIN)
SKIPPED_FIELDS = {
    "number",
    "stored_name",
    "content_type",
    "search_key",
    "script",
    "key",
    "iin",
    "domain",
}
SKIPPED_APPS = {"audit", "retention", "sessions", "contenttypes", "auth", "admin"}


def _load_demo() -> None:
    demo_org.load(_Quiet())
    for _order, loader in demo_loaders:
        loader(_Quiet())


class _Quiet:
    def write(self, *args: Any, **kwargs: Any) -> None:
        pass


def _richest_case() -> Case:
    """The demo case with notes and the most records attached: notes, referrals,
    interviews... (the generated programme's cases carry facts, not notes)."""
    return (
        Case.objects.annotate(with_notes=Count("notes", distinct=True))
        .filter(with_notes__gt=0)
        .annotate(
            n=Count("notes", distinct=True)
            + Count("referrals", distinct=True)
            + Count("interviews", distinct=True)
            + Count("conferences", distinct=True)
            + Count("assessments", distinct=True)
        )
        .order_by("-n", "pk")
        .first()
    )


def _plant_text(queryset: models.QuerySet[Any]) -> None:
    """Write the name and IIN into every free-text field of these rows (row by row: some
    fields are unique per person)."""
    fields = [
        f
        for f in queryset.model._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField))
        and not isinstance(f, (models.SlugField, models.EmailField))
        and not f.choices
        and not f.unique
        and f.name not in SKIPPED_FIELDS
        and (f.max_length or 10_000) >= len(PLANTED) + 8
    ]
    for pk in queryset.values_list("pk", flat=True):
        changes: dict[str, Any] = {f.name: f"{PLANTED} {pk}" for f in fields}
        if queryset.model is Assessment:
            changes["answers_json"] = json.dumps({"comment": PLANTED})
        if queryset.model is CaseEvent:
            changes["detail"] = {"reason": PLANTED, "old": "active", "new": "closed"}
        if queryset.model is PlanVersion:
            changes["snapshot"] = {"goals": [{"title": PLANTED}]}
        if changes:
            queryset.model.objects.filter(pk=pk).update(**changes)


def _rows_about(person: Person, case_ids: list[int]) -> list[models.QuerySet[Any]]:
    """Rows that refer to the person or their cases, and the rows that refer to those."""
    first: list[models.QuerySet[Any]] = []
    for model in apps.get_models():
        if model._meta.app_label in SKIPPED_APPS or model in (PersonName,):
            continue
        q = Q()
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model is Person:
                q |= Q(**{f.name: person})
            if f.is_relation and f.related_model is Case:
                q |= Q(**{f"{f.name}__in": case_ids})
        if model is Person:
            q |= Q(pk=person.pk)
        if model is Conference:
            q |= Q(cases__in=case_ids)
        if q:
            first.append(model.objects.filter(q).distinct())
    second = []
    parents = {qs.model: qs for qs in first}
    for model in apps.get_models():
        if model._meta.app_label in SKIPPED_APPS or model in parents:
            continue
        q = Q()
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model in parents and f.related_model is not Person:
                q |= Q(**{f"{f.name}__in": parents[f.related_model].values("pk")})
        if q:
            second.append(model.objects.filter(q))
    return first + second


def _text_columns_holding(needle: str) -> list[str]:
    """Every column of every table, read as text, that contains ``needle``."""
    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(table)} "  # noqa: S608 - names from introspection
                    f"WHERE CAST({quote(column.name)} AS TEXT) LIKE %s",
                    [f"%{needle}%"],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column.name}")
    return found


def _decrypted_holding(needle: str) -> list[str]:
    found = []
    for model, name in encrypted_fields():
        for pk, value in model.objects.values_list("pk", name):
            if value and needle in value:
                found.append(f"{model._meta.label}.{name}#{pk}")
    return found


def _indicators(analyst: User) -> dict[tuple[int, str], Any]:
    cache.clear()
    client = api_client(analyst)
    out = {}
    for year in (timezone.now().year - 1, timezone.now().year):
        for by in ("", "age_band", "sex", "phase"):
            response = client.get(
                "/api/v1/indicators/values", {"audience": "ministry", "year": year, "by": by}
            )
            assert response.status_code == 200, response.content
            out[(year, by)] = response.json()
    return out


def _audit_details_naming_someone() -> list[str]:
    """Audit details that carry a person's full name or IIN (the log is never rewritten,
    so no writer may put one there in the first place). Staff names (a trainer) are not
    people on file: a detail names someone on file when it holds both their names."""
    details = [
        set(re.findall(r"\w+", json.dumps(d, ensure_ascii=False)))
        for d in AuditEntry.objects.values_list("detail", flat=True)
    ]
    found = []
    for family, given, iin in Person.objects.values_list("family_name", "given_name", "iin"):
        for words in details:
            if {family, given} <= words or (iin and iin in words):
                found.append(f"{family} {given}")
    return found


def test_anonymisation_leaves_no_trace_and_keeps_the_statistics(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TIREK_RETENTION = {"KZ": {"case_file": {"trigger": "closure", "years": 0, "days": 1}}}
    settings.TIREK_SDC_THRESHOLD = 2
    _load_demo()
    assert _audit_details_naming_someone() == []
    case = _richest_case()
    person = case.person
    old_number = case.number
    last_year = timezone.now().year - 1
    Case.objects.filter(pk=case.pk).update(
        status="closed",
        opened_at=timezone.make_aware(datetime(last_year, 2, 10)),
        closed_at=timezone.make_aware(datetime(last_year, 11, 20)),
    )
    Case.objects.filter(person=person).exclude(pk=case.pk).update(status="closed")
    case_ids = list(Case.objects.filter(person=person).values_list("pk", flat=True))
    Person.objects.filter(pk=person.pk).update(
        given_name=GIVEN, family_name=FAMILY, patronymic=PATRONYMIC, iin=IIN
    )
    PersonName.objects.create(person=person, kind="full", value=LATIN)
    PersonName.objects.create(person=person, kind="given", value=ARABIC)
    from tirek.people.keys import refresh_keys

    refresh_keys(Person.objects.get(pk=person.pk))
    for queryset in _rows_about(person, case_ids):
        _plant_text(queryset)
    PersonPhoto.objects.update_or_create(
        person=person, defaults={"data": b"x", "content_type": "image/png", "size": 1}
    )
    note = ContactNote.objects.filter(case_id__in=case_ids).first()
    assert note is not None, "the demo's richest case has notes"
    stored = attachments.write(PLANTED.encode())
    Attachment.objects.create(
        note=note, original_name=f"{FAMILY}.pdf", content_type="application/pdf", size=5,
        stored_name=stored, uploaded_by=note.author,
    )  # fmt: skip
    # Sanity: the planting worked, so the scan below can fail.
    assert _text_columns_holding(FAMILY) and _decrypted_holding(GIVEN)
    scores_before = list(
        DomainScore.objects.filter(assessment__case_id__in=case_ids)
        .order_by("pk")
        .values_list("domain", "score")
    )
    analyst = User.objects.get(username="demo-me-analyst")
    before = _indicators(analyst)

    dpo = User.objects.get(username="demo-dpo")
    services.daily_pass()
    batch = DestructionBatch.objects.get(record_type="case_file", status="proposed")
    assert set(case_ids) <= set(batch.items.values_list("case_id", flat=True))
    with django_capture_on_commit_callbacks(execute=True):  # approval, then the worker
        services.batch_approve(by=dpo, batch=batch)

    # Search, duplicate check, API: the person is not found by name, IIN or old number.
    manager = case.case_manager
    assert not search_people(manager, f"{GIVEN} {FAMILY}").exists()
    assert not search_people(manager, "Tleuberdiyeva").exists()
    assert not search_people(manager, IIN).exists()
    query = matching.Identity(given=GIVEN, family=FAMILY, patronymic=PATRONYMIC, iin=IIN)
    assert person.pk not in [c.person_id for c in find_duplicates(query)]
    client = api_client(manager)
    for q in (FAMILY, "Tleuberdiyeva", IIN):
        response = client.get("/api/v1/persons", {"q": q})
        assert person.pk not in [p["id"] for p in response.json().get("items", [])], q
    response = client.post(
        "/api/v1/persons/duplicates",
        {"given_name": GIVEN, "family_name": FAMILY, "patronymic": PATRONYMIC},
        content_type="application/json",
    )
    assert person.pk not in [c["person_id"] for c in response.json()["candidates"]]
    assert not Case.objects.filter(number=old_number).exists()
    assert Attachment.objects.filter(stored_name=stored).count() == 0
    assert not (attachments.directory() / stored).exists()

    # Every text column of every table, audit log included; then every encrypted value.
    for needle in NEEDLES:
        found = _text_columns_holding(needle) + _decrypted_holding(needle)
        assert found == [], f"{needle}: {found}"
    assert _text_columns_holding(old_number) == [] or _only_audit(old_number)

    # What statistics need stays.
    kept = Person.objects.get(pk=person.pk)
    assert kept.birth_date is None or kept.birth_date.timetuple()[1:3] == (1, 1)
    assert kept.sex == person.sex and kept.birth_year == person.birth_year
    assert Case.objects.get(pk=case.pk).region_id == case.region_id
    assert scores_before == list(
        DomainScore.objects.filter(assessment__case_id__in=case_ids)
        .order_by("pk")
        .values_list("domain", "score")
    )
    assert _indicators(analyst) == before


def _only_audit(needle: str) -> bool:
    """The audit log is never rewritten: an old case number in an entry's detail is an
    id, not a name (and the case now carries an opaque one)."""
    return all(c.startswith("audit_") for c in _text_columns_holding(needle))
