"""Checks that an output shows no count of 1 … threshold-1 people."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tirek.reports.tables import HIDDEN


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, str]] = []
        self._kind: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kind = dict(attrs).get("data-kind")
        if kind:
            self._kind, self._text = kind, []

    def handle_data(self, data: str) -> None:
        if self._kind:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._kind and tag in ("td", "span"):
            self.cells.append((self._kind, "".join(self._text).strip()))
            self._kind = None


def page_cells(html: str) -> list[tuple[str, str]]:
    parser = _Cells()
    parser.feed(html)
    return parser.cells


def as_number(text: str) -> float | None:
    cleaned = text.replace("\u00a0", "").replace(" ", "").replace("%", "").replace("≥", "")
    try:
        return float(cleaned)
    except ValueError:
        return None


def assert_no_small_count(values: list[object], threshold: int = 5) -> None:
    for value in values:
        if value in (None, "", HIDDEN, "—"):
            continue
        number = as_number(str(value)) if not isinstance(value, int | float) else float(value)
        assert number is not None, f"not a number: {value!r}"
        assert not 0 < number < threshold, f"a count of {value} people is published"


def assert_page_has_no_small_count(html: str, threshold: int = 5) -> int:
    counts = [text for kind, text in page_cells(html) if kind == "count"]
    assert_no_small_count(counts, threshold)
    return len(counts)


SMALL_AT_END = re.compile(r"(^|\s)([1-4])$")


def assert_text_lines_have_no_small_count(text: str) -> None:
    """For extracted PDF text: a table or chart line ending in 1 … 4 is a small count."""
    for line in text.splitlines():
        assert not SMALL_AT_END.search(line.strip()), f"small count in line {line!r}"
