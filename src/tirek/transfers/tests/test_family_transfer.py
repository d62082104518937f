"""A whole family transferred in one step (issue #17): one request for every member's case
the requester may transfer, answered together, each case moving as a single transfer
does; the members left out say no more than the family page does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from tirek.access import policy
from tirek.access.policy import Section
from tirek.accounts.roles import Role
from tirek.audit.models import AuditEntry
from tirek.audit.services import verify
from tirek.cases.models import Case, CaseEvent, CaseStatus, EventKind
from tirek.cases.tests.factories import notes_in_every_section, open_case
from tirek.core.exceptions import Conflict, Refused
from tirek.families.tests.helpers import register_family
from tirek.referrals.models import Notification, NotificationKind
from tirek.testing import World, logged_in_client, today
from tirek.transfers import services
from tirek.transfers.models import FamilyTransfer, Transfer, TransferStatus

pytestmark = pytest.mark.django_db


def consent(by, case: Case, agency) -> None:
    from tirek.privacy import services as privacy
    from tirek.privacy.models import ConsentKind, GivenBy, Purpose

    adult = case.person.birth_date.year < 2000
    givers = (
        [(GivenBy.ADULT_SELF, ConsentKind.CONSENT)]
        if adult
        else [(GivenBy.GUARDIAN, ConsentKind.CONSENT), (GivenBy.CHILD, ConsentKind.ASSENT)]
    )
    for given_by, kind in givers:
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
def fam(world: World):
    manager = world.staff(Role.CASE_MANAGER)
    supervisor = world.staff(Role.SUPERVISOR)
    receiving_sup = world.staff(Role.SUPERVISOR, agency=world.centre_almaty)
    receiving_cm = world.staff(Role.CASE_MANAGER, agency=world.centre_almaty)
    family = register_family(manager)
    cases = list(Case.objects.filter(person__family_memberships__family=family).order_by("pk"))
    assert len(cases) == 3
    for case in cases:
        notes_in_every_section(case, manager)
    return world, manager, supervisor, receiving_sup, receiving_cm, family, cases


def _request(by, family, world, **kwargs):
    return services.family_transfer_request(
        by=by,
        family=family,
        to_unit=world.unit_almaty,
        reason="Семья переезжает к родственникам в Алматы.",
        sections=kwargs.pop("sections", [Section.FAMILY]),
        **kwargs,
    )


def test_every_case_is_requested_and_accepted_together(fam) -> None:
    world, manager, _sup, receiving_sup, receiving_cm, family, cases = fam
    for case in cases:
        consent(manager, case, world.centre_almaty)
    group = _request(manager, family, world)
    transfers = list(group.transfers.order_by("case_id"))
    assert [t.case_id for t in transfers] == [c.pk for c in cases]
    assert {t.status for t in transfers} == {TransferStatus.REQUESTED}
    assert group.not_included == 0
    # before the answer: basic information and the family section of each case, nothing else
    for case in cases:
        assert policy.sections_for(receiving_sup, case) == {Section.CORE, Section.FAMILY}
        assert policy.sections_for(receiving_cm, case) == frozenset()
    assert not policy.cases_with_section(receiving_sup, Section.PSYCHOLOGICAL).exists()
    with pytest.raises(PermissionDenied):  # the requester does not answer
        services.family_transfer_accept(
            by=manager, group=group, version=group.version, case_manager=receiving_cm
        )
    group = services.family_transfer_accept(
        by=receiving_sup, group=group, version=group.version, case_manager=receiving_cm
    )
    assert group.status == TransferStatus.ACCEPTED and group.new_case_manager == receiving_cm
    for case in cases:
        case.refresh_from_db()
        assert case.supervising_unit == world.unit_almaty and case.case_manager == receiving_cm
        assert case.region == world.unit_almaty.region
        assert policy.sections_for(manager, case) == frozenset()  # the old team has left
        assert Section.SOCIAL in policy.sections_for(receiving_cm, case)
        stages = list(
            CaseEvent.objects.filter(case=case, kind=EventKind.TRANSFERRED).values_list(
                "detail__stage", flat=True
            )
        )
        assert sorted(stages) == ["accepted", "requested"]
    assert (
        AuditEntry.objects.filter(
            object_type="transfers.familytransfer", object_id=str(group.pk)
        ).count()
        == 2
    )
    assert verify().ok
    with pytest.raises(Conflict):  # answered once only
        services.family_transfer_decline(
            by=receiving_sup, group=group, version=group.version, reason="Поздно"
        )


def test_a_member_without_consent_refuses_the_whole_request(fam) -> None:
    world, manager, supervisor, receiving_sup, _cm, family, cases = fam
    for case in cases[:2]:
        consent(manager, case, world.centre_almaty)
    with pytest.raises(Refused) as exc:
        _request(manager, family, world)
    assert cases[2].number in str(exc.value)
    assert not Transfer.objects.exists() and not FamilyTransfer.objects.exists()
    assert policy.sections_for(receiving_sup, cases[0]) == frozenset()
    # the case's supervisor records the legal basis for that member
    group = _request(
        supervisor, family, world, legal_bases={cases[2].pk: "Решение органа опеки № 12"}
    )
    by_case = {t.case_id: t for t in group.transfers.all()}
    assert by_case[cases[2].pk].legal_basis.startswith("Решение")
    assert by_case[cases[0].pk].consent_covered


def test_members_the_requester_may_not_transfer_are_left_out(fam, world: World) -> None:
    _w, manager, _sup, receiving_sup, receiving_cm, family, cases = fam
    # the mother's case now belongs to another unit's team
    other = world.staff(Role.CASE_MANAGER, agency=world.centre_almaty)
    Case.objects.filter(pk=cases[0].pk).update(status=CaseStatus.CLOSED)
    held = open_case(other, person=cases[0].person, supervising_unit=world.unit_almaty)
    options = services.family_options(manager, family)
    assert [o.included for o in options] == [False, True, True]
    assert not any(held in o.cases for o in options)
    for case in cases[1:]:
        consent(manager, case, world.centre_almaty)
    # the page names the left-out member only as the family page does, and not the case
    page = logged_in_client(manager).get(f"/transfers/family/{family.pk}/")
    assert page.status_code == 200
    assert held.number not in page.content.decode()
    assert page.content.decode().count('class="not-included"') == 1
    group = _request(manager, family, world)
    assert group.not_included == 1
    assert {t.case_id for t in group.transfers.all()} == {cases[1].pk, cases[2].pk}
    # everything is awaiting an answer now: nothing more to request, and the page says so
    client = logged_in_client(manager)
    page = client.get(f"/transfers/family/{family.pk}/")
    assert page.status_code == 200
    assert 'data-testid="all-pending"' in page.content.decode()
    assert 'id="family-transfer-form"' not in page.content.decode()
    again = client.post(
        f"/transfers/family/{family.pk}/",
        {"to_unit": world.unit_almaty.pk, "reason": "Ещё раз", "sections": [Section.FAMILY]},
    )
    assert again.status_code == 409
    assert FamilyTransfer.objects.count() == 1
    services.family_transfer_decline(
        by=receiving_sup, group=group, version=group.version, reason="Нет мест"
    )
    assert set(Transfer.objects.values_list("status", flat=True)) == {TransferStatus.DECLINED}
    assert policy.sections_for(receiving_sup, cases[1]) == frozenset()
    assert Case.objects.get(pk=cases[1].pk).case_manager == manager


@pytest.mark.parametrize(
    ("who", "request_page", "detail_page"),
    [
        ("manager", 200, 200),
        ("receiving_sup", 404, 200),
        ("receiving_cm", 404, 404),
        ("stranger", 404, 404),
        ("psychologist_elsewhere", 404, 404),
    ],
)
def test_access_matrix(fam, world: World, who, request_page, detail_page) -> None:
    _w, manager, _sup, receiving_sup, receiving_cm, family, cases = fam
    for case in cases:
        consent(manager, case, world.centre_almaty)
    users = {
        "manager": manager,
        "receiving_sup": receiving_sup,
        "receiving_cm": receiving_cm,
        "stranger": world.staff(Role.CASE_MANAGER),
        "psychologist_elsewhere": world.staff(Role.PSYCHOLOGIST, agency=world.centre_almaty),
    }
    client = logged_in_client(users[who])
    assert client.get(f"/transfers/family/{family.pk}/").status_code == request_page
    group = _request(manager, family, world)
    detail = client.get(f"/transfers/families/{group.pk}/")
    assert detail.status_code == detail_page
    if who == "receiving_sup":
        # the request shows what was shared: case numbers and the reason, no names
        text = detail.content.decode()
        assert cases[0].number in text and cases[0].person.given_name not in text
        assert 'id="family-accept-form"' in text
    if who != "receiving_sup":
        assert client.post(
            f"/transfers/families/{group.pk}/accept/",
            {"accept-version": group.version, "accept-case_manager": receiving_cm.pk},
        ).status_code in (403, 404)
    assert Transfer.objects.filter(status=TransferStatus.REQUESTED).count() == 3


def test_the_receiving_supervisor_keeps_members_of_the_old_teams(fam, world: World) -> None:
    """The family's lawyer at a national agency stays on the cases they are on; the rest
    of the old teams leave, as when nobody is kept."""
    from django.core.exceptions import ValidationError

    from tirek.cases.models import CaseTeamMember

    _w, manager, _sup, receiving_sup, receiving_cm, _family, cases = fam
    mother, child, sibling = cases
    lawyer = world.staff(Role.LAWYER, agency=world.ministry, unit=None)
    psychologist = world.staff(Role.PSYCHOLOGIST)
    for case, user, role in [
        (child, lawyer, Role.LAWYER),
        (sibling, lawyer, Role.LAWYER),
        (child, psychologist, Role.PSYCHOLOGIST),
    ]:
        CaseTeamMember.objects.create(case=case, user=user, role=role, added_by=manager)
    group = _requested(fam)
    url = f"/transfers/families/{group.pk}/"
    client = logged_in_client(receiving_sup)
    page = client.get(url).content.decode()
    assert page.count(f'name="accept-keep" value="{lawyer.pk}"') == 1  # once, on two cases
    assert f'name="accept-keep" value="{psychologist.pk}"' in page
    # Someone on none of the teams: refused, nothing changes.
    stranger = world.staff(Role.LAWYER, agency=world.ministry, unit=None)
    with pytest.raises(ValidationError):
        services.family_transfer_accept(
            by=receiving_sup, group=group, version=group.version, case_manager=receiving_cm,
            keep_user_ids=[stranger.pk],
        )  # fmt: skip
    answer = {"accept-version": group.version, "accept-case_manager": receiving_cm.pk}
    refused = client.post(f"{url}accept/", {**answer, "accept-keep": [stranger.pk]})
    assert refused.status_code in (400, 422)
    assert Transfer.objects.filter(status=TransferStatus.REQUESTED).count() == 3

    response = client.post(f"{url}accept/", {**answer, "accept-keep": [lawyer.pk]})
    assert response.status_code == 302
    for case in (child, sibling):
        assert Section.LEGAL in policy.sections_for(lawyer, case)
    assert policy.sections_for(lawyer, mother) == frozenset()  # was never on her team
    assert policy.sections_for(psychologist, child) == frozenset()  # not kept: left
    assert policy.sections_for(manager, child) == frozenset()
    group.refresh_from_db()
    entry = AuditEntry.objects.filter(
        object_type="transfers.familytransfer", object_id=str(group.pk)
    ).latest("id")
    assert entry.detail["team_kept"] == [lawyer.pk]


# --- withdrawing the whole family's request -------------------------------------------------
# The requesting side takes the request back in one step: every case still awaiting an
# answer is withdrawn as a single request is, the family's request is closed, and the
# receiving supervisors are told once.


def _requested(fam):
    world, manager, _sup, receiving_sup, receiving_cm, family, cases = fam
    for case in cases:
        consent(manager, case, world.centre_almaty)
    return _request(manager, family, world)


def test_the_requester_withdraws_every_waiting_case_at_once(fam) -> None:
    _world, manager, _sup, receiving_sup, _cm, _family, cases = fam
    group = _requested(fam)
    Notification.objects.all().delete()  # the request's own notices
    group = services.family_transfer_withdraw(by=manager, group=group, version=group.version)
    assert group.status == TransferStatus.WITHDRAWN and group.decided_by == manager
    assert set(group.transfers.values_list("status", flat=True)) == {TransferStatus.WITHDRAWN}
    for case in cases:
        stages = CaseEvent.objects.filter(case=case, kind=EventKind.TRANSFERRED).values_list(
            "detail__stage", flat=True
        )
        assert sorted(stages) == ["requested", "withdrawn"]
        assert policy.sections_for(receiving_sup, case) == frozenset()  # the preview ended
    notices = Notification.objects.filter(user=receiving_sup)
    assert [n.kind for n in notices] == [NotificationKind.TRANSFER_WITHDRAWN]
    assert all(c.person.given_name not in notices[0].label for c in cases)
    assert not Notification.objects.filter(user=manager).exists()  # not told of their own act
    assert (
        AuditEntry.objects.filter(
            object_type="transfers.familytransfer", object_id=str(group.pk)
        ).count()
        == 2
    )
    assert verify().ok


def test_a_case_withdrawn_on_its_own_before_is_left_as_it_is(fam) -> None:
    _world, manager, *_rest = fam
    group = _requested(fam)
    first = group.transfers.order_by("pk").first()
    services.transfer_withdraw(by=manager, transfer=first, version=first.version)
    group.refresh_from_db()
    group = services.family_transfer_withdraw(by=manager, group=group, version=group.version)
    assert group.status == TransferStatus.WITHDRAWN
    assert not Transfer.objects.filter(status=TransferStatus.REQUESTED).exists()
    first.refresh_from_db()
    assert first.version == 2  # withdrawn once, not again


def test_a_stale_form_or_the_other_side_changes_nothing(fam) -> None:
    _world, manager, _sup, receiving_sup, *_rest = fam
    group = _requested(fam)
    with pytest.raises(Conflict):
        services.family_transfer_withdraw(by=manager, group=group, version=group.version + 1)
    with pytest.raises(PermissionDenied):  # the receiving side answers; it does not withdraw
        services.family_transfer_withdraw(by=receiving_sup, group=group, version=group.version)
    assert Transfer.objects.filter(status=TransferStatus.REQUESTED).count() == 3
    group.refresh_from_db()
    assert group.status == TransferStatus.REQUESTED


def test_the_family_transfer_page_offers_it_to_the_requesting_side_only(
    fam,
    world: World,
) -> None:
    _w, manager, _sup, receiving_sup, receiving_cm, *_rest = fam
    group = _requested(fam)
    url = f"/transfers/families/{group.pk}/"
    assert 'id="family-withdraw-form"' in logged_in_client(manager).get(url).content.decode()
    page = logged_in_client(receiving_sup).get(url).content.decode()
    assert 'id="family-withdraw-form"' not in page
    withdraw = f"{url}withdraw/"
    assert (
        logged_in_client(receiving_sup).post(withdraw, {"version": group.version}).status_code
        == 403
    )
    assert (
        logged_in_client(receiving_cm).post(withdraw, {"version": group.version}).status_code == 404
    )
    stranger = world.staff(Role.CASE_MANAGER)
    assert logged_in_client(stranger).post(withdraw, {"version": group.version}).status_code == 404
    assert logged_in_client(manager).post(withdraw, {"version": "x"}).status_code == 422
    assert Transfer.objects.filter(status=TransferStatus.REQUESTED).count() == 3
    response = logged_in_client(manager).post(withdraw, {"version": group.version})
    assert response.status_code == 302 and response["Location"] == url
    group.refresh_from_db()
    assert group.status == TransferStatus.WITHDRAWN
    page = logged_in_client(manager).get(url).content.decode()
    assert 'id="family-withdraw-form"' not in page


@pytest.mark.parametrize(
    ("who", "answer"),
    [
        ("manager", 302),
        ("supervisor", 302),  # supervises every case of the request
        ("receiving_sup", 403),  # sees the request, answers it, does not withdraw it
        ("receiving_cm_sup", 403),  # a case manager who also supervises the receiving unit
        ("receiving_cm", 404),
        ("psychologist_cm_elsewhere", 404),  # several roles, none on these cases
    ],
)
def test_who_may_withdraw_the_whole_request(fam, world: World, who, answer) -> None:
    _w, manager, supervisor, receiving_sup, receiving_cm, *_rest = fam
    users = {
        "manager": manager,
        "supervisor": supervisor,
        "receiving_sup": receiving_sup,
        "receiving_cm_sup": world.staff(
            Role.SUPERVISOR, agency=world.centre_almaty, roles=[Role.CASE_MANAGER, Role.SUPERVISOR]
        ),
        "receiving_cm": receiving_cm,
        "psychologist_cm_elsewhere": world.staff(
            Role.PSYCHOLOGIST, roles=[Role.PSYCHOLOGIST, Role.CASE_MANAGER]
        ),
    }
    group = _requested(fam)
    response = logged_in_client(users[who]).post(
        f"/transfers/families/{group.pk}/withdraw/", {"version": group.version}
    )
    assert response.status_code == answer
    group.refresh_from_db()
    withdrawn = answer == 302
    assert group.status == (TransferStatus.WITHDRAWN if withdrawn else TransferStatus.REQUESTED)
    waiting = Transfer.objects.filter(status=TransferStatus.REQUESTED).count()
    assert waiting == (0 if withdrawn else 3)


def test_reading_the_transfer_pages_is_audited(fam) -> None:
    _w, manager, *_rest = fam
    group = _requested(fam)
    member = group.transfers.order_by("pk").first()
    client = logged_in_client(manager)
    reads = AuditEntry.objects.filter(actor=manager, action="read")
    assert client.get(f"/transfers/families/{group.pk}/").status_code == 200
    assert reads.filter(object_type="transfers.familytransfer", object_id=str(group.pk)).exists()
    assert client.get(f"/transfers/{member.pk}/").status_code == 200
    assert reads.filter(object_type="transfers.transfer", object_id=str(member.pk)).exists()
    assert client.get("/transfers/").status_code == 200
    listed = reads.filter(object_type="transfers.transfer", detail__kind="list").get()
    assert set(listed.detail["ids"]) == set(group.transfers.values_list("pk", flat=True))


def test_a_case_of_the_request_is_not_answered_alone(fam) -> None:
    _world, _manager, _sup, receiving_sup, receiving_cm, _family, _cases = fam
    group = _requested(fam)
    first = group.transfers.order_by("pk").first()
    with pytest.raises(Refused):
        services.transfer_accept(
            by=receiving_sup, transfer=first, version=first.version, case_manager=receiving_cm
        )
    with pytest.raises(Refused):
        services.transfer_decline(
            by=receiving_sup, transfer=first, version=first.version, reason="Нет мест"
        )
    # Its page sends the supervisor to the family's request and offers no answer of its own.
    client = logged_in_client(receiving_sup)
    page = client.get(f"/transfers/{first.pk}/").content.decode()
    assert 'id="answer-with-family"' in page and f"/transfers/families/{group.pk}/" in page
    assert 'id="accept-form"' not in page and 'id="decline-form"' not in page
    answer = {"decline-version": first.version, "decline-decline_reason": "Нет мест"}
    assert client.post(f"/transfers/{first.pk}/decline/", answer).status_code == 403
    assert Transfer.objects.filter(status=TransferStatus.REQUESTED).count() == 3
    # The family's request is answered as a whole.
    group.refresh_from_db()
    group = services.family_transfer_accept(
        by=receiving_sup, group=group, version=group.version, case_manager=receiving_cm
    )
    assert set(group.transfers.values_list("status", flat=True)) == {TransferStatus.ACCEPTED}


def test_withdrawing_its_last_waiting_case_withdraws_the_family_request(fam) -> None:
    _world, manager, _sup, receiving_sup, *_rest = fam
    group = _requested(fam)
    transfers = list(group.transfers.order_by("pk"))
    for transfer in transfers[:-1]:
        services.transfer_withdraw(by=manager, transfer=transfer, version=transfer.version)
        group.refresh_from_db()
        assert group.status == TransferStatus.REQUESTED  # one case still waits
    last = transfers[-1]
    services.transfer_withdraw(by=manager, transfer=last, version=last.version)
    group.refresh_from_db()
    assert group.status == TransferStatus.WITHDRAWN and group.decided_by == manager
    # The receiving supervisor's list shows it withdrawn, not waiting.
    page = logged_in_client(receiving_sup).get("/transfers/").content.decode()
    line = page[page.index(f"/transfers/families/{group.pk}/") :].split("</li>")[0]
    assert "Отозвано" in line
    assert verify().ok


@pytest.mark.parametrize(
    ("who", "status", "note", "answer_forms", "answer_post"),
    [
        ("manager", 200, False, False, 403),  # the requesting side: it may withdraw, not answer
        ("receiving_sup", 200, True, False, 403),  # answers with the family's request
        ("receiving_sup_and_cm", 200, True, False, 403),  # two roles: the same
        ("receiving_cm", 404, False, False, 404),
        ("stranger", 404, False, False, 404),
    ],
)
def test_access_matrix_of_one_case_of_the_request(
    fam, world: World, who, status, note, answer_forms, answer_post
) -> None:
    _w, manager, _sup, receiving_sup, receiving_cm, _family, _cases = fam
    group = _requested(fam)
    member = group.transfers.order_by("pk").first()
    users = {
        "manager": manager,
        "receiving_sup": receiving_sup,
        "receiving_sup_and_cm": world.staff(
            Role.SUPERVISOR, agency=world.centre_almaty, roles=[Role.SUPERVISOR, Role.CASE_MANAGER]
        ),
        "receiving_cm": receiving_cm,
        "stranger": world.staff(Role.CASE_MANAGER),
    }
    client = logged_in_client(users[who])
    page = client.get(f"/transfers/{member.pk}/")
    assert page.status_code == status
    text = page.content.decode()
    assert ('id="answer-with-family"' in text) is note
    assert ('id="accept-form"' in text or 'id="decline-form"' in text) is answer_forms
    accept = {"accept-version": member.version, "accept-case_manager": receiving_cm.pk}
    assert client.post(f"/transfers/{member.pk}/accept/", accept).status_code == answer_post
    assert Transfer.objects.filter(status=TransferStatus.REQUESTED).count() == 3
