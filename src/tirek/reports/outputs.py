"""Files made from a dashboard: CSV, XLSX and the donor report (PDF).

All three are written from ``collect``, which takes every number from ``tables`` — the
same protected figures as the page. Text that a spreadsheet could take for a formula is
neutralised (``safe_text``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from tirek.core.pdf import FAMILY, Document

from . import conf, dashboards, tables
from .cube import ROOT
from .dimensions import LABELS
from .periods import Period
from .registry import Indicator

if TYPE_CHECKING:
    from tirek.accounts.models import User

Progress = Callable[[int], None]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PDF_BREAKDOWNS = ("sex", "age_band")


def safe_text(value: object) -> str:
    """Text for a spreadsheet cell: a leading = + - @ tab or CR would make Excel or
    LibreOffice run it as a formula (CSV injection); a quote in front keeps it text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@dataclass
class Section:
    indicator: Indicator
    headline: tables.Value
    breakdowns: list[tables.Breakdown]


@dataclass
class Report:
    audience: str
    title: str
    scope_label: str
    period: Period
    threshold: int
    generated_at: datetime
    sections: list[Section] = field(default_factory=list)
    max_noise: int = 0  # the largest perturbation of a count (0: exact counts)


def collect(
    audience: str,
    user: User,
    *,
    period: Period,
    region: str = ROOT,
    progress: Progress | None = None,
) -> Report:
    """Every indicator of the dashboard, by every disaggregation it is published by."""
    board = dashboards.build(audience, user, period=period, region=region)
    report = Report(
        audience=audience,
        title=board.title,
        scope_label=board.node_label,
        period=period,
        threshold=conf.sdc_threshold(),
        generated_at=timezone.now(),
        max_noise=board.max_noise,
    )
    total = max(len(board.panels), 1)
    for i, panel in enumerate(board.panels, start=1):
        cube = panel.cube
        breakdowns = []
        for dim in panel.indicator.disaggregations:
            if dim == "region" and (
                board.scope.unit_id is not None or not cube.children(board.node)
            ):
                continue
            breakdowns.append(tables.breakdown(panel.indicator, cube, board.node, dim))
        report.sections.append(Section(panel.indicator, panel.headline, breakdowns))
        if progress:
            progress(int(80 * i / total))
    return report


# --- CSV and XLSX: one row per published figure ---------------------------------------------


def _columns() -> list[str]:
    return [
        _("Indicator code"),
        _("Indicator"),
        _("Region"),
        _("Breakdown code"),
        _("Breakdown"),
        _("Category code"),
        _("Category"),
        _("Value"),
        _("Numerator"),
        _("Denominator"),
        _("People"),
        _("Mean"),
        _("Maximum"),
        _("Hidden"),
    ]


def _number(value: float | int | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


def _rows(report: Report) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for section in report.sections:
        indicator = section.indicator
        lines = [("", str(_("Total")), "", "", section.headline)]
        for data in section.breakdowns:
            lines += [
                (data.dimension, str(data.dimension_label), line.code, line.label, line.value)
                for line in data.lines
            ]
        for breakdown_code, breakdown_label, category_code, category, value in lines:
            denominator = value.denominator.value if value.denominator else None
            rows.append(
                [
                    indicator.code,
                    safe_text(indicator.name),
                    safe_text(report.scope_label),
                    breakdown_code,
                    safe_text(breakdown_label),
                    safe_text(category_code),
                    safe_text(category),
                    _number(value.number),
                    _number(value.count.value) if indicator.kind == "share" else None,
                    _number(denominator),
                    _number(value.count.value) if indicator.kind in ("mean", "sum") else None,
                    _number(value.mean.value) if value.mean else None,
                    _number(value.maximum.value) if value.maximum else None,
                    _("yes") if value.suppressed else "",
                ]
            )
    return rows


def to_csv(report: Report) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_columns())
    for row in _rows(report):
        writer.writerow(["" if v is None else v for v in row])
    # BOM: Excel opens UTF-8 CSV with Cyrillic correctly only with it.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Indicators")[:31]
    sheet.append([safe_text(report.title)])
    sheet.append(
        [
            safe_text(
                _("%(scope)s, %(year)s. Aggregates only; groups under %(threshold)s people hidden.")
                % {
                    "scope": report.scope_label,
                    "year": report.period.year,
                    "threshold": report.threshold,
                }
            )
        ]
    )
    sheet.append([safe_text(tables.protection_note(report.threshold, report.max_noise))])
    sheet.append([])
    sheet.append(_columns())
    for cell in sheet[5]:
        cell.font = Font(bold=True)
    for row in _rows(report):
        sheet.append(row)
    sheet.freeze_panes = "A6"
    for column, width in zip(
        "ABCDEFGHIJKLMN", (18, 40, 24, 12, 18, 12, 28, 10, 10, 10, 10, 10, 10, 8), strict=True
    ):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- the donor report ----------------------------------------------------------------------


