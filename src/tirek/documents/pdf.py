"""The case summary as a PDF, in the language the caller has activated.

The font and page set-up are the plan PDF's (``tirek.plans.pdf``: the vendored DejaVu for
Cyrillic, its document class); the footer here states purpose, recipient, date, who
produced the summary and "page X of Y" on every page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tirek.plans.pdf import FONTS
from tirek.plans.pdf import _Document as PlanDocument

from .selectors import Block


@dataclass(frozen=True)
class Footer:
    purpose: str
    recipient: str
    produced_by: str


class _Summary(PlanDocument):
    lines: tuple[str, str] = ("", "")

    def footer(self) -> None:
        self.set_y(-16)
        self.set_font("DejaVu", size=7.5)
        self.set_text_color(90, 107, 115)
        first, second = self.lines
        page = _("page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"}
        self.cell(0, 4, first, align="C", new_x="LMARGIN", new_y="NEXT")
        self.cell(0, 4, f"{second} · {page}", align="C")


def wrap(pdf: PlanDocument, text: str, width: float) -> list[str]:
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
    pdf = _Summary(orientation="P", unit="mm", format="A4")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    today = date_format(timezone.localdate(), "SHORT_DATE_FORMAT")
    pdf.lines = (
        _("Purpose: %(purpose)s · Recipient: %(recipient)s")
        % {"purpose": footer.purpose, "recipient": footer.recipient},
        _("Produced on %(date)s by %(who)s in Tirek · Confidential")
        % {"date": today, "who": footer.produced_by},
    )
    pdf.set_title(title)
    pdf.set_creator("Tirek")
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.alias_nb_pages()
    pdf.add_page()
    width = pdf.epw

    def heading(text: str, size: int = 13) -> None:
        pdf.set_font("DejaVu", "B", size)
        pdf.multi_cell(width, 7, text, new_x="LMARGIN", new_y="NEXT")

    def fact(label: str, value: str) -> None:
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(48, 6, label)
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(width - 48, 6, value or "—", new_x="LMARGIN", new_y="NEXT")

    heading(title, 15)
    pdf.ln(2)
    for label, value in identification:
        fact(label, value)
    for block in blocks:
        pdf.ln(3)
        pdf.set_draw_color(214, 222, 226)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
        pdf.ln(2)
        heading(block.heading, 12)
        for label, value in block.facts:
            fact(label, value)
        pdf.set_font("DejaVu", "", 10)
        if not block.facts and not block.items:
            pdf.multi_cell(width, 6, _("Nothing recorded."), new_x="LMARGIN", new_y="NEXT")
        for item in block.items:
            for line in wrap(pdf, f"• {item}", width):
                pdf.cell(width, 5.5, line, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
    return bytes(pdf.output())
