from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from tirek.accounts.roles import Role
from tirek.cases.tests.factories import open_case, person
from tirek.cases.tests.test_page_queries import AUDIT_ENTRY, LIMIT, queries
from tirek.core.exceptions import Refused
from tirek.privacy import services
from tirek.privacy.models import Consent, ConsentKind, GivenBy, Purpose
from tirek.privacy.selectors import AgeGroup, age_group, consent_covers, consent_status
from tirek.testing import World, api_client, logged_in_client

TODAY = date(2026, 6, 15)
NOON = timezone.make_aware(datetime(2026, 6, 15, 12, 0))


def _born_years_ago(years: int, days_more: int = 0) -> date:
    return TODAY.replace(year=TODAY.year - years) - timedelta(days=days_more)


@pytest.mark.parametrize(
    ("years", "day_before_birthday", "group"),
    [
        (5, False, AgeGroup.CAREGIVER),
        (6, True, AgeGroup.CAREGIVER),  # turns 6 tomorrow
        (6, False, AgeGroup.CAREGIVER_AND_ASSENT),
        (14, False, AgeGroup.CAREGIVER_AND_ASSENT),
        (15, True, AgeGroup.CAREGIVER_AND_ASSENT),
        (15, False, AgeGroup.OWN_CONSENT),
        (17, False, AgeGroup.OWN_CONSENT),
        (18, True, AgeGroup.OWN_CONSENT),
        (18, False, AgeGroup.ADULT),
    ],
)
def test_it_picks_who_must_consent_by_age_at_the_boundaries(
    years: int, day_before_birthday: bool, group: str
) -> None:
    birth = TODAY.replace(year=TODAY.year - years)
    if day_before_birthday:
        birth += timedelta(days=1)
    assert age_group(birth, TODAY) == group
    assert age_group(None, TODAY) == AgeGroup.UNKNOWN


def test_it_takes_the_age_boundaries_from_the_country_settings(settings: Any) -> None:
    settings.CONSENT_AGE_RULES = {
        "KZ": {"caregiver_only_below": 7, "own_consent_from": 14, "adult_from": 18}
    }
    assert age_group(_born_years_ago(6), TODAY) == AgeGroup.CAREGIVER
    assert age_group(_born_years_ago(14), TODAY) == AgeGroup.OWN_CONSENT


def _record(
    by: Any, subject: Any, given_by: str, kind: str = "consent", **kw: Any
) -> list[Consent]:
    return services.consent_record(
        by=by,
        person=subject,
        purposes=kw.pop("purposes", [Purpose.CASE_MANAGEMENT]),
        given_by=given_by,
        kind=kind,
        valid_from=kw.pop("valid_from", TODAY - timedelta(days=10)),
        **kw,
    )


@pytest.mark.parametrize(
    ("years", "records", "covered"),
    [
        (5, [(GivenBy.GUARDIAN, "consent")], True),
        (5, [(GivenBy.CHILD, "assent")], False),
        (6, [(GivenBy.GUARDIAN, "consent")], False),  # the child's assent is missing
        (6, [(GivenBy.GUARDIAN, "consent"), (GivenBy.CHILD, "assent")], True),
        (14, [(GivenBy.GUARDIAN, "consent"), (GivenBy.CHILD, "assent")], True),
        (15, [(GivenBy.GUARDIAN, "consent"), (GivenBy.CHILD, "assent")], False),
        (15, [(GivenBy.CHILD, "consent")], True),
        (17, [(GivenBy.CHILD, "consent")], True),
        (18, [(GivenBy.CHILD, "consent")], False),
        (18, [(GivenBy.ADULT_SELF, "consent")], True),
    ],
)
def test_it_applies_the_default_for_the_age(
    world: World, years: int, records: list[tuple[str, str]], covered: bool
) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    subject = person(birth_date=_born_years_ago(years, days_more=30))
    open_case(manager, person=subject)
    # Records made for another age group count as overrides; approve none of them here.
    for given_by, kind in records:
        try:
            _record(manager, subject, given_by, kind)
        except ValidationError:
            _record(
                manager,
                subject,
                given_by,
                kind,
                override_reason="Нет законного представителя рядом",
            )
    assert consent_covers(subject, Purpose.CASE_MANAGEMENT, at=NOON) is covered


