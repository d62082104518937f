"""Registration of a returning group from a spreadsheet (issue #17, part 2).

One row per person; rows sharing a *family group* are one family, each row saying how
the person relates to the group's head. The file is read through
``tirek.core.uploaded_tables`` (rows, cells and unpacked size bounded before anything
is parsed), every cell is checked (rejected with its row and column named), every row
runs the duplicate check, and the preview is kept server-side
(``tirek.transfers.models.GroupImport``) until the worker has decided about each
probable match. The commit (``services.group_commit``) writes people, relationships and
cases in one transaction.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tirek.core.uploaded_tables import TableLimits, read_table
from tirek.people.models import RelationshipKind, Sex

LIMITS = TableLimits(max_bytes=2 * 1024 * 1024, max_rows=500, max_columns=12)
MAX_TEXT = 200


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # lazy: the header in the interface language
    required: bool = False


COLUMNS = (
    Column("family_group", gettext_lazy("Family group")),
    Column("relationship", gettext_lazy("Relationship to the head of the family")),
    Column("family_name", gettext_lazy("Family name"), required=True),
    Column("given_name", gettext_lazy("Given name"), required=True),
    Column("patronymic", gettext_lazy("Patronymic")),
    Column("sex", gettext_lazy("Sex")),
    Column("birth_date", gettext_lazy("Date of birth")),
    Column("iin", gettext_lazy("IIN")),
)
COLUMN_LABELS = {c.key: c.label for c in COLUMNS}

RELATIONS: dict[str, Any] = {
    "head": gettext_lazy("Head of the family"),
    "child": gettext_lazy("Child"),
    "mother": gettext_lazy("Mother"),
    "father": gettext_lazy("Father"),
    "sibling": gettext_lazy("Brother or sister"),
    "grandchild": gettext_lazy("Grandchild"),
    "grandparent": gettext_lazy("Grandparent"),
    "other": gettext_lazy("Other relative"),
}


class FileRejected(ValidationError):
    """The file or some of its rows cannot be imported; ``problems`` name row and column."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        super().__init__([p["message"] for p in problems])
        self.problems = problems


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _norm(text: Any) -> str:
    return " ".join(str(text or "").split()).casefold()


def _in_every_language(labels: dict[str, Any]) -> dict[str, str]:
    """{label as written in any interface language, or the code itself: code}."""
    found: dict[str, str] = {}
    for code in _languages():
        with translation.override(code):
            for key, label in labels.items():
                found.setdefault(_norm(label), key)
    for key in labels:
        found.setdefault(_norm(key), key)
    return found


def template_rows() -> list[list[str]]:
    """The header row in the active language (the template's only row)."""
    return [[str(c.label) for c in COLUMNS]]


