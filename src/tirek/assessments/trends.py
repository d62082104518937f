"""The per-domain trend of a case (charts plus the same numbers as a table), shared by the
assessments page and the panel on the case page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .charts import Point, sparkline_svg, trend_svg
from .domains import Severity
from .models import Assessment, AssessmentStatus
from .selectors import trend


def _severity_label(code: str) -> str:
    try:
        return str(Severity(code).label)
    except ValueError:
        return ""


@dataclass
class Trend:
    code: str = ""
    title: str = ""
    assessments: list[Assessment] = field(default_factory=list)
    charts: list[dict[str, Any]] = field(default_factory=list)


def default_instrument(assessments: list[Assessment], wanted: str = "") -> str:
    """``wanted`` if the case has completed assessments with it, else the comprehensive
    assessment (the one every review looks at), else any completed one."""
    completed = [
        a.instrument_version.instrument.code
        for a in assessments
        if a.status == AssessmentStatus.COMPLETED
    ]
    if wanted in completed:
        return wanted
    comprehensive = [
        a.instrument_version.instrument.code
        for a in assessments
        if a.status == AssessmentStatus.COMPLETED and a.kind == "comprehensive"
    ]
    return (comprehensive or completed or [""])[0]


def build_trend(
    assessments: list[Assessment], code: str, *, prefix: str = "trend", compact: bool = False
) -> Trend:
    """Charts per domain; ``compact`` draws sparklines for a table (the case page)."""
    if not code:
        return Trend()
    completed, rows = trend(assessments, code)
    charts = []
    for index, row in enumerate(rows):
        points = [
            Point(
                day=a.assessed_on,
                percent=s.percent if s else None,
                severity=s.severity if s else "",
                label=(f"{s.score}/{s.max_score} — {_severity_label(s.severity)}" if s else ""),
            )
            for a, s in zip(completed, row.points, strict=True)
        ]
        draw = sparkline_svg if compact else trend_svg
        first = next((s for s in row.points if s is not None), None)
        last = next((s for s in reversed(row.points) if s is not None), None)
        charts.append(
            {
                "row": row,
                "svg": draw(points, title=row.title, chart_id=f"{prefix}-{index}"),
                "first": first,
                "last": last,
            }
        )
    title = completed[-1].instrument_version.display_title if completed else ""
    return Trend(code=code, title=title, assessments=completed, charts=charts)
