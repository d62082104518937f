"""Transfers, issue #17 follow-ups: the notices each side gets (naming the case number and
linking to a page the reader may open, never a name); the list and the page of a
transfer agree on who sees it; the family page links to the family's transfer for those
who may request it."""

from __future__ import annotations

import pytest

from tirek.access import services as access_services
from tirek.access.policy import Section
from tirek.accounts.roles import Role
from tirek.cases.models import Case, CaseStatus
from tirek.cases.tests.factories import open_case
from tirek.families.tests.helpers import register_family
from tirek.referrals.models import Notification, NotificationKind
from tirek.testing import World, api_client, logged_in_client
from tirek.transfers import services
from tirek.transfers.models import FamilyTransfer, Transfer

from .test_family_transfer import consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def one(world: World):
    manager = world.staff(Role.CASE_MANAGER)
    psychologist = world.staff(Role.PSYCHOLOGIST)
    supervisor = world.staff(Role.SUPERVISOR)
    receiving_sup = world.staff(Role.SUPERVISOR, agency=world.centre_almaty)
    second_receiving_sup = world.staff(Role.SUPERVISOR, agency=world.centre_almaty)
    receiving_cm = world.staff(Role.CASE_MANAGER, agency=world.centre_almaty)
    # Several roles on one account: a psychologist who is a case manager elsewhere, on this
    # case's team as its psychologist; a case manager of the receiving unit who is also
    # its supervisor.
    psychologist_cm = world.staff(Role.PSYCHOLOGIST, roles=[Role.PSYCHOLOGIST, Role.CASE_MANAGER])
    receiving_cm_sup = world.staff(
        Role.SUPERVISOR, agency=world.centre_almaty, roles=[Role.CASE_MANAGER, Role.SUPERVISOR]
    )
    case = open_case(
        manager,
        team=[(psychologist, Role.PSYCHOLOGIST), (psychologist_cm, Role.PSYCHOLOGIST)],
    )
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.ACTIVE)
    case.refresh_from_db()
    consent(manager, case, world.centre_almaty)
    users = {
        "manager": manager,
        "psychologist": psychologist,
        "supervisor": supervisor,
        "receiving_sup": receiving_sup,
        "second_receiving_sup": second_receiving_sup,
        "receiving_cm": receiving_cm,
        "stranger": world.staff(Role.CASE_MANAGER),
        "psychologist_cm": psychologist_cm,
        "receiving_cm_sup": receiving_cm_sup,
    }
    return world, users, case


def _request(by, case, world) -> Transfer:
    return services.transfer_request(
        by=by, case=case, to_unit=world.unit_almaty, reason="Moved.", sections=[Section.FAMILY]
    )


def _notices(user, kind=None) -> list[Notification]:
    rows = Notification.objects.filter(user=user)
    if kind is not None:
        rows = rows.filter(kind=kind)
    return list(rows)


def test_a_request_tells_the_receiving_supervisors_and_nobody_else(one) -> None:
    world, users, case = one
    transfer = _request(users["manager"], case, world)
    url = f"/transfers/{transfer.pk}/"
    for who in ("receiving_sup", "second_receiving_sup"):
        (notice,) = _notices(users[who])
        assert notice.kind == NotificationKind.TRANSFER_REQUESTED
        assert notice.label == case.number and notice.url == url
        # the link opens for its reader, and the notice list shows it
        client = logged_in_client(users[who])
        assert client.get(url).status_code == 200
        page = client.get("/notifications/").content.decode()
        assert case.number in page and str(NotificationKind.TRANSFER_REQUESTED.label) in page
        opened = client.post(f"/notifications/{notice.pk}/open/")
        assert opened.status_code == 302 and opened["Location"] == url
        assert case.person.given_name not in page and case.person.family_name not in page
    for who in ("manager", "psychologist", "supervisor", "receiving_cm", "stranger"):
        assert _notices(users[who]) == [], who


