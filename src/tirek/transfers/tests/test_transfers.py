"""Transfers with acceptance (issue #17, part 1): who sees what before and after, the
answer, the team, the tasks, the journey, the timeline and the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tirek.access import policy
from tirek.access.policy import Section
from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.cases.models import Case, CaseEvent, CaseStatus, EventKind
from tirek.cases.tests.factories import notes_in_every_section, open_case, secret
from tirek.core.exceptions import Conflict, Refused
from tirek.testing import World, api_client, logged_in_client, today
from tirek.transfers import services
from tirek.transfers.models import Transfer, TransferStatus

pytestmark = pytest.mark.django_db


def _consent(by, case: Case, agency) -> None:
    from tirek.privacy import services as privacy
    from tirek.privacy.models import ConsentKind, GivenBy, Purpose

    # a child of 11: the guardian's consent and the child's assent
    for given_by, kind in (
        (GivenBy.GUARDIAN, ConsentKind.CONSENT),
        (GivenBy.CHILD, ConsentKind.ASSENT),
    ):
        privacy.consent_record(
            by=by,
            person=case.person,
            purposes=[Purpose.INFORMATION_SHARING],
            given_by=given_by,
            kind=kind,
            valid_from=today() - timedelta(days=1),
            recipients=[agency],
        )


@pytest.fixture
def setup(world: World):
    manager = world.staff(Role.CASE_MANAGER)
    psychologist = world.staff(Role.PSYCHOLOGIST)
    supervisor = world.staff(Role.SUPERVISOR)
    receiving_sup = world.staff(Role.SUPERVISOR, agency=world.centre_almaty)
    receiving_cm = world.staff(Role.CASE_MANAGER, agency=world.centre_almaty)
    case = open_case(manager, team=[(psychologist, Role.PSYCHOLOGIST)])
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.ACTIVE)
    case.refresh_from_db()
    notes_in_every_section(case, manager)
    _consent(manager, case, world.centre_almaty)
    return world, manager, psychologist, supervisor, receiving_sup, receiving_cm, case


def _request(manager, case, world, sections=(Section.FAMILY,)):
    return services.transfer_request(
        by=manager,
        case=case,
        to_unit=world.unit_almaty,
        reason="The family moved to Almaty.",
        sections=list(sections),
    )


def test_receiving_supervisor_sees_only_what_is_shared_before_acceptance(setup) -> None:
    world, manager, _psy, _sup, receiving_sup, receiving_cm, case = setup
    assert policy.sections_for(receiving_sup, case) == frozenset()
    _request(manager, case, world)
    assert policy.sections_for(receiving_sup, case) == {Section.CORE, Section.FAMILY}
    assert set(policy.visible_cases(receiving_sup)) == {case}
    assert set(policy.cases_with_section(receiving_sup, Section.FAMILY)) == {case}
    assert not policy.cases_with_section(receiving_sup, Section.SOCIAL).exists()
    assert policy.sections_for_many(receiving_sup, [case])[case.pk] == {
        Section.CORE,
        Section.FAMILY,
    }
    # read only, and nobody else of the receiving unit sees anything
    assert not policy.can_write(receiving_sup, case, Section.FAMILY)
    assert not policy.can_manage(receiving_sup, case)
    assert policy.sections_for(receiving_cm, case) == frozenset()
    client = logged_in_client(receiving_sup)
    notes = client.get(f"/cases/{case.pk}/sections/notes/").content.decode()
    for section in Section.ALL:
        assert (secret(section) in notes) is (section in (Section.CORE, Section.FAMILY)), section
    assert logged_in_client(receiving_cm).get(f"/cases/{case.pk}/").status_code == 404


def test_request_needs_consent_or_a_supervisors_legal_basis(setup, world: World) -> None:
    _w, manager, _psy, supervisor, receiving_sup, _cm, case = setup
    other = world.staff(Role.SUPERVISOR, agency=world.ngo, unit=None)
    from tirek.organisations.models import Unit

    ngo_unit = Unit.objects.create(agency=world.ngo, name="NGO team", region=world.karaganda)
    with pytest.raises(Refused):
        services.transfer_request(by=manager, case=case, to_unit=ngo_unit, reason="x", sections=[])
    with pytest.raises(Refused):  # a case manager cannot override consent
        services.transfer_request(
            by=manager, case=case, to_unit=ngo_unit, reason="x", sections=[], legal_basis="law"
        )
    transfer = services.transfer_request(
        by=supervisor, case=case, to_unit=ngo_unit, reason="x", sections=[], legal_basis="law"
    )
    assert not transfer.consent_covered
    assert AuditEntry.objects.filter(
        action=Action.PERMISSION_CHANGE, detail__consent_override=True
    ).exists()
    assert other.pk  # unused colleague: no access
    assert policy.sections_for(other, case) == frozenset()


def test_bad_requests_change_nothing(setup) -> None:
    world, manager, psychologist, _sup, _rs, _cm, case = setup
    with pytest.raises(PermissionDenied):
        services.transfer_request(
            by=psychologist, case=case, to_unit=world.unit_almaty, reason="x", sections=[]
        )
    with pytest.raises(ValidationError):
        services.transfer_request(
            by=manager, case=case, to_unit=world.unit, reason="x", sections=[]
        )
    with pytest.raises(ValidationError):  # security never shared; psychological not seen
        _request(manager, case, world, sections=[Section.SECURITY])
    with pytest.raises(ValidationError):
        _request(manager, case, world, sections=[Section.PSYCHOLOGICAL])
    assert not Transfer.objects.exists()
    _request(manager, case, world)
    with pytest.raises(Conflict):
        _request(manager, case, world)


def test_decline_then_accept_moves_the_case_and_the_team(setup, world: World) -> None:
    _w, manager, psychologist, supervisor, receiving_sup, receiving_cm, case = setup
    from tirek.plans.models import Goal, GoalStatus, Plan

    review_due = timezone.now() + timedelta(days=40)
    plan = Plan.objects.create(case=case, next_review_due_at=review_due)
    domain = Goal._meta.get_field("domain").choices[0][0]
    goal = Goal.objects.create(
        plan=plan,
        domain=domain,
        title="School",
        responsible_user=manager,
        status=GoalStatus.PLANNED,
    )
    opened_at = case.opened_at
    first = _request(manager, case, world)
    with pytest.raises(PermissionDenied):
        services.transfer_decline(by=receiving_cm, transfer=first, version=1, reason="no")
    with pytest.raises(ValidationError):
        services.transfer_decline(by=receiving_sup, transfer=first, version=1, reason=" ")
    services.transfer_decline(by=receiving_sup, transfer=first, version=1, reason="No places.")
    first.refresh_from_db()
    assert first.status == TransferStatus.DECLINED
    assert policy.sections_for(receiving_sup, case) == frozenset()
    case.refresh_from_db()
    assert case.supervising_unit == world.unit

    second = _request(manager, case, world)
    with pytest.raises(ValidationError):  # the case manager must work in the receiving unit
        services.transfer_accept(by=receiving_sup, transfer=second, version=1, case_manager=manager)
    services.transfer_accept(
        by=receiving_sup,
        transfer=second,
        version=1,
        case_manager=receiving_cm,
        keep_user_ids=[psychologist.pk],
    )
    with pytest.raises(Conflict):  # answered once only
        services.transfer_decline(by=receiving_sup, transfer=second, version=1, reason="late")
    case.refresh_from_db()
    assert (case.supervising_unit, case.region, case.case_manager) == (
        world.unit_almaty,
        world.almaty,
        receiving_cm,
    )
    # the journey carries on: nothing resets
    assert case.status == CaseStatus.ACTIVE
    assert case.opened_at == opened_at
    assert policy.sections_for(manager, case) == frozenset()
    assert policy.sections_for(supervisor, case) == frozenset()
    assert Section.PSYCHOLOGICAL in policy.sections_for(psychologist, case)
    assert policy.can_manage(receiving_cm, case)
    assert Section.SOCIAL in policy.sections_for(receiving_sup, case)
    goal.refresh_from_db()
    assert goal.responsible_user == receiving_cm
    plan.refresh_from_db()
    assert plan.next_review_due_at == review_due
    stages = [
        e.detail.get("stage")
        for e in CaseEvent.objects.filter(case=case, kind=EventKind.TRANSFERRED).order_by(
            "at", "pk"
        )
    ]
    assert stages == ["requested", "declined", "requested", "accepted"]
    change = AuditEntry.objects.filter(
        action=Action.PERMISSION_CHANGE, detail__transfer=second.pk
    ).get()
    assert change.detail["team_released"] == [manager.pk]
    assert change.detail["team_kept"] == [psychologist.pk]
    # pages: the old case manager gets 404, the new one sees the case with its history
    assert logged_in_client(manager).get(f"/cases/{case.pk}/").status_code == 404
    new = logged_in_client(receiving_cm)
    assert new.get(f"/cases/{case.pk}/").status_code == 200
    timeline = new.get(f"/cases/{case.pk}/sections/timeline/")
    assert timeline.status_code == 200
    assert secret(Section.SOCIAL) in new.get(f"/cases/{case.pk}/sections/notes/").content.decode()


def test_withdraw_ends_the_preview(setup) -> None:
    world, manager, psychologist, _sup, receiving_sup, _cm, case = setup
    transfer = _request(manager, case, world)
    with pytest.raises(PermissionDenied):
        services.transfer_withdraw(by=psychologist, transfer=transfer, version=1)
    services.transfer_withdraw(by=manager, transfer=transfer, version=1)
    assert policy.sections_for(receiving_sup, case) == frozenset()


def test_pages_and_my_work(setup) -> None:
    world, manager, _psy, _sup, receiving_sup, receiving_cm, case = setup
    requester = logged_in_client(manager)
    form = requester.get(f"/transfers/case/{case.pk}/")
    assert form.status_code == 200
    bad = requester.post(f"/transfers/case/{case.pk}/", {"to_unit": world.unit_almaty.pk})
    assert bad.status_code == 422
    assert not Transfer.objects.exists()
    response = requester.post(
        f"/transfers/case/{case.pk}/",
        {"to_unit": world.unit_almaty.pk, "reason": "Moved.", "sections": [Section.FAMILY]},
    )
    assert response.status_code == 302
    transfer = Transfer.objects.get()
    home_requester = requester.get("/").content.decode()
    assert f"/transfers/{transfer.pk}/" in home_requester
    receiver = logged_in_client(receiving_sup)
    assert f"/transfers/{transfer.pk}/" in receiver.get("/").content.decode()
    assert receiver.get(f"/transfers/{transfer.pk}/").status_code == 200
    # a random user: 404 on the transfer and the case
    stranger = logged_in_client(world.staff(Role.CASE_MANAGER, agency=world.centre_almaty))
    assert stranger.get(f"/transfers/{transfer.pk}/").status_code == 404
    assert stranger.get(f"/cases/{case.pk}/").status_code == 404
    assert stranger.post(f"/transfers/{transfer.pk}/accept/", {}).status_code == 404
    # the receiving case manager cannot answer
    assert (
        logged_in_client(receiving_cm)
        .post(
            f"/transfers/{transfer.pk}/decline/",
            {"decline-version": 1, "decline-decline_reason": "x"},
        )
        .status_code
        == 404
    )
    bad_accept = receiver.post(f"/transfers/{transfer.pk}/accept/", {"accept-version": 1})
    assert bad_accept.status_code == 422
    accepted = receiver.post(
        f"/transfers/{transfer.pk}/accept/",
        {"accept-version": 1, "accept-case_manager": receiving_cm.pk},
    )
    assert accepted.status_code == 302
    assert requester.get(f"/cases/{case.pk}/").status_code == 404
    assert timezone.now()


def test_transfer_indicators_count_in_and_out(setup) -> None:
    from tirek.reports.registry import INDICATORS, POPULATIONS

    world, manager, _psy, _sup, receiving_sup, receiving_cm, case = setup
    transfer = _request(manager, case, world)
    services.transfer_accept(
        by=receiving_sup, transfer=transfer, version=1, case_manager=receiving_cm
    )
    assert {"transfers_in", "transfers_out"} <= set(INDICATORS)
    from tirek.reports.periods import Period

    period = Period.current()
    rows = POPULATIONS["transfers_in"].queryset(period)
    assert list(rows.values_list("to_region_id", flat=True)) == [world.almaty.pk]
    rows = POPULATIONS["transfers_out"].queryset(period)
    assert list(rows.values_list("from_region_id", flat=True)) == [world.karaganda.pk]


def test_the_transfer_api_lists_and_reads_what_the_pages_show(setup, world: World) -> None:
    world, manager, _psy, _sup, receiving_sup, receiving_cm, case = setup
    transfer = _request(manager, case, world)
    mine = api_client(manager).get("/api/v1/transfers").json()
    assert mine["count"] == 1 and mine["items"][0]["id"] == transfer.pk
    assert mine["items"][0]["direction"] == "out" and mine["items"][0]["case_number"] == case.number
    theirs = api_client(receiving_sup)
    listed = theirs.get("/api/v1/transfers?direction=in").json()
    assert [t["id"] for t in listed["items"]] == [transfer.pk]
    assert listed["items"][0]["direction"] == "in"
    assert theirs.get("/api/v1/transfers?direction=out").json()["count"] == 0
    one = theirs.get(f"/api/v1/transfers/{transfer.pk}")
    assert one.status_code == 200 and one.json()["sections"] == ["core", "family"]
    assert AuditEntry.objects.filter(
        object_type="transfers.transfer", object_id=str(transfer.pk), action="read"
    ).exists()
    for outsider in (receiving_cm, world.staff(Role.CASE_MANAGER)):
        client = api_client(outsider)
        assert client.get("/api/v1/transfers").json()["count"] == 0
        hidden = client.get(f"/api/v1/transfers/{transfer.pk}")
        assert hidden.status_code == 404
        assert hidden["Content-Type"].startswith("application/problem+json")
    missing = api_client(manager).get("/api/v1/transfers/999999")
    assert missing.status_code == 404 and missing.json()["status"] == 404
    bad = api_client(manager).get("/api/v1/transfers?direction=sideways")
    assert bad.status_code == 422
    assert bad["Content-Type"].startswith("application/problem+json")