def test_it_honours_a_withdrawal_immediately(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    subject = person(birth_date=_born_years_ago(16))
    open_case(manager, person=subject)
    [consent] = _record(manager, subject, GivenBy.CHILD, recipients=[world.school])
    assert consent_covers(subject, Purpose.CASE_MANAGEMENT, world.school)
    services.consent_withdraw(by=manager, consent=consent, note="Отозвано устно")
    assert not consent_covers(subject, Purpose.CASE_MANAGEMENT)
    assert not consent_covers(subject, Purpose.CASE_MANAGEMENT, world.school)
    # ...but a check about the past still sees what was in force then.
    assert consent_covers(subject, Purpose.CASE_MANAGEMENT, at=timezone.now() - timedelta(hours=1))
    with pytest.raises(ValidationError):
        services.consent_withdraw(by=manager, consent=consent)


def test_it_covers_only_the_named_recipient_agencies_and_dates(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    subject = person(birth_date=_born_years_ago(30))
    open_case(manager, person=subject)
    _record(
        manager,
        subject,
        GivenBy.ADULT_SELF,
        purposes=[Purpose.INFORMATION_SHARING],
        recipients=[world.school, world.clinic],
        valid_until=TODAY + timedelta(days=5),
    )
    assert consent_covers(subject, Purpose.INFORMATION_SHARING, world.school, at=NOON)
    assert consent_covers(subject, Purpose.INFORMATION_SHARING, world.clinic.pk, at=NOON)
    assert not consent_covers(subject, Purpose.INFORMATION_SHARING, world.police, at=NOON)
    assert not consent_covers(subject, Purpose.REFERRAL, world.school, at=NOON)
    later = NOON + timedelta(days=6)
    assert not consent_covers(subject, Purpose.INFORMATION_SHARING, world.school, at=later)
    earlier = NOON - timedelta(days=11)
    assert not consent_covers(subject, Purpose.INFORMATION_SHARING, world.school, at=earlier)


def test_it_needs_a_reason_and_a_supervisors_approval_to_override_the_default(
    world: World,
) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    supervisor = world.staff(Role.SUPERVISOR)
    subject = person(birth_date=_born_years_ago(12))
    open_case(manager, person=subject)
    with pytest.raises(ValidationError) as error:
        _record(manager, subject, GivenBy.CHILD)
    assert "override_reason" in error.value.message_dict
    [override] = _record(
        supervisor,
        subject,
        GivenBy.CHILD,
        override_reason="Родители под стражей, опекун не назначен",
    )
    assert override.is_override
    assert not consent_covers(subject, Purpose.CASE_MANAGEMENT)
    with pytest.raises(PermissionDenied):  # a case manager does not approve overrides
        services.consent_override_approve(by=manager, consent=override)
    with pytest.raises(Refused):  # nor does the person who recorded it
        services.consent_override_approve(by=supervisor, consent=override)
    outsider = world.staff(Role.SUPERVISOR, agency=world.centre_almaty, unit=world.unit_almaty)
    with pytest.raises(PermissionDenied):
        services.consent_override_approve(by=outsider, consent=override)
    assert not consent_covers(subject, Purpose.CASE_MANAGEMENT)
    second_supervisor = world.staff(Role.SUPERVISOR)
    services.consent_override_approve(by=second_supervisor, consent=override)
    assert consent_covers(subject, Purpose.CASE_MANAGEMENT)


def test_my_work_lists_an_override_for_the_other_supervisors_of_the_unit_only(
    world: World,
) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    recorder = world.staff(Role.SUPERVISOR)
    colleague = world.staff(Role.SUPERVISOR)
    outsider = world.staff(Role.SUPERVISOR, agency=world.centre_almaty, unit=world.unit_almaty)
    subject = person(birth_date=_born_years_ago(12))
    case = open_case(manager, person=subject)
    title = "Отступления от правил согласия на утверждение"
    client = logged_in_client(colleague)
    assert title not in client.get("/").content.decode()
    cost = queries(client, "/")
    [override] = _record(
        recorder, subject, GivenBy.CHILD, override_reason="Родители под стражей, опекун не назначен"
    )
    page = client.get("/").content.decode()
    assert title in page and case.number in page and "Родители под стражей" in page
    # The line links the child's case and names the initials, the purpose and the reason.
    block = page[page.index(title) :]
    item = block[block.index("<li>") + 4 : block.index("</li>")]
    with translation.override("ru"):
        purpose = str(override.get_purpose_display())
    assert f'<a href="/cases/{case.pk}/">{case.number}</a>' in item
    assert " ".join(re.sub(r"<[^>]+>", " ", item).split()) == (
        f"{case.number} {subject.initials} — {purpose}: Родители под стражей, опекун не назначен"
    )
    # Read with the other rows of "my work": the overrides cost no query of their own,
    # only the audit entry of a page that now shows a child's data: within the limit.
    assert queries(client, "/") == cost + AUDIT_ENTRY <= LIMIT
    sibling = open_case(manager, person=person(birth_date=_born_years_ago(9)))
    [second] = _record(recorder, sibling.person, GivenBy.CHILD, override_reason="Мать под стражей")
    assert queries(client, "/") == cost + AUDIT_ENTRY
    assert sibling.number in client.get("/").content.decode()
    services.consent_override_approve(by=colleague, consent=second)
    assert title not in logged_in_client(recorder).get("/").content.decode()  # not their own
    assert title not in logged_in_client(outsider).get("/").content.decode()
    services.consent_override_approve(by=colleague, consent=override)
    assert title not in logged_in_client(colleague).get("/").content.decode()


def test_it_warns_on_the_case_page_when_consent_is_missing_or_ends_soon(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    subject = person(birth_date=_born_years_ago(30))
    case = open_case(manager, person=subject)
    client = logged_in_client(manager)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Нет действующего согласия на ведение случая." in page
    today = timezone.localdate()
    services.consent_record(
        by=manager,
        person=subject,
        purposes=[Purpose.CASE_MANAGEMENT],
        given_by=GivenBy.ADULT_SELF,
        valid_from=today,
        valid_until=today + timedelta(days=20),
    )
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Нет действующего согласия" not in page
    assert "Согласие на ведение случая действует до" in page
    status = consent_status(subject)
    assert status.case_management.state == "expiring"


def test_it_warns_before_a_birthday_changes_who_must_consent(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    today = timezone.localdate()
    turns_15 = today.replace(year=today.year - 15) + timedelta(days=10)
    subject = person(birth_date=turns_15)
    open_case(manager, person=subject)
    start = today - timedelta(days=1)
    services.consent_record(
        by=manager,
        person=subject,
        purposes=["case_management"],
        given_by="guardian",
        valid_from=start,
    )
    services.consent_record(
        by=manager,
        person=subject,
        purposes=["case_management"],
        given_by="child",
        kind="assent",
        valid_from=start,
    )
    status = consent_status(subject).case_management
    assert status.state == "expiring"
    assert status.until == turns_15.replace(year=today.year) - timedelta(days=1)


def test_it_lets_only_those_who_see_the_family_record_consent(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    school = world.staff(Role.SCHOOL_LIAISON)
    subject = person()
    open_case(manager, person=subject, team=[(school, Role.SCHOOL_LIAISON)])
    with pytest.raises(PermissionDenied):
        _record(school, subject, GivenBy.GUARDIAN)
    assert not Consent.objects.exists()


def test_it_records_consent_from_the_form_one_record_per_purpose(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    subject = person(birth_date=_born_years_ago(3))
    case = open_case(manager, person=subject)
    client = logged_in_client(manager)
    url = f"/privacy/consents/person/{subject.pk}/new/?next=/cases/{case.pk}/"
    bad = client.post(
        url,
        {
            "purposes": ["case_management"],
            "given_by": "guardian",
            "kind": "consent",
            "valid_from": "2026-02-30",
        },
    )
    assert bad.status_code == 422
    nul = client.post(
        url,
        {
            "purposes": ["photo"],
            "given_by": "guardian",
            "kind": "consent",
            "valid_from": "2026-01-01",
            "giver_name": "Ан\x00на",
        },
    )
    assert nul.status_code == 422
    backwards = client.post(
        url,
        {
            "purposes": ["photo"],
            "given_by": "guardian",
            "kind": "consent",
            "valid_from": "2026-01-10",
            "valid_until": "2026-01-01",
        },
    )
    assert backwards.status_code == 422
    assert not Consent.objects.exists()
    ok = client.post(
        url,
        {
            "purposes": ["case_management", "referral"],
            "given_by": "guardian",
            "kind": "consent",
            "giver_name": "Сейтова Мадина",
            "recipients": [world.clinic.pk],
            "valid_from": "2026-01-01",
        },
    )
    assert ok.status_code == 302
    assert ok["Location"] == f"/cases/{case.pk}/"
    assert sorted(Consent.objects.values_list("purpose", flat=True)) == [
        "case_management",
        "referral",
    ]
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Согласие внесено" in page  # on the timeline


def _post(client: Any, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_it_records_lists_and_withdraws_consent_through_the_api(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    subject = person(birth_date=_born_years_ago(16))
    open_case(manager, person=subject)
    client = api_client(manager)
    body = {
        "person_id": subject.pk,
        "purposes": ["referral"],
        "given_by": "child",
        "recipient_ids": [world.clinic.pk],
        "valid_from": str(TODAY - timedelta(days=3)),
    }
    created = _post(client, "/api/v1/consents", body)
    assert created.status_code == 201, created.content
    consent_id = created.json()[0]["id"]
    assert _post(client, "/api/v1/consents", dict(body, recipient_ids=[999999])).status_code == 422
    assert _post(client, "/api/v1/consents", dict(body, purposes=["gossip"])).status_code == 422
    assert _post(client, "/api/v1/consents", dict(body, valid_from="2026-13-01")).status_code == 422
    assert _post(client, "/api/v1/consents", dict(body, giver_name="a\x00")).status_code == 422
    listed = client.get(f"/api/v1/consents?person_id={subject.pk}").json()
    assert [c["id"] for c in listed["items"]] == [consent_id]
    assert client.get("/api/v1/consents?person_id=-1").status_code == 422
    assert consent_covers(subject, Purpose.REFERRAL, world.clinic)
    withdrawn = _post(client, f"/api/v1/consents/{consent_id}/withdraw", {"note": "Мать против"})
    assert withdrawn.status_code == 200
    assert withdrawn.json()["in_force"] is False
    assert not consent_covers(subject, Purpose.REFERRAL, world.clinic)
    outsider = world.staff(Role.CASE_MANAGER, agency=world.centre_almaty, unit=world.unit_almaty)
    assert api_client(outsider).get(f"/api/v1/consents?person_id={subject.pk}").status_code == 404
    assert (
        _post(api_client(outsider), f"/api/v1/consents/{consent_id}/withdraw", {}).status_code
        == 404
    )


def test_it_never_lets_assent_come_from_an_adult(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    subject = person()
    open_case(manager, person=subject)
    with pytest.raises(ValidationError):
        _record(manager, subject, GivenBy.GUARDIAN, kind=ConsentKind.ASSENT)
