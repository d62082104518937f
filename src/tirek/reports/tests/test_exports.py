"""Exports: CSV, XLSX, the donor PDF and the exchange file — made in the background,
audited, expiring, and with no small cell in any of them."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.reports import exchange, jobs, outputs
from tirek.reports.models import Export
from tirek.reports.registry import INDICATORS
from tirek.testing import logged_in_client

from .checks import assert_no_small_count, assert_text_lines_have_no_small_count
from .factories import fixture_b


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def request_export(client, kind: str, **extra: object):
    data = {"kind": kind, "audience": "ministry", "year": 2024, "language": "ru", "region": "*"}
    data.update(extra)
    return client.post(reverse("reports:exports"), data)


def download(client, kind: str, **extra: object) -> tuple[Export, bytes]:
    response = request_export(client, kind, **extra)
    assert response.status_code == 302, response.content.decode()[:2000]
    export = Export.objects.latest("id")
    assert export.status == Export.Status.DONE, export.error
    file_response = client.get(reverse("reports:export_download", args=[export.pk]))
    assert file_response.status_code == 200
    return export, b"".join(file_response.streaming_content)


def count_columns(rows: list[list[object]]) -> list[object]:
    """The cells of a CSV/XLSX export that count people."""
    found: list[object] = []
    for row in rows:
        kind = INDICATORS[str(row[0])].kind
        if kind == "count":
            found.append(row[7])
        found += [row[8], row[9], row[10]]  # numerator, denominator, people
    return found


def test_it_makes_a_csv_with_protected_figures_and_audits_it(world) -> None:
    fixture_b(world)
    analyst = world.staff(Role.ME_ANALYST)
    client = logged_in_client(analyst)
    export, content = download(client, Export.Kind.CSV)
    text = content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert rows and all(row[0] in INDICATORS for row in rows)
    assert_no_small_count(count_columns(rows))
    age = [r for r in rows if r[0] == "registered" and r[3] == "age_band" and r[5] == "15-17"]
    assert age and age[0][7] == "" and age[0][13] == "да"  # hidden, flagged, in Russian
    stages = list(
        AuditEntry.objects.filter(action=Action.EXPORT, object_id=str(export.pk)).values_list(
            "detail__stage", flat=True
        )
    )
    assert sorted(stages) == ["downloaded", "requested"]
    assert export.expires_at is not None
    assert export.expires_at - export.finished_at == timedelta(hours=24)


def test_it_makes_an_xlsx_without_small_cells_or_formulas(world) -> None:
    from openpyxl import load_workbook

    fixture_b(world)
    world.centre.name = '=HYPERLINK("http://evil","x")'
    world.centre.save()
    client = logged_in_client(world.staff(Role.ME_ANALYST))
    _export, content = download(client, Export.Kind.XLSX)
    sheet = load_workbook(io.BytesIO(content)).active
    rows = [list(r) for r in sheet.iter_rows(min_row=6, values_only=True)]
    assert_no_small_count(count_columns(rows))
    texts = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert not [t for t in texts if t.startswith(("=", "+", "-", "@"))]
    assert any(t.startswith("'=HYPERLINK") for t in texts)


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+7 701", "'+7 701"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Караганда", "Караганда"),
        (None, ""),
    ],
)
def test_it_neutralises_spreadsheet_formulas(raw, safe) -> None:
    assert outputs.safe_text(raw) == safe


@pytest.mark.parametrize("language", ["ru", "en"])
def test_it_makes_the_donor_report_as_a_pdf(world, language) -> None:
    from pypdf import PdfReader

    fixture_b(world)
    client = logged_in_client(world.staff(Role.ME_ANALYST))
    export, content = download(client, Export.Kind.PDF, language=language)
    assert content.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert ("Отчёт для доноров" if language == "ru" else "Donor report") in text
    assert export.filename.endswith(".pdf")
    assert_text_lines_have_no_small_count(text)
    age_line = [line for line in text.splitlines() if line.startswith(("15–17", "15-17"))]
    assert any(line.endswith("…") for line in age_line)  # the three boys, hidden


def test_it_makes_the_exchange_file_that_another_tirek_accepts(world) -> None:
    fixture_b(world)
    client = logged_in_client(world.staff(Role.ME_ANALYST))
    _export, content = download(client, Export.Kind.EXCHANGE)
    data = json.loads(content)
    assert exchange.validate(data) == data
    assert data["country"] == "KZ" and data["threshold"] == 5 and data["version"] == 1
    counts = []
    for indicator in data["indicators"]:
        for cell in indicator["cells"]:
            assert set(cell["keys"]) <= {"sex", "age_band", "phase", "quarter"}
            counts += [cell.get("numerator"), cell.get("denominator"), cell.get("n")]
            if indicator["kind"] == "count":
                counts.append(cell["value"])
    assert_no_small_count(counts)
    registered = next(i for i in data["indicators"] if i["code"] == "registered")
    age = next(c for c in registered["cells"] if c["keys"] == {"age_band": "15-17"})
    assert age == {"keys": {"age_band": "15-17"}, "value": None, "suppressed": True}


def test_it_shows_progress_until_the_file_is_ready(
    world, settings, django_capture_on_commit_callbacks
) -> None:
    settings.TIREK_EXPORTS_EAGER = False  # queued on commit; the queue runs it
    fixture_b(world)
    client = logged_in_client(world.staff(Role.ME_ANALYST))
    with django_capture_on_commit_callbacks() as queued:
        assert request_export(client, Export.Kind.CSV).status_code == 302
    export = Export.objects.latest("id")
    assert export.status == Export.Status.QUEUED
    fragment = client.get(reverse("reports:export_progress", args=[export.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "<progress" in fragment
    assert client.get(reverse("reports:export_download", args=[export.pk])).status_code == 404
    assert len(queued) == 1
    queued[0]()  # the commit enqueues the job (tests: the immediate backend runs it)
    export.refresh_from_db()
    assert export.status == Export.Status.DONE and export.progress == 100
    fragment = client.get(reverse("reports:export_progress", args=[export.pk])).content.decode()
    assert "hx-trigger" not in fragment and "export-download" in fragment


def test_it_never_makes_a_finished_export_again(world, settings) -> None:
    settings.TIREK_EXPORTS_EAGER = False
    client = logged_in_client(world.staff(Role.ME_ANALYST))
    request_export(client, Export.Kind.CSV)
    export = Export.objects.latest("id")
    assert jobs.run(export.pk) is True
    assert jobs.run(export.pk) is False  # already done: nobody runs it twice


def test_it_hides_an_export_from_everyone_but_its_requester(world) -> None:
    client = logged_in_client(world.staff(Role.ME_ANALYST))
    export, _content = download(client, Export.Kind.CSV)
    other = logged_in_client(world.staff(Role.ME_ANALYST))
    for name in ("reports:export", "reports:export_progress", "reports:export_download"):
        assert other.get(reverse(name, args=[export.pk])).status_code == 404


def test_it_deletes_expired_files(world, media) -> None:
    client = logged_in_client(world.staff(Role.ME_ANALYST))
    export, _content = download(client, Export.Kind.CSV)
    path = media / export.file.name
    assert path.exists()
    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert client.get(reverse("reports:export_download", args=[export.pk])).status_code == 404
    call_command("reports", "purge-exports")
    assert not path.exists()
    assert not Export.objects.filter(pk=export.pk).exists()


def test_it_fails_a_job_whose_requester_lost_the_role(world, settings) -> None:
    settings.TIREK_EXPORTS_EAGER = False
    analyst = world.staff(Role.ME_ANALYST)
    request_export(logged_in_client(analyst), Export.Kind.CSV)
    analyst.roles.all().delete()
    export = Export.objects.latest("id")
    result = jobs.run_export.enqueue(export.pk)
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED and not export.file and export.error
    assert result.status == "FAILED"  # a refusal is not retried


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "exe"},
        {"year": 1900},
        {"year": "x"},
        {"audience": "supervisor"},
        {"language": "xx"},
        {"region": "nowhere"},
    ],
)
def test_it_refuses_a_bad_export_request_and_makes_nothing(world, data) -> None:
    client = logged_in_client(world.staff(Role.ME_ANALYST))
    data = dict(data)
    response = request_export(client, str(data.pop("kind", Export.Kind.CSV)), **data)
    assert response.status_code == 200
    assert not Export.objects.exists()
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()


def test_it_lets_a_supervisor_export_their_unit_but_not_the_exchange(world) -> None:
    fixture_b(world)
    client = logged_in_client(world.staff(Role.SUPERVISOR))
    export, content = download(client, Export.Kind.CSV, audience="supervisor", region="")
    assert "registered" in content.decode("utf-8-sig")
    response = request_export(client, Export.Kind.EXCHANGE, audience="supervisor", region="")
    assert response.status_code == 200 and Export.objects.count() == 1
