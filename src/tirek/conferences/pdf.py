"""The minutes of a case conference as a printable PDF (Cyrillic via the vendored DejaVu).

Cases are named by number and initials only, like every list: the minutes travel on
paper between agencies.
"""

from __future__ import annotations

from pathlib import Path

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from .models import Conference

FONTS = Path(__file__).resolve().parent.parent / "core" / "fonts"


class _Minutes(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(91, 107, 115)
        self.cell(0, 6, f"{self.footer_text} — {self.page_no()}/{{nb}}", align="C")


def render(conference: Conference) -> bytes:
    pdf = _Minutes(orientation="P", unit="mm", format="A4")
    title = _("Minutes of the case conference")
    pdf.footer_text = f"Tirek · {title}"
    pdf.set_title(title)
    pdf.set_author("Tirek")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.alias_nb_pages()
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    width = pdf.epw

    def heading(text: str) -> None:
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 12)
        pdf.set_text_color(31, 95, 116)
        pdf.multi_cell(width, 7, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(29, 42, 48)
        pdf.set_font("DejaVu", "", 10)

    def fact(label: str, value: str) -> None:
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(45, 6, label)
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(width - 45, 6, value or "—", new_x="LMARGIN", new_y="NEXT")

    def text(value: str) -> None:
        pdf.multi_cell(width, 5.5, value or "—", new_x="LMARGIN", new_y="NEXT")

    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(width, 9, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    when = formats.date_format(timezone.localtime(conference.scheduled_at), "DATETIME_FORMAT")
    fact(_("Date and time"), when)
    fact(_("Place"), conference.location)
    fact(_("Convening unit"), str(conference.unit))
    fact(_("Chair"), conference.chair.get_full_name() or conference.chair.username)
    fact(_("Status"), str(conference.get_status_display()))
    cases = ", ".join(f"{c.number} ({c.person.initials})" for c in conference.cases.all())
    fact(_("Cases"), cases)

    heading(_("Participants"))
    for p in conference.participants.select_related("user__agency"):
        line = p.display_name
        if p.display_organisation:
            line += f", {p.display_organisation}"
        if p.capacity:
            line += f" ({p.capacity})"
        text(f"• {line} — {p.get_attendance_display()}")

    heading(_("Agenda"))
    text(conference.agenda)
    heading(_("The child's views"))
    text(conference.child_views)
    heading(_("The family's views"))
    text(conference.family_views)
    heading(_("Decisions"))
    text(conference.decisions)

    heading(_("Actions"))
    actions = list(conference.actions.select_related("owner", "case"))
    if not actions:
        text("—")
    for item in actions:
        owner = item.owner.get_full_name() or item.owner.username
        due = formats.date_format(item.due_date, "SHORT_DATE_FORMAT")
        text(
            f"• {item.case.number}: {item.description} — {owner}, "
            f"{_('due')} {due} ({item.get_status_display()})"
        )
    pdf.ln(8)
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(width / 2, 6, _("Chair: ________________"))
    pdf.cell(width / 2, 6, _("Secretary: ________________"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
