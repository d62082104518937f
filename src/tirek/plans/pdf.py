"""The printable plan (PDF) in the user's language, on the shared page set-up
(``tirek.core.pdf``).

It is for the case team: it names the child and the case number, so downloading it is
audited as an export by the view.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tirek.assessments.domains import Domain
from tirek.cases.models import Case
from tirek.core.pdf import FAMILY, Document

from .models import GoalStatus, InterventionStatus, Progress


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def _day(value: Any) -> str:
    if not value:
        return "—"
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return date_format(value, "SHORT_DATE_FORMAT")


def _moment(value: datetime | None) -> str:
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT") if value else "—"


def render_plan(
    *,
    case: Case,
    content: dict[str, Any],
    number: int | None,
    approval: dict[str, Any] | None,
) -> bytes:
    """``content`` is a plan snapshot; ``number`` the approved version (None: the draft)."""
    pdf = Document(
        _("Individual rehabilitation and reintegration plan"),
        footer=[_("Confidential: for the case team only") + f" · {case.number}"],
    )
    pdf.add_page()
    width = pdf.epw
    heading, line = pdf.heading, pdf.fact

    heading(_("Individual rehabilitation and reintegration plan"), 15)
    pdf.ln(2)
    person = case.person
    line(_("Case number"), case.number)
    line(_("Name"), person.full_name)
    birth = _day(person.birth_date) if person.birth_date else "—"
    if person.birth_date and person.birth_date_estimated:
        birth += " " + _("(estimated)")
    line(_("Date of birth"), birth)
    if number:
        line(_("Plan version"), str(number))
    else:
        line(_("Plan version"), _("Draft — not approved"))
    if approval:
        line(
            _("Submitted by"),
            f"{approval.get('submitted_by', '')} · {_moment(approval.get('submitted_at'))}",
        )
        line(
            _("Approved by"),
            f"{approval.get('approved_by', '')} · {_moment(approval.get('approved_at'))}",
        )
        if approval.get("comment"):
            line(_("Supervisor's comment"), approval["comment"])
    line(_("Printed"), _moment(timezone.now()))
    pdf.ln(3)

    goals = content.get("goals", [])
    if not goals:
        pdf.set_font(FAMILY, "", 10)
        pdf.multi_cell(width, 6, _("The plan has no goals yet."), new_x="LMARGIN", new_y="NEXT")
    for index, goal in enumerate(goals, start=1):
        pdf.rule()
        pdf.ln(2)
        heading(f"{index}. {goal['title']}", 12)
        line(_("Domain"), _label(Domain, goal["domain"]))
        line(_("Indicator"), goal.get("indicator", ""))
        line(_("Target date"), _day(goal.get("target_date")))
        responsible = ", ".join(
            p
            for p in (
                goal.get("responsible_agency"),
                goal.get("responsible_user"),
                goal.get("responsible_name"),
            )
            if p
        )
        line(_("Responsible"), responsible)
        line(
            _("Status"),
            f"{_label(GoalStatus, goal.get('status'))} · {_label(Progress, goal.get('progress'))}",
        )
        interventions = goal.get("interventions", [])
        if interventions:
            pdf.set_font(FAMILY, "B", 10)
            pdf.cell(width, 6, _("Interventions and services"), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(FAMILY, "", 9)
            with pdf.table(
                col_widths=(34, 22, 20, 14, 10),
                text_align="LEFT",
                line_height=5,
                first_row_as_headings=True,
            ) as table:
                header = table.row()
                for title in (
                    _("Intervention or service"),
                    _("Provided by / responsible"),
                    _("How often"),
                    _("Period"),
                    _("Status"),
                ):
                    header.cell(title)
                for item in interventions:
                    row = table.row()
                    row.cell(
                        item["title"]
                        + (f"\n{item['description']}" if item.get("description") else "")
                    )
                    row.cell(
                        ", ".join(
                            p
                            for p in (
                                item.get("provider"),
                                item.get("responsible_user"),
                                item.get("responsible_name"),
                            )
                            if p
                        )
                        or "—"
                    )
                    row.cell(item.get("frequency") or "—")
                    row.cell(f"{_day(item.get('start_date'))} – {_day(item.get('end_date'))}")
                    row.cell(_label(InterventionStatus, item.get("status")))
        pdf.ln(3)
    return pdf.render()
