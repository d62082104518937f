"""Updating a legal status (issue 16): lift or modify a condition, record a review, change
the institution or the probation contact — each with its legal basis, audited, on the
timeline for whoever sees the SECURITY section; bad input changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tirek.audit.models import Action, AuditEntry
from tirek.justice import services
from tirek.justice.models import Condition, LegalStatus, LegalUpdate
from tirek.testing import InDays, logged_in_client, resolved, today

from .test_justice import family  # noqa: F401  (the fixture)

BASIS = "Постановление суда № 2-114 от 03.11.2026"


@pytest.fixture
def status(family: dict) -> dict:  # noqa: F811
    mother, probation = family["mother"], family["probation"]
    services.status_record(
        by=probation, case=mother, status="probation", institution="Служба пробации",
        start_date=today() - timedelta(days=100), next_review=today() + timedelta(days=10),
    )  # fmt: skip
    first = services.condition_add(
        by=probation, case=mother, text="Явка раз в месяц", review_date=today() + timedelta(days=10)
    )
    second = services.condition_add(by=probation, case=mother, text="Не выезжать из области")
    return {**family, "first": first, "second": second}


def test_the_probation_officer_lifts_a_condition_with_its_legal_basis(status: dict) -> None:
    mother, probation = status["mother"], status["probation"]
    client = logged_in_client(probation)
    assert client.get(f"/justice/case/{mother.pk}/update/").status_code == 200
    response = client.post(
        f"/justice/case/{mother.pk}/update/lifted/",
        {"condition": status["second"].pk, "on_date": today().isoformat(), "legal_basis": BASIS},
    )
    assert response.status_code == 302
    lifted = Condition.objects.get(pk=status["second"].pk)
    assert lifted.lifted_on == today()
    update = LegalUpdate.objects.get(case=mother)
    assert (update.kind, update.legal_basis, update.condition_id) == ("lifted", BASIS, lifted.pk)
    entry = AuditEntry.objects.get(actor=probation, action=Action.UPDATE, object_id=str(update.pk))
    assert entry.detail["changed"] == ["lifted_on"]
    page = client.get(f"/justice/case/{mother.pk}/").content.decode()
    assert 'data-lifted="yes"' in page and BASIS in page
    timeline = client.get(f"/cases/{mother.pk}/sections/timeline/").content.decode()
    assert BASIS in timeline
    # Lifted once: not offered again, and refused if sent.
    again = client.post(
        f"/justice/case/{mother.pk}/update/lifted/",
        {"condition": lifted.pk, "on_date": today().isoformat(), "legal_basis": BASIS},
    )
    assert again.status_code == 400
    assert LegalUpdate.objects.count() == 1
    # The case manager (welfare) sees neither the page nor the timeline entry.
    welfare = logged_in_client(status["manager"])
    assert welfare.get(f"/justice/case/{mother.pk}/update/").status_code == 404
    assert (
        welfare.post(
            f"/justice/case/{mother.pk}/update/lifted/",
            {"condition": status["first"].pk, "on_date": today().isoformat(), "legal_basis": BASIS},
        ).status_code
        == 404
    )
    assert BASIS not in welfare.get(f"/cases/{mother.pk}/sections/timeline/").content.decode()
    assert Condition.objects.get(pk=status["first"].pk).lifted_on is None


def test_modify_review_and_contact(status: dict) -> None:
    mother, probation = status["mother"], status["probation"]
    client = logged_in_client(probation)
    new_review = today() + timedelta(days=40)
    assert (
        client.post(
            f"/justice/case/{mother.pk}/update/changed/",
            {
                "condition": status["first"].pk,
                "text": "Явка раз в два месяца",
                "review_date": new_review.isoformat(),
                "on_date": today().isoformat(),
                "legal_basis": BASIS,
            },
        ).status_code
        == 302
    )
    first = Condition.objects.get(pk=status["first"].pk)
    assert (first.text, first.review_date) == ("Явка раз в два месяца", new_review)
    assert (
        client.post(
            f"/justice/case/{mother.pk}/update/review/",
            {
                "on_date": today().isoformat(),
                "next_review": (today() + timedelta(days=90)).isoformat(),
                "legal_basis": "Протокол проверки службы пробации № 7",
                "note": "Условия соблюдает",
            },
        ).status_code
        == 302
    )
    current = LegalStatus.objects.get(case=mother)
    assert current.next_review == today() + timedelta(days=90)
    assert (
        client.post(
            f"/justice/case/{mother.pk}/update/contact/",
            {
                "on_date": today().isoformat(),
                "institution": "Служба пробации Октябрьского района",
                "contact": "Инспектор Ахметова, +7 701 000 00 00",
                "legal_basis": "Приказ о передаче дела № 31",
            },
        ).status_code
        == 302
    )
    current.refresh_from_db()
    assert current.contact.startswith("Инспектор Ахметова")
    page = client.get(f"/justice/case/{mother.pk}/").content.decode()
    assert "Инспектор Ахметова" in page
    assert [u.kind for u in LegalUpdate.objects.order_by("id")] == ["changed", "review", "contact"]


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("lifted", {"on_date": InDays(0), "legal_basis": ""}),  # no legal basis
        ("lifted", {"on_date": InDays(0), "legal_basis": "ок"}),  # too short
        ("lifted", {"on_date": InDays(3), "legal_basis": BASIS}),
        ("lifted", {"on_date": "1.1.", "legal_basis": BASIS}),
        ("changed", {"on_date": InDays(0), "legal_basis": BASIS}),  # nothing changes
        (
            "review",
            {
                "on_date": InDays(0),
                "legal_basis": BASIS,
                "next_review": InDays(-1),
            },
        ),  # fmt: skip
        (
            "contact",
            {"on_date": InDays(0), "legal_basis": BASIS, "institution": "Служба пробации"},
        ),  # fmt: skip  (nothing changes)
        (
            "contact",
            {
                "on_date": InDays(0),
                "legal_basis": "Приказ\x00",
                "institution": "Другая служба",
            },
        ),  # fmt: skip
    ],
)
def test_bad_input_gets_a_message_and_changes_nothing(status: dict, kind: str, data: dict) -> None:
    mother = status["mother"]
    data = resolved(data)
    if kind in ("lifted", "changed"):
        data = {"condition": status["first"].pk, **data}
    response = logged_in_client(status["probation"]).post(
        f"/justice/case/{mother.pk}/update/{kind}/", data
    )
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert not LegalUpdate.objects.exists()
    first = Condition.objects.get(pk=status["first"].pk)
    assert first.lifted_on is None and first.text == "Явка раз в месяц"
    current = LegalStatus.objects.get(case=mother)
    assert current.institution == "Служба пробации" and current.contact == ""
    assert current.next_review == today() + timedelta(days=10)


def test_a_childs_case_and_an_unknown_kind_are_404(status: dict) -> None:
    client = logged_in_client(status["probation"])
    assert client.get(f"/justice/case/{status['child'].pk}/update/").status_code == 404
    assert client.post(f"/justice/case/{status['mother'].pk}/update/other/").status_code == 404
    assert client.get("/justice/case/999999/update/").status_code == 404
