"""The minutes of a case conference as a printable PDF (the shared page set-up
of ``tirek.core.pdf``).

Cases are named by number and initials only, like every list: the minutes travel on
paper between agencies.
"""

from __future__ import annotations

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from tirek.core.pdf import ACCENT, FAMILY, INK, Document

from .models import Conference


def render(conference: Conference) -> bytes:
    title = _("Minutes of the case conference")
    pdf = Document(
        title, author=True, bottom_margin=18, footer=[f"Tirek · {title}"], separator=" — "
    )
    pdf.add_page()
    width = pdf.epw

    def heading(text: str) -> None:
        pdf.ln(3)
        pdf.set_text_color(*ACCENT)
        pdf.heading(text, 12)
        pdf.set_text_color(*INK)
        pdf.set_font(FAMILY, "", 10)

    def fact(label: str, value: str) -> None:
        pdf.fact(label, value, label_width=45)

    def text(value: str) -> None:
        pdf.multi_cell(width, 5.5, value or "—", new_x="LMARGIN", new_y="NEXT")

    pdf.heading(title, 16, 9)
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
    pdf.set_font(FAMILY, "", 10)
    pdf.cell(width / 2, 6, _("Chair: ________________"))
    pdf.cell(width / 2, 6, _("Secretary: ________________"), new_x="LMARGIN", new_y="NEXT")
    return pdf.render()
