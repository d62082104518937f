"""Stigma and discrimination incidents: who records and sees them, the child's account
safeguards, bad input, actions on "my work", the ministry's aggregate."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from tirek.access import policy
from tirek.access.policy import Section
from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.cases import services as case_services
from tirek.cases.models import CaseTeamMember
from tirek.cases.tests.factories import open_case, person
from tirek.incidents import services
from tirek.incidents.models import Incident, IncidentAction
from tirek.testing import InDays, World, logged_in_client, resolved, today


@pytest.fixture
def scene(world: World) -> dict:
    manager = world.staff(Role.CASE_MANAGER)
    liaison = world.staff(Role.SCHOOL_LIAISON)
    probation = world.staff(Role.PROBATION_OFFICER, agency=world.police, unit=None)
    child = open_case(manager, team=[(liaison, Role.SCHOOL_LIAISON)])
    sibling = open_case(manager)
    mother = open_case(
        manager,
        person=person(birth_date=date(1990, 5, 5)),
        team=[(probation, Role.PROBATION_OFFICER)],
    )
    return {
        "manager": manager,
        "liaison": liaison,
        "probation": probation,
        "child": child,
        "sibling": sibling,
        "mother": mother,
    }


def _form(**extra: str) -> dict[str, str]:
    data = {
        "kind": "bullying",
        "place": "school",
        "occurred_on": (today() - timedelta(days=3)).isoformat(),
        "reported_by": "Class teacher",
        "description": "Name-calling in the break",
    }
    data.update(extra)
    return data


def test_the_school_liaison_records_a_school_incident_and_not_the_mothers_file(
    scene: dict,
) -> None:
    client = logged_in_client(scene["liaison"])
    child = scene["child"]
    response = client.post(f"/incidents/case/{child.pk}/new/", _form())
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert list(incident.cases.all()) == [child]
    assert AuditEntry.objects.filter(
        actor=scene["liaison"], action=Action.CREATE, object_id=str(incident.pk)
    ).exists()
    assert client.get(f"/incidents/{incident.pk}/").status_code == 200
    assert client.get(f"/incidents/case/{child.pk}/").status_code == 200
    # The mother's case and its criminal file: not found.
    mother = scene["mother"]
    for url in (
        f"/cases/{mother.pk}/",
        f"/justice/case/{mother.pk}/",
        f"/incidents/case/{mother.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    # Not at school: the school liaison alone may not record it.
    response = client.post(f"/incidents/case/{child.pk}/new/", _form(place="community"))
    assert response.status_code == 400
    assert Incident.objects.count() == 1


@pytest.mark.parametrize(
    "extra",
    [
        {"occurred_on": InDays(2)},
        {"occurred_on": "1970-01-01"},
        {"kind": "gossip"},
        {"reported_by": ""},
        {"other_cases": "KZ-0000-99999"},
        {"child_account": "They called me names"},  # no safeguard recorded
        {"child_account": "They called me names", "account_trusted_adult": "Grandmother"},
        {"child_account": "They called me names", "account_interview": "99999"},
    ],
)
def test_bad_input_gets_a_clear_message_and_writes_nothing(scene: dict, extra: dict) -> None:
    client = logged_in_client(scene["manager"])
    response = client.post(f"/incidents/case/{scene['child'].pk}/new/", _form(**resolved(extra)))
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert not Incident.objects.exists()


def test_a_case_the_user_may_not_see_is_refused_like_a_missing_one(
    world: World, scene: dict
) -> None:
    other_manager = world.staff(
        Role.CASE_MANAGER, agency=world.centre_almaty, unit=world.unit_almaty
    )
    hidden = open_case(other_manager)
    with pytest.raises(ValidationError) as hidden_error:
        services.incident_record(
            by=scene["manager"], cases=[scene["child"].pk, hidden.pk], kind="violence",
            place="community", occurred_on=today(), reported_by="Neighbour",
        )  # fmt: skip
    with pytest.raises(ValidationError) as missing_error:
        services.incident_record(
            by=scene["manager"], cases=[scene["child"].pk, 999999], kind="violence",
            place="community", occurred_on=today(), reported_by="Neighbour",
        )  # fmt: skip
    assert str(hidden_error.value).replace(str(hidden.pk), "N") == str(missing_error.value).replace(
        "999999", "N"
    )
    assert not Incident.objects.exists()


def test_the_childs_account_with_a_trusted_adult_and_consent(scene: dict) -> None:
    incident = services.incident_record(
        by=scene["manager"],
        cases=[scene["child"].pk, scene["sibling"].number],
        kind="hate_speech",
        place="online",
        occurred_on=today() - timedelta(days=1),
        reported_by="Mother",
        child_account="They wrote bad things about our family",
        account_trusted_adult="Grandmother",
        account_consent=True,
    )
    assert set(incident.cases.all()) == {scene["child"], scene["sibling"]}
    # The liaison, on one of the two teams, sees only that case listed.
    page = logged_in_client(scene["liaison"]).get(f"/incidents/{incident.pk}/").content.decode()
    assert scene["child"].number in page and scene["sibling"].number not in page


def test_actions_reach_the_owners_my_work_and_only_while_they_see_the_incident(
    scene: dict,
) -> None:
    liaison = scene["liaison"]
    incident = services.incident_record(
        by=liaison, cases=[scene["child"].pk], kind="bullying", place="school",
        occurred_on=today() - timedelta(days=1), reported_by="Teacher",
    )  # fmt: skip
    client = logged_in_client(scene["manager"])
    response = client.post(
        f"/incidents/{incident.pk}/actions/",
        {
            "description": "Talk with the class",
            "owner": liaison.pk,
            "due_date": (today() + timedelta(days=5)).isoformat(),
        },
    )
    assert response.status_code == 302
    home = logged_in_client(liaison).get("/").content.decode()
    assert "Talk with the class" in home
    # Bad due dates and an owner who cannot see the incident: refused, nothing written.
    for data in (
        {"due_date": (today() + timedelta(days=800)).isoformat(), "owner": liaison.pk},
        {"due_date": (today() - timedelta(days=30)).isoformat(), "owner": liaison.pk},
        {"due_date": today().isoformat(), "owner": scene["probation"].pk},
    ):
        response = client.post(f"/incidents/{incident.pk}/actions/", {"description": "x", **data})
        assert response.status_code == 400
    assert IncidentAction.objects.count() == 1
    # Once off the team, the action leaves "my work" with the incident.
    member = CaseTeamMember.objects.get(case=scene["child"], user=liaison)
    case_services.team_member_remove(by=scene["manager"], case=scene["child"], member=member)
    assert "Talk with the class" not in logged_in_client(liaison).get("/").content.decode()
    assert logged_in_client(liaison).get(f"/incidents/{incident.pk}/").status_code == 404


def test_roles_outside_the_incidents_section_see_no_incident(world: World, scene: dict) -> None:
    incident = services.incident_record(
        by=scene["manager"], cases=[scene["child"].pk], kind="exposure", place="service",
        occurred_on=today(), reported_by="Social worker",
    )  # fmt: skip
    health = world.staff(Role.HEALTH_WORKER)
    case_services.team_member_add(
        by=scene["manager"], case=scene["child"], user=health, role=Role.HEALTH_WORKER
    )
    assert not policy.can_see(health, scene["child"], Section.INCIDENTS)
    client = logged_in_client(health)
    assert client.get(f"/incidents/{incident.pk}/").status_code == 404
    assert client.get(f"/incidents/case/{scene['child'].pk}/").status_code == 404


def test_the_ministry_aggregate_counts_by_type_region_and_quarter_with_suppression(
    scene: dict,
) -> None:
    from tirek.reports.registry import INDICATORS, POPULATIONS

    indicator = INDICATORS["stigma_incidents"]
    assert set(indicator.disaggregations) == {"incident_type", "region", "quarter"}
    assert "ministry" in indicator.audiences
    population = POPULATIONS[indicator.population]
    from tirek.reports.periods import Period

    for _ in range(3):
        services.incident_record(
            by=scene["manager"], cases=[scene["child"].pk], kind="bullying", place="school",
            occurred_on=today(), reported_by="Teacher",
        )  # fmt: skip
    assert population.queryset is not None
    assert population.queryset(Period.current()).count() == 3