def test_the_answer_tells_the_requester(one) -> None:
    world, users, case = one
    manager, receiving_sup = users["manager"], users["receiving_sup"]
    transfer = _request(manager, case, world)
    services.transfer_decline(by=receiving_sup, transfer=transfer, version=1, reason="Нет мест")
    (declined,) = _notices(manager)
    assert declined.kind == NotificationKind.TRANSFER_DECLINED
    assert declined.label == case.number and declined.url == f"/transfers/{transfer.pk}/"
    assert _notices(receiving_sup, NotificationKind.TRANSFER_DECLINED) == []
    again = _request(manager, case, world)
    services.transfer_accept(
        by=receiving_sup, transfer=again, version=1, case_manager=users["receiving_cm"]
    )
    (accepted,) = _notices(manager, NotificationKind.TRANSFER_ACCEPTED)
    assert accepted.label == case.number and accepted.url == f"/transfers/{again.pk}/"
    # the requester no longer sees the case, but still opens the transfer the notice names
    client = logged_in_client(manager)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.get(accepted.url).status_code == 200
    assert _notices(users["psychologist"]) == []


def test_a_withdrawal_tells_the_requester_and_those_who_were_to_answer(one) -> None:
    world, users, case = one
    manager, supervisor = users["manager"], users["supervisor"]
    first = _request(manager, case, world)
    services.transfer_withdraw(by=manager, transfer=first, version=1)
    assert _notices(manager) == []  # not told what they did themselves
    assert len(_notices(users["receiving_sup"], NotificationKind.TRANSFER_WITHDRAWN)) == 1
    second = _request(manager, case, world)
    services.transfer_withdraw(by=supervisor, transfer=second, version=1)
    (notice,) = _notices(manager, NotificationKind.TRANSFER_WITHDRAWN)
    assert notice.url == f"/transfers/{second.pk}/" and notice.label == case.number
    assert _notices(supervisor) == []


def test_a_refused_request_tells_nobody(one) -> None:
    world, users, case = one
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _request(users["psychologist"], case, world)
    assert not Notification.objects.exists()


@pytest.fixture
def fam(world: World):
    manager = world.staff(Role.CASE_MANAGER)
    receiving_sup = world.staff(Role.SUPERVISOR, agency=world.centre_almaty)
    receiving_cm = world.staff(Role.CASE_MANAGER, agency=world.centre_almaty)
    family = register_family(manager)
    cases = list(Case.objects.filter(person__family_memberships__family=family).order_by("pk"))
    for case in cases:
        consent(manager, case, world.centre_almaty)
    return world, manager, receiving_sup, receiving_cm, family, cases


def _family_request(by, family, world) -> FamilyTransfer:
    return services.family_transfer_request(
        by=by, family=family, to_unit=world.unit_almaty, reason="Переезд.", sections=[]
    )


def test_a_family_request_and_its_answer_notify_once(fam) -> None:
    world, manager, receiving_sup, receiving_cm, family, cases = fam
    group = _family_request(manager, family, world)
    (notice,) = _notices(receiving_sup)
    assert notice.kind == NotificationKind.TRANSFER_REQUESTED
    assert notice.url == f"/transfers/families/{group.pk}/"
    assert all(case.number in notice.label for case in cases)
    assert family.label not in notice.label
    assert logged_in_client(receiving_sup).get(notice.url).status_code == 200
    services.family_transfer_accept(
        by=receiving_sup, group=group, version=group.version, case_manager=receiving_cm
    )
    (accepted,) = _notices(manager)
    assert accepted.kind == NotificationKind.TRANSFER_ACCEPTED and accepted.url == notice.url
    assert logged_in_client(manager).get(accepted.url).status_code == 200


