"""The regional exchange: strict import, refusal of small cells, side-by-side comparison."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.reports import exchange
from tirek.reports.demo import sample_payload
from tirek.reports.models import ExchangeImport
from tirek.reports.periods import Period
from tirek.testing import logged_in_client

from .factories import fixture_b


@pytest.fixture
def english():
    """Messages in English, so the checks below can name them."""
    with translation.override("en"):
        yield


def good() -> dict[str, Any]:
    return sample_payload(2024)


def broken(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(good())
    change(data)
    return data


def test_it_accepts_a_well_formed_file() -> None:
    assert exchange.validate(good())["country"] == "UZ"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(extra=1), "unknown fields"),
        (lambda d: d.pop("threshold"), "missing fields"),
        (lambda d: d.update(version=2), "version"),
        (lambda d: d.update(version=True), "version"),
        (lambda d: d.update(format="csv"), "format"),
        (lambda d: d.update(country="uzb"), "country"),
        (lambda d: d.update(threshold=1), "threshold"),
        (lambda d: d.update(generated_at="yesterday"), "generated_at"),
        (lambda d: d.update(generated_at="2024-01-01T00:00:00"), "generated_at"),
        (lambda d: d["period"].update(year="2024"), "period.year"),
        (lambda d: d["period"].update(type="quarter"), "period.type"),
        (lambda d: d.update(indicators=[]), "indicators"),
        (lambda d: d["indicators"][0].update(code="Registered!"), "code"),
        (lambda d: d["indicators"][0].update(kind="median"), "kind"),
        (lambda d: d["indicators"][0].update(kind="share"), "kind"),
        (lambda d: d["indicators"].append(copy.deepcopy(d["indicators"][0])), "twice"),
        (lambda d: d["indicators"][0]["cells"][1].update(keys={"religion": "x"}), "disaggregation"),
        (lambda d: d["indicators"][0]["cells"][1].update(keys={"sex": "other"}), "category"),
        (
            lambda d: d["indicators"][0]["cells"][1].update(keys={"sex": "f", "age_band": "0-5"}),
            "at most one",
        ),
        (lambda d: d["indicators"][0]["cells"][1].update(value=-3), "whole number"),
        (lambda d: d["indicators"][0]["cells"][1].update(value=12.5), "whole number"),
        (lambda d: d["indicators"][0]["cells"][1].update(value=None), "not marked"),
        (lambda d: d["indicators"][0]["cells"][7].update(value=12), "must have value null"),
        (lambda d: d["indicators"][0]["cells"][1].update(person="Иванов"), "unknown fields"),
    ],
)
def test_it_refuses_a_file_that_breaks_the_format(english, change, message) -> None:
    with pytest.raises(ValidationError) as caught:
        exchange.validate(broken(change))
    assert any(message in m for m in caught.value.messages), caught.value.messages


@pytest.mark.parametrize("small", [1, 2, 3, 4, 9])
def test_it_refuses_an_unsuppressed_small_cell(english: None, small: int) -> None:
    # The file's own threshold is 10: a published 9 is as refused as a published 1.
    data = broken(lambda d: d["indicators"][2]["cells"][0].update(value=small))
    with pytest.raises(ValidationError) as caught:
        exchange.validate(data)
    assert any("under the threshold" in m for m in caught.value.messages)


def test_it_applies_our_threshold_when_it_is_stricter(settings) -> None:
    settings.TIREK_SDC_THRESHOLD = 40
    with pytest.raises(ValidationError):
        exchange.validate(good())  # 36 cases closed is published in the sample


def test_it_refuses_a_hidden_cell_the_total_gives_away(english: None) -> None:
    def hide_one(d: dict[str, Any]) -> None:
        registered = d["indicators"][0]
        registered["cells"][1].update(value=None, suppressed=True)  # female 72 hidden, alone

    with pytest.raises(ValidationError) as caught:
        exchange.validate(broken(hide_one))
    assert any("worked out" in m for m in caught.value.messages)


@pytest.mark.parametrize(
    "raw",
    [b"not json", b"\xff\xfe", b"[" * 100000, b"null", b"[]", json.dumps({"a": 1}).encode()],
)
def test_it_refuses_what_is_not_an_exchange_file(raw: bytes) -> None:
    with pytest.raises(ValidationError):
        exchange.parse(raw)


def test_it_refuses_a_file_over_two_megabytes() -> None:
    with pytest.raises(ValidationError):
        exchange.parse(b" " * (exchange.MAX_BYTES + 1))


def test_it_imports_from_the_command_and_refuses_a_bad_file(db, tmp_path) -> None:
    path = tmp_path / "uz-2024.json"
    path.write_text(json.dumps(good()), encoding="utf-8")
    call_command("reports", "import-exchange", str(path))
    assert ExchangeImport.objects.get().country == "UZ"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken(lambda d: d["indicators"][2]["cells"][0].update(value=3))))
    with pytest.raises(CommandError):
        call_command("reports", "import-exchange", str(bad))
    assert ExchangeImport.objects.count() == 1


def test_it_refuses_this_countrys_own_file(world) -> None:
    own = exchange.build(Period(2024))
    with pytest.raises(ValidationError):
        exchange.exchange_import(user=None, raw=json.dumps(own).encode())


def test_it_uploads_a_file_and_compares_countries_side_by_side(world) -> None:
    fixture_b(world)
    analyst = world.staff(Role.ME_ANALYST)
    client = logged_in_client(analyst)
    upload = SimpleUploadedFile("uz.json", json.dumps(good()).encode(), "application/json")
    response = client.post(reverse("reports:exchange"), {"file": upload})
    assert response.status_code == 302
    item = ExchangeImport.objects.get()
    assert item.imported_by == analyst
    assert AuditEntry.objects.filter(action=Action.CREATE, object_id=str(item.pk)).exists()
    html = client.get(reverse("reports:exchange"), {"year": 2024, "by": "sex"}).content.decode()
    assert ">KZ<" in html and ">UZ<" in html
    assert ">140<" in html  # Uzbekistan's invented total
    assert ">18<" in html  # this country's registered people


def test_it_shows_upload_errors_and_imports_nothing(world) -> None:
    client = logged_in_client(world.staff(Role.ME_ANALYST))
    data = broken(lambda d: d["indicators"][2]["cells"][0].update(value=2))
    upload = SimpleUploadedFile("bad.json", json.dumps(data).encode(), "application/json")
    response = client.post(reverse("reports:exchange"), {"file": upload})
    assert response.status_code == 422
    assert (
        "под порогом" in response.content.decode() or "меньше порога" in response.content.decode()
    )
    assert not ExchangeImport.objects.exists()


def test_it_loads_the_demo_sample_once(db) -> None:
    import io

    from tirek.reports import demo

    demo.load(io.StringIO())
    demo.load(io.StringIO())
    assert ExchangeImport.objects.filter(country="UZ").count() == 1