def to_pdf(report: Report, progress: Progress | None = None) -> bytes:
    """A printable narrative report: headings, short explanations, tables and bar charts
    drawn with fpdf2's own primitives (no image files, nothing fetched)."""
    pdf = Document(_("Donor report"), bottom_margin=15)
    pdf.add_page()
    width = pdf.epw

    def heading(text: str, size: int) -> None:
        pdf.heading(text, size, size * 0.55)
        pdf.ln(1)

    def paragraph(text: str, size: int = 10) -> None:
        pdf.paragraph(text, size)
        pdf.ln(1)

    heading(_("Donor report"), 20)
    paragraph(
        _("%(scope)s · %(year)s · prepared %(date)s")
        % {
            "scope": report.scope_label,
            "year": report.period.year,
            "date": timezone.localtime(report.generated_at).strftime("%d.%m.%Y"),
        },
        11,
    )
    if not report.period.is_complete:
        paragraph(_("The year is not over: figures are for the year to date."))
    heading(_("About these figures"), 13)
    paragraph(
        _(
            "This report contains aggregates only. No figure describes fewer than %(threshold)s "
            "people: smaller groups are hidden (shown as …), and so are figures from which a "
            "hidden one could be worked out from the totals. Means are given only for groups "
            "of at least %(threshold)s people, and maxima are capped."
        )
        % {"threshold": report.threshold}
    )
    if report.max_noise > 0:
        paragraph(str(tables.PERTURBED_NOTE) % {"noise": report.max_noise})
    heading(_("Key figures"), 13)
    _pdf_table(
        pdf,
        [_("Indicator"), _("Value")],
        [[str(s.indicator.name), s.headline.display()] for s in report.sections],
        [width * 0.75, width * 0.25],
    )
    total = max(len(report.sections), 1)
    for number, section in enumerate(report.sections, start=1):
        pdf.ln(3)
        heading(f"{number}. {section.indicator.name}", 13)
        paragraph(str(section.indicator.definition))
        if section.indicator.denominator:
            paragraph(
                _("Numerator: %(n)s. Denominator: %(d)s.")
                % {"n": section.indicator.numerator, "d": section.indicator.denominator},
                9,
            )
        # The indicator's main breakdown with a chart, then sex and age as tables:
        # what donors ask for, without thirty pages of every breakdown.
        chosen = [b for b in section.breakdowns if b.dimension in PDF_BREAKDOWNS]
        main = section.breakdowns[:1]
        for i, data in enumerate(main + [b for b in chosen if b not in main]):
            heading(str(data.dimension_label), 11)
            if data.lines:
                if i == 0:
                    _pdf_bars(pdf, data, width)
                _pdf_breakdown_table(pdf, data, width)
        if progress:
            progress(80 + int(18 * number / total))
    return pdf.render()


def _pdf_table(pdf: Any, head: list[str], rows: list[list[str]], widths: list[float]) -> None:
    pdf.set_font(FAMILY, "B", 9)
    for text, w in zip(head, widths, strict=True):
        pdf.cell(w, 6, text[:70], border=1)
    pdf.ln()
    pdf.set_font(FAMILY, "", 9)
    for row in rows:
        if pdf.will_page_break(6):
            pdf.add_page()
        for i, (text, w) in enumerate(zip(row, widths, strict=True)):
            pdf.cell(w, 6, str(text)[:70], border=1, align="R" if i else "L")
        pdf.ln()
    pdf.ln(2)


def _pdf_breakdown_table(pdf: Any, data: tables.Breakdown, width: float) -> None:
    kind = data.indicator.kind
    if kind == "share":
        head = [str(data.dimension_label), _("Numerator"), _("Denominator"), "%"]
        widths = [width * 0.46, width * 0.18, width * 0.18, width * 0.18]
    elif kind == "mean":
        head = [str(data.dimension_label), _("People"), _("Mean"), _("Maximum")]
        widths = [width * 0.46, width * 0.18, width * 0.18, width * 0.18]
    elif kind == "sum":
        head = [str(data.dimension_label), _("People"), _("Total")]
        widths = [width * 0.6, width * 0.2, width * 0.2]
    else:
        head = [str(data.dimension_label), _("Number")]
        widths = [width * 0.75, width * 0.25]
    rows = []
    for label, value in [(line.label, line.value) for line in data.lines] + [
        (str(_("Total")), data.total)
    ]:
        if kind == "share":
            rows.append(
                [
                    label,
                    tables.cell_text(value.count),
                    tables.cell_text(value.denominator) if value.denominator else "",
                    value.display(),
                ]
            )
        elif kind == "mean":
            rows.append(
                [
                    label,
                    tables.cell_text(value.count),
                    tables.stat_text(value.mean, value.count),
                    tables.stat_text(value.maximum, value.count),
                ]
            )
        elif kind == "sum":
            rows.append([label, tables.cell_text(value.count), value.display()])
        else:
            rows.append([label, value.display()])
    _pdf_table(pdf, head, rows, widths)


def _pdf_bars(pdf: Any, data: tables.Breakdown, width: float) -> None:
    """A horizontal bar per category; hidden figures get no bar, only "…"."""
    numbers = [line.value.number for line in data.lines if line.value.number is not None]
    top = 100.0 if data.indicator.kind == "share" else max(numbers, default=0.0)
    label_w, value_w, bar_h = width * 0.35, width * 0.12, 4.5
    plot = width - label_w - value_w
    pdf.set_font(FAMILY, "", 8)
    for line in data.lines:
        if pdf.will_page_break(bar_h + 1.5):
            pdf.add_page()
        x, y = pdf.l_margin, pdf.get_y()
        pdf.set_xy(x, y)
        pdf.cell(label_w - 2, bar_h, line.label[:45], align="R")
        number = line.value.number
        if number is not None and top > 0 and number > 0:
            bar = max(plot * number / top, 0.6)
            pdf.set_fill_color(31, 95, 116)
            pdf.rect(x + label_w, y + 0.5, bar, bar_h - 1, style="F")
        else:
            bar = 0.0
        pdf.set_xy(x + label_w + bar + 1.5, y)
        pdf.cell(value_w, bar_h, line.value.display())
        pdf.set_xy(x, y + bar_h + 1.5)
    pdf.ln(2)


def dimension_label(code: str) -> str:
    return str(LABELS.get(code, code))