def test_a_family_decline_notifies_once(fam) -> None:
    world, manager, receiving_sup, _cm, family, _cases = fam
    group = _family_request(manager, family, world)
    services.family_transfer_decline(
        by=receiving_sup, group=group, version=group.version, reason="Нет мест"
    )
    (declined,) = _notices(manager)
    assert declined.kind == NotificationKind.TRANSFER_DECLINED
    assert declined.url == f"/transfers/families/{group.pk}/"


def test_a_long_list_of_case_numbers_fits_the_notice() -> None:
    numbers = [f"KAR-2026-{n:06d}" for n in range(10)]
    label = services._numbers_label(numbers)
    assert len(label) <= 64
    shown = label.split(" +")[0].split(", ")
    assert shown == numbers[: len(shown)]
    assert label.endswith(f" +{len(numbers) - len(shown)}")
    assert services._numbers_label(numbers[:2]) == ", ".join(numbers[:2])


# --- the list and the page agree ----------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("manager", True),  # requested it
        ("supervisor", True),  # supervises the case: may withdraw it
        ("psychologist", False),  # on the team: sees it on the case's timeline only
        ("receiving_sup", True),  # answers it
        ("second_receiving_sup", True),
        ("receiving_cm", False),
        ("stranger", False),
        # Several roles: managing the case comes from being its case manager, not from
        # holding the role on another case; the receiving supervisor answers whatever
        # other role they hold.
        ("psychologist_cm", False),
        ("receiving_cm_sup", True),
    ],
)
def test_access_matrix_list_and_detail_agree(one, who, sees) -> None:
    world, users, case = one
    transfer = _request(users["manager"], case, world)
    user = users[who]
    url = f"/transfers/{transfer.pk}/"
    page = logged_in_client(user)
    assert (url in page.get("/transfers/").content.decode()) is sees
    assert page.get(url).status_code == (200 if sees else 404)
    api = api_client(user)
    listed = [t["id"] for t in api.get("/api/v1/transfers").json()["items"]]
    assert (transfer.pk in listed) is sees
    assert api.get(f"/api/v1/transfers/{transfer.pk}").status_code == (200 if sees else 404)


def test_the_old_team_stops_listing_a_transfer_after_acceptance(one) -> None:
    world, users, case = one
    transfer = _request(users["manager"], case, world)
    services.transfer_accept(
        by=users["receiving_sup"], transfer=transfer, version=1, case_manager=users["receiving_cm"]
    )
    url = f"/transfers/{transfer.pk}/"
    # the sending supervisor no longer manages the case: neither listed nor opened
    client = logged_in_client(users["supervisor"])
    assert url not in client.get("/transfers/").content.decode()
    assert client.get(url).status_code == 404
    # the requester keeps both
    client = logged_in_client(users["manager"])
    assert url in client.get("/transfers/").content.decode()
    assert client.get(url).status_code == 200


# --- the family page links to the family's transfer -----------------------------------------


def test_the_family_page_links_to_the_transfer_for_those_who_may_request_it(
    fam, world: World
) -> None:
    _w, manager, _rs, _cm, family, cases = fam
    supervisor = world.staff(Role.SUPERVISOR)
    psychologist = world.staff(Role.PSYCHOLOGIST)
    access_services.grant_membership(
        case=cases[1], user=psychologist, role=Role.PSYCHOLOGIST, by=manager
    )
    link = f'href="/transfers/family/{family.pk}/"'
    for user, shown in ((manager, True), (supervisor, True), (psychologist, False)):
        client = logged_in_client(user)
        page = client.get(f"/families/{family.pk}/")
        assert page.status_code == 200
        assert (link in page.content.decode()) is shown
        # the link and the page it opens agree
        assert client.get(f"/transfers/family/{family.pk}/").status_code == (200 if shown else 403)
    # every member's case closed: nothing to transfer, no link, no page
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(status=CaseStatus.CLOSED)
    client = logged_in_client(manager)
    assert link not in client.get(f"/families/{family.pk}/").content.decode()
    assert client.get(f"/transfers/family/{family.pk}/").status_code == 403