def template_csv() -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(template_rows())
    return out.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("People")[:31]
    for row in template_rows():
        sheet.append(row)
    values = book.create_sheet(_("Allowed values")[:31])
    values.append([str(COLUMN_LABELS["relationship"]), str(COLUMN_LABELS["sex"])])
    sexes = [str(label) for _code, label in Sex.choices]
    relations = [str(label) for label in RELATIONS.values()]
    for i in range(max(len(sexes), len(relations))):
        values.append(
            [relations[i] if i < len(relations) else "", sexes[i] if i < len(sexes) else ""]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- reading and checking ----------------------------------------------------------------


def _problem(row: int | None, column: str | None, message: str) -> dict[str, Any]:
    label = str(COLUMN_LABELS[column]) if column in COLUMN_LABELS else (column or "")
    if row is not None and label:
        text = _("Row %(row)d, column “%(column)s”: %(message)s") % {
            "row": row,
            "column": label,
            "message": message,
        }
    elif row is not None:
        text = _("Row %(row)d: %(message)s") % {"row": row, "message": message}
    elif label:
        text = _("Column “%(column)s”: %(message)s") % {"column": label, "message": message}
    else:
        text = message
    return {"row": row, "column": label, "message": text}


def _has_invisible(text: str) -> bool:
    for index, ch in enumerate(text):
        category = unicodedata.category(ch)
        if category == "Cc" and ch not in "\t\n\r":
            return True
        if category == "Cf":
            between_letters = (
                ch in "\u200c\u200d"
                and 0 < index < len(text) - 1
                and text[index - 1].isalpha()
                and text[index + 1].isalpha()
            )
            if not between_letters:
                return True
    return False


_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")


def _birth(value: Any) -> tuple[date, str]:
    """(date, precision) from a cell: a date cell, an ISO or dd.mm.yyyy text, or a year."""
    if isinstance(value, datetime):
        return value.date(), "day"
    if isinstance(value, date):
        return value, "day"
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if re.fullmatch(r"\d{4}", text):
        return date(int(text), 1, 1), "year"
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date(), "day"
        except ValueError:
            continue
    raise ValueError


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse(upload: UploadedFile) -> list[dict[str, Any]]:
    """The checked rows of an uploaded group file; ``FileRejected`` naming every bad
    row and column (or ``ValidationError`` for a file that is not a table at all)."""
    table = read_table(upload, LIMITS)
    while table and not any(_text(c) for c in table[-1]):
        table.pop()
    if not table:
        raise FileRejected([_problem(None, None, _("The file is empty."))])
    headers = _in_every_language({c.key: c.label for c in COLUMNS})
    positions: dict[str, int] = {}
    problems: list[dict[str, Any]] = []
    for index, cell in enumerate(table[0]):
        name = _norm(cell)
        if not name:
            continue
        key = headers.get(name)
        if key is None:
            problems.append(_problem(None, _text(cell)[:60], _("unknown column.")))
        elif key in positions:
            problems.append(_problem(None, key, _("the column appears twice.")))
        else:
            positions[key] = index
    for column in COLUMNS:
        if column.required and column.key not in positions:
            problems.append(_problem(None, column.key, _("this column is required.")))
    if problems:
        raise FileRejected(problems)
    data = table[1:]
    if not data:
        raise FileRejected([_problem(None, None, _("The file has no rows under the header."))])
    sexes = _in_every_language(dict(Sex.choices))
    relations = _in_every_language(RELATIONS)
    today = timezone.localdate()
    rows: list[dict[str, Any]] = []
    for offset, raw in enumerate(data):
        number = offset + 2  # as the spreadsheet numbers it: the header is row 1
        if not any(_text(c) for c in raw):
            continue
        cells = {k: (raw[i] if i < len(raw) else None) for k, i in positions.items()}
        row: dict[str, Any] = {"row": number}
        for key, value in cells.items():
            if isinstance(value, str) and _has_invisible(value):
                problems.append(_problem(number, key, _("contains invisible characters.")))
                cells[key] = None
        for key in ("family_group", "family_name", "given_name", "patronymic"):
            value = cells.get(key)
            if value is not None and not isinstance(value, (str, int, float)):
                problems.append(_problem(number, key, _("expected text.")))
                value = None
            text = _text(value)
            if len(text) > MAX_TEXT:
                problems.append(_problem(number, key, _("too long.")))
            if key in ("family_name", "given_name"):
                if not text:
                    problems.append(_problem(number, key, _("required.")))
                elif not any(ch.isalpha() for ch in text):
                    problems.append(_problem(number, key, _("a name must contain a letter.")))
            row[key] = " ".join(text.split())[:MAX_TEXT]
        sex = _norm(cells.get("sex"))
        row["sex"] = Sex.UNKNOWN
        if sex:
            if sex not in sexes:
                problems.append(_problem(number, "sex", _("unknown sex.")))
            else:
                row["sex"] = sexes[sex]
        birth = cells.get("birth_date")
        row["birth_date"], row["precision"] = None, "day"
        if birth not in (None, ""):
            try:
                born, precision = _birth(birth)
            except ValueError:
                problems.append(
                    _problem(number, "birth_date", _("not a date (use YYYY-MM-DD or a year).")),
                )
            else:
                if born > today:
                    problems.append(_problem(number, "birth_date", _("in the future.")))
                elif born.year < 1900:
                    problems.append(_problem(number, "birth_date", _("before 1900.")))
                row["birth_date"], row["precision"] = born.isoformat(), precision
        iin = _text(cells.get("iin"))
        if iin and not re.fullmatch(r"\d{12}", iin):
            problems.append(_problem(number, "iin", _("an IIN has 12 digits.")))
        row["iin"] = iin
        relation = _norm(cells.get("relationship"))
        row["relationship"] = ""
        if relation:
            if relation not in relations:
                problems.append(_problem(number, "relationship", _("unknown relationship.")))
            else:
                row["relationship"] = relations[relation]
        if row["relationship"] and not row["family_group"]:
            problems.append(
                _problem(number, "family_group", _("a relationship needs a family group."))
            )
        rows.append(row)
    problems += _check_families(rows)
    if problems:
        raise FileRejected(problems)
    return rows


def _check_families(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = []
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row["family_group"]:
            groups.setdefault(row["family_group"], []).append(row)
    for members in groups.values():
        heads = [r for r in members if r["relationship"] == "head"]
        if len(members) > 1 and len(heads) != 1:
            problems.append(
                _problem(
                    members[0]["row"],
                    "relationship",
                    _("a family group with several people needs exactly one head."),
                )
            )
        elif len(members) > 1:
            for r in members:
                if r is not heads[0] and not r["relationship"]:
                    problems.append(
                        _problem(r["row"], "relationship", _("say how this person relates."))
                    )
    return problems


def relationship_of(row: dict[str, Any], head: dict[str, Any]) -> tuple[str, str, str] | None:
    """(whose record, "row" or "head"; the relative, "row" or "head"; RelationshipKind)
    for a row's relation to its family's head, as ``Relationship`` reads it: the relative
    is the kind of the person."""
    relation = row["relationship"]
    head_kind = {
        Sex.FEMALE: RelationshipKind.MOTHER,
        Sex.MALE: RelationshipKind.FATHER,
    }.get(head["sex"], RelationshipKind.OTHER_RELATIVE)
    mapping: dict[str, tuple[str, str, str]] = {
        "child": ("row", "head", head_kind),
        "mother": ("head", "row", RelationshipKind.MOTHER),
        "father": ("head", "row", RelationshipKind.FATHER),
        "sibling": ("row", "head", RelationshipKind.SIBLING),
        "grandchild": ("row", "head", RelationshipKind.GRANDPARENT),
        "grandparent": ("head", "row", RelationshipKind.GRANDPARENT),
        "other": ("row", "head", RelationshipKind.OTHER_RELATIVE),
    }
    return mapping.get(relation)
