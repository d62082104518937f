"""The case summary as a PDF, in the language the caller has activated.

The font and page set-up are every document's (``tirek.core.pdf``: the vendored DejaVu for
Cyrillic); the footer here states purpose, recipient, date, who produced the summary and
"page X of Y" on every page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tirek.core.pdf import FAMILY, FONTS, Document  # noqa: F401 - FONTS for its tests

from .selectors import Block


@dataclass(frozen=True)
class Footer:
    purpose: str
    recipient: str
    produced_by: str


class _Summary(Document):
    """The summary's pages: a two-line footer ending in "page X of Y"."""

    def __init__(
        self, title: str = "", *, footer: tuple[str, str] = ("", ""), **kwargs: Any
    ) -> None:
        super().__init__(
            title,
            bottom_margin=20,
            footer=footer,
            page_label=_("page %(page)s of %(pages)s"),
            **kwargs,
        )


def wrap(pdf: Document, text: str, width: float) -> list[str]:
    """``text`` broken into lines of at most ``width`` in the current font, word by word
    (a word longer than a line is cut). fpdf2's own ``multi_cell`` measures the growing
    line again for every character, which made a summary of a few hundred notes take tens
    of seconds; here every character's width is measured once (the font has no kerning)."""
    widths: dict[str, float] = {}

    def measure(word: str) -> float:
        total = 0.0
        for char in word:
            found = widths.get(char)
            if found is None:
                found = widths[char] = pdf.get_string_width(char)
            total += found
        return total

    space = measure(" ")
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line, used = "", 0.0
        for word in paragraph.split(" "):
            size = measure(word)
            while size > width:  # longer than a line: cut it where it fills one
                if line:
                    lines.append(line)
                    line, used = "", 0.0
                cut, filled = 0, 0.0
                while cut < len(word) - 1 and filled + measure(word[cut]) <= width:
                    filled += measure(word[cut])
                    cut += 1
                cut = max(cut, 1)
                lines.append(word[:cut])
                word = word[cut:]
                size = measure(word)
            needed = size if not line else used + space + size
            if line and needed > width:
                lines.append(line)
                line, used = word, size
            else:
                line, used = (f"{line} {word}" if line else word), needed
        lines.append(line)
    return lines


def render(
    *, title: str, identification: list[tuple[str, str]], blocks: list[Block], footer: Footer
) -> bytes:
    today = date_format(timezone.localdate(), "SHORT_DATE_FORMAT")
    pdf = _Summary(
        title,
        footer=(
            _("Purpose: %(purpose)s · Recipient: %(recipient)s")
            % {"purpose": footer.purpose, "recipient": footer.recipient},
            _("Produced on %(date)s by %(who)s in Tirek · Confidential")
            % {"date": today, "who": footer.produced_by},
        ),
    )
    pdf.add_page()
    width = pdf.epw
    heading, fact = pdf.heading, pdf.fact

    heading(title, 15)
    pdf.ln(2)
    for label, value in identification:
        fact(label, value)
    for block in blocks:
        pdf.ln(3)
        pdf.rule()
        pdf.ln(2)
        heading(block.heading, 12)
        for label, value in block.facts:
            fact(label, value)
        pdf.set_font(FAMILY, "", 10)
        if not block.facts and not block.items:
            pdf.multi_cell(width, 6, _("Nothing recorded."), new_x="LMARGIN", new_y="NEXT")
        for item in block.items:
            for line in wrap(pdf, f"• {item}", width):
                pdf.cell(width, 5.5, line, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
    return pdf.render()
