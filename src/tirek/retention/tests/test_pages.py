"""The DPO's retention pages: who may open them, what they show, what bad input gets."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from tirek.accounts.roles import Role
from tirek.retention import services
from tirek.retention.models import DestructionBatch, LegalHold
from tirek.testing import World, logged_in_client

from .factories import closed_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _short_rule(settings: Any) -> None:
    settings.TIREK_RETENTION = {"KZ": {"case_file": {"trigger": "closure", "years": 1}}}
    settings.LANGUAGE_CODE = "en"


def _urls(hold: LegalHold, batch: DestructionBatch) -> list[tuple[str, str]]:
    return [
        ("get", reverse("retention:work_list")),
        ("get", reverse("retention:schedule")),
        ("get", reverse("retention:hold_new")),
        ("post", reverse("retention:hold_new")),
        ("post", reverse("retention:hold_lift", args=[hold.pk])),
        ("post", reverse("retention:run_pass")),
        ("get", reverse("retention:batch_detail", args=[batch.pk])),
        ("post", reverse("retention:batch_approve", args=[batch.pk])),
    ]


def test_only_the_dpo_opens_any_retention_page(world: World) -> None:
    case = closed_case(world, closed_on=date(2020, 1, 1))
    closed_case(world, closed_on=date(2020, 1, 1), given="Erlan", family="Nurov")
    dpo = world.staff(Role.DPO)
    hold = services.hold_place(
        by=dpo, case_number=case.number, scope="case", reason="Court", legal_basis="Law"
    )
    services.daily_pass()
    batch = DestructionBatch.objects.get(record_type="case_file")
    for role in Role.values:
        if role == Role.DPO:
            continue
        client = logged_in_client(world.staff(role))
        for method, url in _urls(hold, batch):
            response = getattr(client, method)(url, {"lift_reason": "x"})
            assert response.status_code in (403, 404), (role, url, response.status_code)
    assert LegalHold.objects.get(pk=hold.pk).lifted_at is None
    assert DestructionBatch.objects.get(pk=batch.pk).status == "proposed"
    client = logged_in_client(dpo)
    for _method, url in _urls(hold, batch)[:3] + _urls(hold, batch)[6:7]:
        assert client.get(url).status_code == 200, url


def test_signed_out_visitors_are_sent_to_sign_in(client: Any, world: World) -> None:
    response = client.get(reverse("retention:work_list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_work_list_shows_numbers_and_counts_never_names(world: World) -> None:
    due = closed_case(world, closed_on=date(2020, 1, 1), given="Samal", family="Zhakupova")
    client = logged_in_client(world.staff(Role.DPO))
    page = client.get(reverse("retention:work_list")).content.decode()
    assert due.number in page
    assert "Zhakupova" not in page and "Samal" not in page


def test_schedule_page_names_the_setting(world: World) -> None:
    page = logged_in_client(world.staff(Role.DPO)).get(reverse("retention:schedule"))
    text = page.content.decode()
    assert "TIREK_RETENTION" in text and "case_file" in text and "sessions" in text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"case_number": "KZ-0000-NONE"}, "No case has this number."),
        ({"reason": ""}, "Give the reason for the hold."),
        ({"legal_basis": ""}, "Give the legal basis of the hold."),
    ],
)
def test_a_bad_hold_form_says_why_and_changes_nothing(
    world: World, data: dict[str, str], message: str
) -> None:
    case = closed_case(world, closed_on=date(2020, 1, 1))
    client = logged_in_client(world.staff(Role.DPO))
    good = {"case_number": case.number, "scope": "case", "reason": "Court", "legal_basis": "Law"}
    response = client.post(reverse("retention:hold_new"), {**good, **data})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not LegalHold.objects.exists()


def test_dpo_places_lifts_and_approves_through_the_pages(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    case = closed_case(world, closed_on=date(2020, 1, 1))
    client = logged_in_client(world.staff(Role.DPO))
    client.post(
        reverse("retention:hold_new"),
        {"case_number": case.number, "scope": "person", "reason": "Court", "legal_basis": "Law"},
    )
    hold = LegalHold.objects.get()
    client.post(reverse("retention:run_pass"))
    assert not DestructionBatch.objects.filter(record_type="case_file", status="proposed").exists()
    client.post(reverse("retention:hold_lift", args=[hold.pk]), {"lift_reason": "Decided"})
    client.post(reverse("retention:run_pass"))
    batch = DestructionBatch.objects.get(record_type="case_file", status="proposed")
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(reverse("retention:batch_approve", args=[batch.pk]), follow=True)
    assert 'data-status="queued"' in response.content.decode()
    assert len(queued) == 1
    queued[0]()  # the worker
    page = client.get(reverse("retention:batch_detail", args=[batch.pk])).content.decode()
    assert 'data-status="done"' in page
    case.person.refresh_from_db()
    assert case.person.family_name == ""


def test_dpo_home_page_says_what_waits_and_others_see_nothing_of_it(world: World) -> None:
    closed_case(world, closed_on=date(2020, 1, 1))
    services.daily_pass()
    dpo_home = logged_in_client(world.staff(Role.DPO)).get("/").content.decode()
    assert "wait for your approval to be destroyed" in dpo_home
    admin_home = logged_in_client(world.staff(Role.ADMIN)).get("/").content.decode()
    assert "/retention/" not in admin_home
