"""Uploaded tables are bounded before they are unpacked: spreadsheet bombs are refused
quickly, with a message, and nothing else happens."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from tirek.core.uploaded_tables import TableLimits, read_table

LIMITS = TableLimits(max_rows=2000, max_columns=30)
SHEET = "xl/worksheets/sheet1.xml"
HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


@pytest.fixture(autouse=True)
def _english() -> object:
    with translation.override("en"):
        yield


def _workbook_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _with_sheet(chunks: object, *, dimension: str = "A1") -> SimpleUploadedFile:
    """A real workbook whose first sheet is replaced by the XML ``chunks`` produce,
    written chunk by chunk so the test never holds the unpacked sheet in memory."""
    source = zipfile.ZipFile(io.BytesIO(_workbook_bytes([["ФИО"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for item in source.infolist():
            if item.filename != SHEET:
                bomb.writestr(item, source.read(item.filename))
        with bomb.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write(HEAD + f'<dimension ref="{dimension}"/><sheetData>'.encode())
            for chunk in chunks:  # type: ignore[attr-defined]
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return SimpleUploadedFile("list.xlsx", out.getvalue())


def _one_row_of(cells: int) -> object:
    yield b'<row r="1">'
    for _ in range(cells // 10_000):
        yield b"<c><v>1</v></c>" * 10_000
    yield b"</row>"


def _refusal(upload: SimpleUploadedFile, limits: TableLimits = LIMITS) -> tuple[str, float, int]:
    tracemalloc.start()
    started = time.monotonic()
    with pytest.raises(ValidationError) as caught:
        read_table(upload, limits)
    elapsed = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return " ".join(caught.value.messages), elapsed, peak


def test_a_row_of_two_million_cells_is_refused_before_it_is_unpacked() -> None:
    bomb = _with_sheet(_one_row_of(2_000_000))
    assert bomb.size < 200 * 1024  # small on disk, like the 107 KB file of the attack
    message, elapsed, peak = _refusal(bomb)
    assert "unpacks to far more data" in message
    assert elapsed < 2 and peak < 20 * 1024 * 1024


def test_the_sheet_is_counted_as_it_streams_when_the_compression_ratio_looks_normal() -> None:
    # With the ratio check out of the way, the streamed count stops at the cell limit.
    lenient = TableLimits(max_rows=2000, max_columns=30, max_ratio=10**9)
    message, elapsed, peak = _refusal(_with_sheet(_one_row_of(2_000_000)), lenient)
    assert "Too many columns (30 at most)" in message
    assert elapsed < 3 and peak < 20 * 1024 * 1024


def test_a_declared_dimension_far_beyond_the_limits_is_refused() -> None:
    upload = _with_sheet([b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'],
                         dimension="A1:XFD1048576")  # fmt: skip
    message, _elapsed, _peak = _refusal(upload)
    assert "Too many columns" in message


def test_too_many_rows_are_refused_while_streaming() -> None:
    rows = (f'<row r="{n}"><c><v>{n}</v></c></row>'.encode() for n in range(1, 5000))
    message, _elapsed, _peak = _refusal(_with_sheet(rows))
    assert "Too many rows (2000 at most)" in message


def test_an_xml_entity_bomb_inside_the_sheet_is_refused() -> None:
    doctype = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    source = zipfile.ZipFile(io.BytesIO(_workbook_bytes([["x"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == SHEET:
                if body.startswith(b"<?xml"):
                    body = body.split(b"?>", 1)[1]
                body = doctype + body.replace(b"<sheetData>", b"<sheetData>&lol2;", 1)
            bomb.writestr(item, body)
    message, _elapsed, _peak = _refusal(SimpleUploadedFile("list.xlsx", out.getvalue()))
    assert "not a readable XLSX file" in message


def test_an_ordinary_workbook_and_csv_are_read() -> None:
    rows = [["ФИО", "Пол"], ["Асем Жаксыбекова", "ж"], ["Ерлан Сапаров", "м"]]
    upload = SimpleUploadedFile("list.xlsx", _workbook_bytes(rows))
    assert read_table(upload, LIMITS) == rows
    csv_upload = SimpleUploadedFile("list.csv", "ФИО;Пол\nАсем;ж\n".encode())
    assert read_table(csv_upload, LIMITS) == [["ФИО", "Пол"], ["Асем", "ж"]]


@pytest.mark.parametrize("content", [b"PK\x03\x04garbage", b"not a zip at all"])
def test_a_damaged_workbook_is_explained(content: bytes) -> None:
    message, _elapsed, _peak = _refusal(SimpleUploadedFile("list.xlsx", content))
    assert "not a readable XLSX file" in message
