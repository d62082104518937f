"""The DPO's filter by case also finds the entries about what other apps keep about the
case without naming it: the child's person and consents, the family and its plan, an
incident and its actions, a conference and its actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tirek.accounts.roles import Role
from tirek.audit.models import AuditEntry
from tirek.audit.selectors import audit_entries
from tirek.cases.models import Case
from tirek.cases.tests.factories import open_case
from tirek.conferences import services as conferences
from tirek.families.models import Family, FamilyMember
from tirek.families.tests.helpers import register_family
from tirek.incidents import services as incidents
from tirek.privacy import services as privacy
from tirek.privacy.models import GivenBy, Purpose
from tirek.testing import World, api_client, logged_in_client, today

pytestmark = pytest.mark.django_db


def _found(case: Case) -> set[tuple[str, str]]:
    """(kind of record, what happened) of every entry the DPO's filter finds for the case."""
    return {(e.object_type, e.action) for e in audit_entries(case=case.number)}


def _children(family: Family) -> list[Case]:
    members = FamilyMember.objects.filter(family=family, role="child").order_by("position")
    return [Case.objects.get(person=m.person) for m in members]


def test_the_filter_by_case_finds_what_other_apps_keep_about_it(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER, username="aigerim")
    family = register_family(manager)
    child, sibling = _children(family)
    stranger = open_case(manager)
    client = logged_in_client(manager)
    AuditEntry.objects.all().delete()  # only what follows: the registration named members

    assert client.get(f"/families/{family.pk}/").status_code == 200
    assert client.get(f"/people/{child.person_id}/").status_code == 200
    incident = incidents.incident_record(
        by=manager, cases=[child.pk], kind="bullying", place="school",
        occurred_on=today() - timedelta(days=2), reported_by="Teacher",
    )  # fmt: skip
    incidents.action_add(
        by=manager, incident=incident, description="Talk with the class", owner=manager,
        due_date=today() + timedelta(days=5),
    )  # fmt: skip
    assert client.get(f"/incidents/{incident.pk}/").status_code == 200
    assert api_client(manager).get(f"/api/v1/incidents/{incident.pk}").status_code == 200
    reads = AuditEntry.objects.filter(object_type="incidents.incident", action="read")
    assert [e.detail["cases"] for e in reads] == [[child.pk]] * 2  # the page and the API
    assert "Talk with the class" in client.get("/").content.decode()  # "my work" lists it
    conference = conferences.conference_schedule(
        by=manager, cases=[child], scheduled_at=timezone.now() + timedelta(days=3)
    )
    conferences.conference_update(
        by=manager, conference=conference, version=conference.version,
        changes={"location": "Room 2"},
    )  # fmt: skip
    consent = privacy.consent_record(
        by=manager, person=child.person, purposes=[Purpose.PHOTO],
        given_by=GivenBy.GUARDIAN, valid_from=today(),
    )[0]  # fmt: skip
    privacy.consent_withdraw(by=manager, consent=consent, note="The mother asked")

    newest_first = list(audit_entries(case=child.number))
    assert newest_first == sorted(newest_first, key=lambda e: (e.at, e.pk), reverse=True)
    about_child = _found(child)
    assert {
        ("families.family", "read"),
        ("people.person", "read"),
        ("incidents.incident", "read"),
        ("incidents.incidentaction", "create"),  # names its incident only
        ("incidents.incidentaction", "read"),  # "my work" showed it
        ("conferences.conference", "update"),  # names no case
        ("privacy.consent", "update"),  # the withdrawal names the person
    } <= about_child
    # The sibling shares the family, not the incident, conference or consent.
    about_sibling = _found(sibling)
    assert ("families.family", "read") in about_sibling
    assert not {"incidents.incident", "incidents.incidentaction", "conferences.conference"} & {
        kind for kind, _action in about_sibling
    }
    assert ("privacy.consent", "update") not in about_sibling
    assert ("people.person", "read") not in about_sibling  # another child's person
    # A case of another family: none of it.
    assert not {kind for kind, _action in _found(stranger)} & {
        "families.family", "people.person", "incidents.incident", "conferences.conference"
    }  # fmt: skip


def test_the_dpo_sees_them_on_the_log_page(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER, username="aigerim")
    dpo = world.staff(Role.DPO, username="olga")
    family = register_family(manager)
    child, _sibling = _children(family)
    assert logged_in_client(manager).get(f"/families/{family.pk}/").status_code == 200
    AuditEntry.objects.exclude(object_type="families.family", action="read").delete()

    html = logged_in_client(dpo).get("/audit/", {"case": child.number}).content.decode()
    rows = html[html.index("<tbody>") : html.index("</tbody>")]
    assert rows.count("<tr>") == 1 and "aigerim" in rows and "Нет подходящих" not in rows
