"""The justice pathway: adults-only roles, the one-way SECURITY section, contact on the
child's case, bad input refused with nothing written, audit entries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from tirek.access import policy
from tirek.access.policy import Section
from tirek.access.tests.expected import DESIGN_SECTIONS
from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.cases.models import CaseTeamMember
from tirek.cases.tests.factories import open_case, person
from tirek.justice import services
from tirek.justice.models import ContactEvent, LegalStatus, SupportRecord
from tirek.testing import InDays, World, logged_in_client, resolved, today


@pytest.fixture
def family(world: World) -> dict[str, object]:
    manager = world.staff(Role.CASE_MANAGER)
    probation = world.staff(Role.PROBATION_OFFICER, agency=world.police, unit=None)
    mother = open_case(manager, person=person(birth_date=date(1992, 4, 12)))
    child = open_case(manager, person=person(birth_date=date(2015, 3, 1)))
    from tirek.cases import services as case_services

    case_services.team_member_add(
        by=manager, case=mother, user=probation, role=Role.PROBATION_OFFICER
    )
    return {"manager": manager, "probation": probation, "mother": mother, "child": child}


@pytest.mark.parametrize("role", ["probation-officer", "prison-social-worker"])
def test_adults_only_roles_see_their_sections_of_an_adult_and_nothing_of_a_child(
    world: World, role: str
) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    adult = open_case(manager, person=person(birth_date=date(1990, 1, 1)))
    child = open_case(manager, person=person(birth_date=today() - timedelta(days=365 * 17)))
    unknown = open_case(manager, person=person(birth_date=None))
    user = world.staff(role)
    for case in (adult, child, unknown):
        # Written straight to the database: the policy itself must enforce "adults only".
        CaseTeamMember.objects.create(case=case, user=user, role=role, added_by=manager)
    assert policy.sections_for(user, adult) == DESIGN_SECTIONS[role]
    for section in Section.ALL:
        in_sql = policy.cases_with_section(user, section).filter(pk=adult.pk).exists()
        assert in_sql is (section in DESIGN_SECTIONS[role]), section
    client = logged_in_client(user)
    assert client.get(f"/cases/{adult.pk}/").status_code == 200
    for hidden in (child, unknown):
        assert policy.sections_for(user, hidden) == frozenset()
        assert not policy.visible_cases(user).filter(pk=hidden.pk).exists()
        assert client.get(f"/cases/{hidden.pk}/").status_code == 404
        assert client.get(f"/justice/case/{hidden.pk}/").status_code == 404


def test_an_adults_only_role_is_refused_on_a_child_team(world: World) -> None:
    from tirek.cases import services as case_services

    manager = world.staff(Role.CASE_MANAGER)
    child = open_case(manager)
    probation = world.staff(Role.PROBATION_OFFICER)
    with pytest.raises(ValidationError):
        case_services.team_member_add(
            by=manager, case=child, user=probation, role=Role.PROBATION_OFFICER
        )
    assert not CaseTeamMember.objects.filter(case=child, user=probation).exists()


def test_the_probation_officer_records_a_status_and_welfare_roles_never_see_it(
    world: World, family: dict
) -> None:
    mother, probation, manager = family["mother"], family["probation"], family["manager"]
    client = logged_in_client(probation)
    response = client.post(
        f"/justice/case/{mother.pk}/status/",
        {
            "status": "probation",
            "institution": "Probation service",
            "start_date": (today() - timedelta(days=30)).isoformat(),
            "end_date": (today() + timedelta(days=300)).isoformat(),
            "next_review": (today() + timedelta(days=20)).isoformat(),
        },
    )
    assert response.status_code == 302
    status = LegalStatus.objects.get(case=mother)
    assert AuditEntry.objects.filter(
        actor=probation, action=Action.CREATE, object_id=str(status.pk)
    ).exists()
    page = client.get(f"/justice/case/{mother.pk}/").content.decode()
    assert 'data-status="probation"' in page
    tab = f"/cases/{mother.pk}/sections/justice/"
    assert 'data-status="probation"' in client.get(tab).content.decode()
    # The case manager (welfare) on the same case: no status, neither page nor panel (the
    # page opens on the livelihood support, social work, and nothing else).
    welfare = logged_in_client(manager)
    assert "data-status" not in welfare.get(f"/justice/case/{mother.pk}/").content.decode()
    assert 'id="legal-status"' not in welfare.get(f"/justice/case/{mother.pk}/").content.decode()
    assert "data-status" not in welfare.get(f"/cases/{mother.pk}/").content.decode()
    assert welfare.get(tab).status_code == 404
    with pytest.raises(Http404):
        services.status_record(by=manager, case=mother, status="released", start_date=today())
    # Even as an extra section on the membership, security never reaches welfare.
    CaseTeamMember.objects.filter(case=mother, user=manager).update(sections=["security"])
    policy.relations_changed()
    assert not policy.can_see(manager, mother, Section.SECURITY)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"start_date": InDays(365 * 30)}, "start_date"),
        ({"start_date": InDays(3)}, "start_date"),  # not yet happened
        ({"end_date": InDays(-400)}, "end_date"),  # before the start
        ({"next_review": InDays(365 * 40)}, "next_review"),
        ({"status": "escaped"}, "status"),
    ],
)
def test_bad_status_input_gets_a_clear_message_and_writes_nothing(
    family: dict, fields: dict, field: str
) -> None:
    client = logged_in_client(family["probation"])
    data = {"status": "custody", "start_date": (today() - timedelta(days=10)).isoformat()}
    data.update(resolved(fields))
    response = client.post(f"/justice/case/{family['mother'].pk}/status/", data)
    assert response.status_code == 400
    assert f'id="id_{field}_error' in response.content.decode() or "errorlist" in (
        response.content.decode()
    )
    assert not LegalStatus.objects.exists()
    with pytest.raises((ValidationError, ValueError)):
        services.status_record(
            by=family["probation"],
            case=family["mother"],
            **{
                "status": "custody",
                "start_date": today() - timedelta(days=10),
                **resolved(fields, as_text=False),
            },
        )
    assert not LegalStatus.objects.exists()


def test_a_status_on_a_childs_case_is_refused(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    child = open_case(manager)
    interviewer = world.staff(Role.INTERVIEWER)  # a security role that may be on a child's team
    CaseTeamMember.objects.create(case=child, user=interviewer, role=Role.INTERVIEWER)
    with pytest.raises(ValidationError) as exc:
        services.status_record(by=interviewer, case=child, status="custody", start_date=today())
    assert "case" in exc.value.message_dict
    assert not LegalStatus.objects.exists()


def test_the_status_history_keeps_every_change(family: dict) -> None:
    mother, probation = family["mother"], family["probation"]
    services.status_record(
        by=probation, case=mother, status="pre_trial", start_date=today() - timedelta(days=300)
    )
    services.status_record(
        by=probation, case=mother, status="probation", start_date=today() - timedelta(days=100)
    )
    history = list(LegalStatus.objects.filter(case=mother))
    assert [s.status for s in history] == ["probation", "pre_trial"]
    assert history[1].end_date == today() - timedelta(days=100)
    with pytest.raises(ValidationError):
        services.status_record(
            by=probation, case=mother, status="released", start_date=today() - timedelta(days=200)
        )
    assert LegalStatus.objects.filter(case=mother).count() == 2


def test_contact_goes_on_the_childs_case_and_its_managers_see_it_not_the_criminal_file(
    family: dict,
) -> None:
    mother, child, manager = family["mother"], family["child"], family["manager"]
    services.status_record(
        by=family["probation"],
        case=mother,
        status="custody",
        start_date=today() - timedelta(days=9),
    )
    client = logged_in_client(manager)
    response = client.post(
        f"/justice/case/{child.pk}/contact/",
        {
            "kind": "visit",
            "status": "held",
            "on_date": (today() - timedelta(days=2)).isoformat(),
            "with_whom": "Mother",
            "accompanied_by": "Grandmother",
            "child_reaction": "Calm, happy",
        },
    )
    assert response.status_code == 302
    assert ContactEvent.objects.filter(case=child).count() == 1
    page = client.get(f"/justice/case/{child.pk}/").content.decode()
    assert "Grandmother" in page and "data-status" not in page
    # The mother's page shows the case manager her livelihood support, not the status.
    mother_page = client.get(f"/justice/case/{mother.pk}/").content.decode()
    assert "data-status" not in mother_page and 'id="legal-status"' not in mother_page
    # On the mother's (adult's) case: refused, nothing written; a held visit not in the future.
    with pytest.raises(ValidationError):
        services.contact_record(
            by=manager, case=mother, kind="visit", status="held", on_date=today(), with_whom="x"
        )
    with pytest.raises(ValidationError):
        services.contact_record(
            by=manager,
            case=child,
            kind="visit",
            status="held",
            on_date=today() + timedelta(days=5),
            with_whom="Mother",
        )
    assert ContactEvent.objects.count() == 1
    # The probation officer sees nothing of the child's case.
    assert (
        logged_in_client(family["probation"]).get(f"/justice/case/{child.pk}/").status_code == 404
    )


def test_support_records_of_an_adult(family: dict) -> None:
    mother, probation = family["mother"], family["probation"]
    services.support_record(
        by=probation,
        case=mother,
        kind="counselling",
        provider="College",
        start_date=today() - timedelta(days=60),
        end_date=today() - timedelta(days=5),
        outcome="Certificate",
    )
    with pytest.raises(ValidationError):
        services.support_record(
            by=probation,
            case=mother,
            kind="counselling",
            provider="Theologian",
            start_date=today(),
            end_date=today() - timedelta(days=1),
        )
    assert SupportRecord.objects.count() == 1
    page = logged_in_client(probation).get(f"/justice/case/{mother.pk}/").content.decode()
    assert "College" in page


def test_unknown_case_ids_answer_404(family: dict) -> None:
    client = logged_in_client(family["probation"])
    assert client.get("/justice/case/999999/").status_code == 404
    assert client.post("/justice/case/999999/status/", {}).status_code == 404
    assert timezone.localdate()  # the date helpers run on the local date
