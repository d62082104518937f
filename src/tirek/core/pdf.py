"""The page set-up every printable document shares: the vendored DejaVu font (regular and
bold, so Cyrillic and the Kazakh, Tajik and Uzbek letters print), A4, the document's
metadata, an optional footer with "page X of Y", and the few text blocks the documents
have in common (heading, label and value, paragraph, rule).

Each app still writes its own content; this module knows nothing of any app.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from fpdf import FPDF

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu"
INK = (29, 42, 48)
MUTED = (90, 107, 115)
ACCENT = (31, 95, 116)
RULE = (214, 222, 226)


class Document(FPDF):
    """An A4 document with the DejaVu font registered and its metadata set.

    ``footer_lines`` are printed centred at the foot of every page; the last of them ends
    with the page number, written by ``page_label`` (``%(page)s`` and ``%(pages)s``) after
    ``separator``. No lines: no footer (and no page number)."""

    footer_lines: tuple[str, ...] = ()
    page_label = "%(page)s/%(pages)s"
    separator = " · "

    def __init__(
        self,
        title: str = "",
        *,
        orientation: Literal["P", "L"] = "P",
        unit: Literal["mm"] = "mm",
        format: Literal["A4"] = "A4",
        bottom_margin: float | None = 16,
        author: bool = False,
        footer: Sequence[str] = (),
        page_label: str | None = None,
        separator: str | None = None,
    ) -> None:
        super().__init__(orientation=orientation, unit=unit, format=format)
        self.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        if title:
            self.set_title(title)
        if author:
            self.set_author("Tirek")
        else:
            self.set_creator("Tirek")
        if bottom_margin is None:
            self.set_auto_page_break(False)
        else:
            self.set_auto_page_break(auto=True, margin=bottom_margin)
        self.footer_lines = tuple(footer)
        if page_label is not None:
            self.page_label = page_label
        if separator is not None:
            self.separator = separator
        if self.footer_lines:
            self.alias_nb_pages()

    def footer(self) -> None:
        if not self.footer_lines:
            return
        single = len(self.footer_lines) == 1
        height = 6 if single else 4
        self.set_y(-8 - 4 * len(self.footer_lines))
        self.set_font(FAMILY, size=8 if single else 7.5)
        self.set_text_color(*MUTED)
        *first, last = self.footer_lines
        for text in first:
            self.cell(0, height, text, align="C", new_x="LMARGIN", new_y="NEXT")
        page = self.page_label % {"page": self.page_no(), "pages": "{nb}"}
        self.cell(0, height, f"{last}{self.separator}{page}", align="C")

    def heading(self, text: str, size: float = 13, height: float = 7) -> None:
        self.set_font(FAMILY, "B", size)
        self.multi_cell(self.epw, height, text, new_x="LMARGIN", new_y="NEXT")

    def fact(self, label: str, value: str, label_width: float = 48) -> None:
        """A label in bold, its value beside it (a dash when empty)."""
        self.set_font(FAMILY, "B", 10)
        self.cell(label_width, 6, label)
        self.set_font(FAMILY, "", 10)
        self.multi_cell(self.epw - label_width, 6, value or "—", new_x="LMARGIN", new_y="NEXT")

    def paragraph(self, text: str, size: float = 10, height: float = 5) -> None:
        self.set_font(FAMILY, "", size)
        self.multi_cell(self.epw, height, text, new_x="LMARGIN", new_y="NEXT")

    def rule(self) -> None:
        """A thin line across the page at the current position."""
        self.set_draw_color(*RULE)
        self.line(self.l_margin, self.get_y(), self.l_margin + self.epw, self.get_y())

    def render(self) -> bytes:
        return bytes(self.output())
