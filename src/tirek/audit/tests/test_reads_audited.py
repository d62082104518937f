"""Every read of personal data leaves an entry (issue 10 found reads without one: consents,
the person edit page, the consent form, referral lists, name search over cases, and the
administrator's account pages)."""

from __future__ import annotations

import pytest

from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.referrals.tests.conftest import Scene, build_scene
from tirek.testing import World, api_client, logged_in_client


@pytest.fixture
def scene(world: World) -> Scene:
    scene = build_scene(world)
    scene.consent()
    return scene


def _entries(user, **filters):
    return AuditEntry.objects.filter(actor=user, **filters)


def test_the_dpo_reading_consents_through_the_api_is_audited(scene: Scene) -> None:
    dpo = scene.world.staff(Role.DPO)  # the DPO reads consents of any region
    person = scene.case.person
    response = api_client(dpo).get(f"/api/v1/consents?person_id={person.pk}")
    assert response.status_code == 200
    entry = _entries(dpo, action=Action.READ, object_type="people.person").get()
    assert entry.object_id == str(person.pk)
    assert len(entry.detail["consents"]) == len(response.json()["items"]) == 2


def test_the_consent_form_is_audited(scene: Scene) -> None:
    person = scene.case.person
    response = logged_in_client(scene.cm).get(f"/privacy/consents/person/{person.pk}/new/")
    assert response.status_code == 200
    entry = _entries(scene.cm, action=Action.READ, object_id=str(person.pk)).get()
    assert entry.detail == {"consent_form": True}


def test_the_person_edit_page_showing_the_iin_is_audited(scene: Scene) -> None:
    person = scene.case.person
    response = logged_in_client(scene.cm).get(f"/people/{person.pk}/edit/")
    assert response.status_code == 200
    assert _entries(
        scene.cm, action=Action.READ, object_type="people.person", object_id=str(person.pk)
    ).exists()


def test_referral_lists_carrying_the_reason_are_audited(scene: Scene) -> None:
    referral = scene.send()
    client = logged_in_client(scene.cm)
    assert client.get("/referrals/?box=outgoing").status_code == 200
    assert client.get(f"/referrals/case/{scene.case.pk}/").status_code == 200
    api = api_client(scene.liaison)
    assert api.get("/api/v1/referrals?box=incoming").json()["count"] == 1
    lists = _entries(scene.cm, action=Action.READ, object_type="referrals.referral")
    assert sorted(e.detail["kind"] for e in lists) == ["case", "outgoing"]
    assert all(e.detail["ids"] == [referral.pk] for e in lists)
    # Each names the child's case, so that the DPO finds it by the case's number.
    outgoing = lists.get(detail__kind="outgoing")
    assert outgoing.detail["cases"] == [scene.case.pk]
    incoming = _entries(scene.liaison, action=Action.READ, object_type="referrals.referral").get()
    assert incoming.detail["ids"] == [referral.pk]


def test_a_name_search_over_cases_is_audited_on_the_web_and_in_the_api(scene: Scene) -> None:
    assert logged_in_client(scene.cm).get("/cases/?q=Касымова").status_code == 200
    assert api_client(scene.cm).get("/api/v1/cases?q=Касымова").json()["count"] == 1
    searches = _entries(scene.cm, action=Action.SEARCH, object_type="cases.case")
    assert searches.count() == 2
    assert all(e.detail["ids"] == [scene.case.pk] for e in searches)
    assert all("Касымова" not in str(e.detail) for e in searches)  # what was typed is not kept


def test_the_administrators_account_pages_are_audited(world: World) -> None:
    admin_user = world.staff(Role.ADMIN)
    worker = world.staff(Role.CASE_MANAGER)
    client = logged_in_client(admin_user)
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get(f"/admin/accounts/user/{worker.pk}/change/").status_code == 200
    listed = _entries(admin_user, action=Action.READ, object_type="accounts.user", object_id="")
    assert worker.pk in listed.get().detail["ids"]
    assert _entries(admin_user, action=Action.READ, object_id=str(worker.pk)).exists()


def _my_work(user) -> dict[str, list[int]]:
    """What the user's "my work" page recorded it showed, by kind of record."""
    assert logged_in_client(user).get("/").status_code == 200
    entries = _entries(user, action=Action.READ, detail__kind="my work")
    return {entry.object_type: entry.detail["ids"] for entry in entries}


def test_my_work_records_what_its_panels_show(scene: Scene) -> None:
    referral = scene.send()
    # The liaison's page shows the referral waiting for the school's answer (of this case).
    assert _my_work(scene.liaison) == {"referrals.referral": [referral.pk]}
    entry = _entries(scene.liaison, detail__kind="my work").get()
    assert entry.detail["cases"] == [scene.case.pk]
    # The case manager's shows the case's next steps (its due tasks).
    assert scene.case.pk in _my_work(scene.cm)["cases.case"]
    # Each page load leaves its own entries, all appended together.
    assert _my_work(scene.liaison) == {"referrals.referral": [referral.pk]}
    assert _entries(scene.liaison, detail__kind="my work").count() == 2


def test_my_work_that_shows_nobodys_data_leaves_no_entry(scene: Scene) -> None:
    scene.send()
    assert _my_work(scene.outsider) == {}
    assert not _entries(scene.outsider, action=Action.READ).exists()  # (its sign-in is recorded)
