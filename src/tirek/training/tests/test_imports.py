from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from tirek.accounts.roles import Role
from tirek.testing import World, logged_in_client
from tirek.training.exports import safe_cell
from tirek.training.imports import participants_import
from tirek.training.models import Participant

from .factories import event, short_course

HEADER = ["ФИО", "Организация", "Должность", "Регион", "Пол"]


def _csv(rows: list[list[str]], delimiter: str = ";") -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return SimpleUploadedFile("list.csv", buffer.getvalue().encode("utf-8"), "text/csv")


def _xlsx(rows: list[list[object]]) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("list.xlsx", buffer.getvalue())


@pytest.fixture
def setup(world: World) -> tuple:
    coordinator = world.staff(Role.TRAINING_COORDINATOR)
    return coordinator, event(coordinator, short_course())


def test_it_imports_a_good_csv(setup: tuple, world: World) -> None:
    coordinator, ev = setup
    staff = world.staff(Role.PSYCHOLOGIST, username="psy-import")
    rows = [
        HEADER + ["Логин"],
        ["Асем Жаксыбекова", "Школа № 5", "педагог", "Карагандинская область", "ж", ""],
        ["", "", "", "", "", staff.username],
    ]
    report = participants_import(by=coordinator, event=ev, upload=_csv(rows))
    assert report.ok and report.saved == 2
    asem = ev.participants.get(full_name="Асем Жаксыбекова")
    assert asem.region == world.karaganda and asem.sex == "female"
    assert ev.participants.get(user=staff).audience == "psychologists"


@pytest.mark.parametrize("maker", [_csv, _xlsx])
def test_it_rejects_the_whole_file_when_one_row_is_bad(setup: tuple, maker) -> None:
    coordinator, ev = setup
    rows = [
        HEADER,
        ["Асем Жаксыбекова", "Школа № 5", "педагог", "kz-karaganda", "ж"],
        ["Берик Садыков", "Полиция", "инспектор", "Марс", "м"],
        ["", "Полиция", "инспектор", "", "x"],
    ]
    report = participants_import(by=coordinator, event=ev, upload=maker(rows))
    assert not report.ok
    assert [p.row for p in report.problems] == [3, 4]
    assert "Марс" in " ".join(report.problems[0].problems)
    assert Participant.objects.count() == 0


def test_it_names_the_bad_row_on_the_page(setup: tuple) -> None:
    coordinator, ev = setup
    upload = _xlsx([HEADER, ["Асем", "", "", "", "ж"], ["Б" * 201, "", "", "", "м"]])
    response = logged_in_client(coordinator).post(
        f"/training/events/{ev.pk}/participants/import/", {"file": upload}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "<td>3</td>" in body
    assert Participant.objects.count() == 0


@pytest.mark.parametrize(
    "name,content",
    [
        ("list.xlsx", b"not a zip file"),
        ("list.csv", b"\x00\x01\x02"),
        ("list.csv", b""),
        ("list.pdf", b"%PDF-1.4"),
        ("list.csv", "Имя;Рост\nА;1\n".encode()),
        ("list.csv", "ФИО\nАсем\x00\n".encode()),
    ],
)
def test_it_explains_an_unreadable_file(setup: tuple, name: str, content: bytes) -> None:
    coordinator, ev = setup
    response = logged_in_client(coordinator).post(
        f"/training/events/{ev.pk}/participants/import/",
        {"file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 422
    assert Participant.objects.count() == 0


def test_it_refuses_imports_to_an_event_the_user_does_not_manage(
    setup: tuple, world: World
) -> None:
    _coordinator, ev = setup
    trainer = world.staff(Role.TRAINER)
    response = logged_in_client(trainer).post(
        f"/training/events/{ev.pk}/participants/import/",
        {"file": _csv([HEADER, ["А", "", "", "", ""]])},
    )
    assert response.status_code == 404
    assert Participant.objects.count() == 0


def test_it_guards_exports_against_formula_injection(setup: tuple) -> None:
    coordinator, ev = setup
    participants_import(
        by=coordinator,
        event=ev,
        upload=_csv([HEADER, ['=HYPERLINK("http://x")', "+SUM(1)", "@cmd", "", ""]]),
    )
    response = logged_in_client(coordinator).get(f"/training/events/{ev.pk}/export.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][:3] == ['\'=HYPERLINK("http://x")', "'+SUM(1)", "'@cmd"]
    assert safe_cell("-1") == "'-1" and safe_cell("Асем") == "Асем"


def test_it_refuses_a_file_with_too_many_rows(setup: tuple) -> None:
    coordinator, ev = setup
    rows = [HEADER] + [[f"Участник {i}", "", "", "", "ж"] for i in range(2001)]
    report = participants_import(by=coordinator, event=ev, upload=_csv(rows))
    assert not report.ok and "2000" in report.file_error
    assert Participant.objects.count() == 0


def test_a_spreadsheet_bomb_is_refused_quickly_and_changes_nothing(setup: tuple) -> None:
    import time

    from django.utils import translation

    from tirek.audit.models import AuditEntry
    from tirek.core.tests.test_uploaded_tables import _one_row_of, _with_sheet

    coordinator, ev = setup
    audit_before = AuditEntry.objects.count()
    started = time.monotonic()
    with translation.override("en"):
        report = participants_import(
            by=coordinator, event=ev, upload=_with_sheet(_one_row_of(2_000_000))
        )
    assert time.monotonic() - started < 2
    assert not report.ok and "unpacks to far more data" in report.file_error
    assert Participant.objects.count() == 0 and AuditEntry.objects.count() == audit_before
