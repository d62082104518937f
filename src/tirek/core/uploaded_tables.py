"""Reading an uploaded table (CSV or XLSX) with bounds checked before anything is unpacked.

An XLSX file is a zip of XML: 100 KB on disk can unpack into gigabytes, or into a single
row of two million cells that a spreadsheet library parses whole before handing over the
first cell. So, before the library sees the file:

- the zip's directory is read (member count, declared sizes and compression ratios);
- the sheet's ``<dimension>`` is compared with the limits;
- the sheet XML is streamed once, counting rows and cells, and abandoned at the first
  limit crossed (the declared sizes and the dimension can both lie);

and only then is the sheet read by openpyxl in read-only (streaming) mode, stopping at the
row limit. Every import of a table goes through :func:`read_table`.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from typing import IO, Any
from xml.parsers import expat

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@dataclass(frozen=True)
class TableLimits:
    max_bytes: int = 5 * 1024 * 1024  # the file as uploaded
    max_rows: int = 2000  # data rows, the header not counted
    max_columns: int = 30
    max_unpacked_bytes: int = 50 * 1024 * 1024  # all members of an XLSX together
    max_ratio: int = 100  # unpacked / packed size of any one member
    max_members: int = 200

    @property
    def max_cells(self) -> int:
        return (self.max_rows + 1) * self.max_columns


def read_table(upload: UploadedFile[Any], limits: TableLimits) -> list[list[Any]]:
    """The rows of the first sheet (header first), each cut to ``limits.max_columns``.
    Raises ValidationError with a message for the user when the file is not a table
    this import can read, or is larger than the limits allow."""
    name = (upload.name or "").lower()
    if (upload.size or 0) > limits.max_bytes:
        raise ValidationError(
            _("The file is too large (%(mb)d MB at most).")
            % {"mb": max(1, limits.max_bytes // (1024 * 1024))}
        )
    data = upload.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise ValidationError(
            _("The file is too large (%(mb)d MB at most).")
            % {"mb": max(1, limits.max_bytes // (1024 * 1024))}
        )
    if name.endswith(".xlsx"):
        return _read_xlsx(data, limits)
    if name.endswith(".csv"):
        return _read_csv(data, limits)
    raise ValidationError(_("Upload a .csv or .xlsx file."))


# --- XLSX -----------------------------------------------------------------------------------


def _too_many_rows(limits: TableLimits) -> ValidationError:
    return ValidationError(_("Too many rows (%(max)d at most).") % {"max": limits.max_rows})


def _too_many_columns(limits: TableLimits) -> ValidationError:
    return ValidationError(_("Too many columns (%(max)d at most).") % {"max": limits.max_columns})


def _too_big_unpacked() -> ValidationError:
    return ValidationError(
        _("The spreadsheet unpacks to far more data than a table of this size can hold.")
    )


def _unreadable() -> ValidationError:
    return ValidationError(_("This is not a readable XLSX file."))


def _read_xlsx(data: bytes, limits: TableLimits) -> list[list[Any]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _unreadable() from exc
    with archive:
        sheet = _check_archive(archive, limits)
        with archive.open(sheet) as stream:
            _check_sheet(stream, limits)
    return _rows_with_openpyxl(data, limits)


def _check_archive(archive: zipfile.ZipFile, limits: TableLimits) -> str:
    """The declared sizes are within bounds; returns the first worksheet's member name."""
    members = archive.infolist()
    if len(members) > limits.max_members:
        raise _unreadable()
    if sum(m.file_size for m in members) > limits.max_unpacked_bytes:
        raise _too_big_unpacked()
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > limits.max_ratio * max(
            member.compress_size, 1
        ):
            raise _too_big_unpacked()  # a zip bomb: tiny on disk, huge unpacked
    sheets = sorted(
        (m.filename for m in members if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", m.filename)),
        key=lambda n: int(re.sub(r"\D", "", n)),
    )
    if not sheets:
        raise _unreadable()
    return sheets[0]


class _Counted(io.RawIOBase):
    """A stream that refuses to yield more bytes than allowed, whatever the zip header
    claimed about the member's size."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self.stream, self.left = stream, limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self.stream.read(min(len(buffer), 64 * 1024))
        self.left -= len(chunk)
        if self.left < 0:
            raise _too_big_unpacked()
        buffer[: len(chunk)] = chunk
        return len(chunk)


_DIMENSION = re.compile(r"^[A-Z]{1,3}\d+(?::(?P<col>[A-Z]{1,3})(?P<row>\d+))?$")


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


class _SheetCounter:
    """Counts rows and cells from expat's start-element events; no tree is built, and
    the count stops at the first row with more cells than the column limit, so a row
    of two million cells costs a few dozen handler calls."""

    def __init__(self, limits: TableLimits) -> None:
        self.limits = limits
        self.max_cells = limits.max_cells
        self.max_elements = 20 * limits.max_cells
        self.rows = self.cells = self.row_cells = self.elements = 0
        self.in_cell = self.cell_counted = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        self.elements += 1
        if self.elements > self.max_elements:
            raise _too_big_unpacked()  # formatting-only cells, or XML that is not a sheet
        if local == "c":
            self.in_cell, self.cell_counted = True, False
        elif local in ("v", "is", "f") and self.in_cell and not self.cell_counted:
            self._count_cell()
        elif local == "row":
            self.rows += 1
            self.row_cells = 0
            if self.rows > self.limits.max_rows + 1:
                raise _too_many_rows(self.limits)
        elif local == "dimension":
            _check_dimension(attrs.get("ref", ""), self.limits)

    def _count_cell(self) -> None:
        self.cell_counted = True  # a cell with content (value, inline text or formula)
        self.cells += 1
        self.row_cells += 1
        if self.row_cells > self.limits.max_columns:
            raise _too_many_columns(self.limits)
        if self.cells > self.max_cells:
            raise _too_many_rows(self.limits)

    def end(self, name: str) -> None:
        if name.endswith(" c") or name == "c":
            self.in_cell = False


def _refuse_dtd(*_args: object) -> None:
    raise _unreadable()  # a sheet has no DTD; entities are the classic XML bomb


def _check_sheet(stream: IO[bytes], limits: TableLimits) -> None:
    """Stream the sheet XML once: the declared dimension, then every row and cell, and
    stop at the first limit crossed. Cells without content (formatting only) count
    toward a generous bound of their own."""
    counter = _SheetCounter(limits)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = counter.start
    parser.EndElementHandler = counter.end
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    counted = _Counted(stream, limits.max_unpacked_bytes)
    buffer = bytearray(64 * 1024)
    try:
        while read := counted.readinto(buffer):
            parser.Parse(bytes(buffer[:read]), False)
        parser.Parse(b"", True)
    except (expat.ExpatError, zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _unreadable() from exc  # damaged XML or zip stream


def _check_dimension(ref: str, limits: TableLimits) -> None:
    match = _DIMENSION.match(ref.upper())
    if not match or not match.group("col"):
        return  # absent or one cell: the streamed count decides
    if _column_number(match.group("col")) > limits.max_columns * 10:
        raise _too_many_columns(limits)
    if int(match.group("row")) > (limits.max_rows + 1) * 10:
        raise _too_many_rows(limits)


def _rows_with_openpyxl(data: bytes, limits: TableLimits) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise _unreadable() from exc
    try:
        rows: list[list[Any]] = []
        for row in workbook.worksheets[0].iter_rows(values_only=True, max_col=limits.max_columns):
            cells = list(row)
            while cells and cells[-1] is None:
                cells.pop()  # max_col pads short rows
            rows.append(cells)
            if len(rows) > limits.max_rows + 1:
                raise _too_many_rows(limits)
    except ValidationError:
        raise
    except Exception as exc:
        raise _unreadable() from exc
    finally:
        workbook.close()
    return rows


# --- CSV ------------------------------------------------------------------------------------


def _read_csv(data: bytes, limits: TableLimits) -> list[list[Any]]:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError(_("The CSV file must be in UTF-8 (or Windows-1251)."))
    if "\x00" in text:
        raise ValidationError(_("This is not a text CSV file."))
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    rows: list[list[Any]] = []
    try:
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            rows.append(row[: limits.max_columns])
            if len(rows) > limits.max_rows + 1:
                raise _too_many_rows(limits)
    except csv.Error as exc:
        raise ValidationError(_("This is not a readable CSV file.")) from exc
    return rows
