"""Training reports: people trained by course, group, sex, region; completion and pass
rates. Counts are about staff, so no small-cell suppression; no individual scores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q

from tirek.accounts.models import User

from . import permissions
from .models import Audience, Certificate, Course, Enrolment, Participant, Sex


@dataclass
class Row:
    label: str
    participants: int
    certified: int

    @property
    def rate(self) -> int | None:
        return (100 * self.certified) // self.participants if self.participants else None


def _participants(date_from: date | None, date_to: date | None, course: Course | None) -> Any:
    qs = Participant.objects.all()
    if date_from:
        qs = qs.filter(event__start_date__gte=date_from)
    if date_to:
        qs = qs.filter(event__start_date__lte=date_to)
    if course:
        qs = qs.filter(event__courses=course)
    return qs


def _grouped(qs: Any, field: str, labels: dict[Any, str]) -> list[Row]:
    rows = (
        qs.values(field)
        .annotate(n=Count("id"), c=Count("id", filter=Q(certified=True)))
        .order_by(field)
    )
    return [
        Row(label=labels.get(r[field], str(r[field] or "—")), participants=r["n"], certified=r["c"])
        for r in rows
    ]


def build(
    user: User,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    course: Course | None = None,
) -> dict[str, Any]:
    permissions.require_coordinator(user)
    valid = Certificate.objects.filter(participant=OuterRef("pk"), revoked_at__isnull=True)
    qs = _participants(date_from, date_to, course).annotate(certified=Exists(valid))
    courses = list(Course.objects.prefetch_related("translations"))
    if course:
        courses = [c for c in courses if c.pk == course.pk]
    by_course = []
    for c in courses:
        in_course = qs.filter(event__courses=c)
        certified = Certificate.objects.filter(
            course=c, revoked_at__isnull=True, participant__in=in_course
        ).count()
        enrolments = Enrolment.objects.filter(course=c)
        if date_from:
            enrolments = enrolments.filter(started_at__date__gte=date_from)
        if date_to:
            enrolments = enrolments.filter(started_at__date__lte=date_to)
        counts = enrolments.aggregate(
            enrolled=Count("id"), completed=Count("id", filter=Q(completed_at__isnull=False))
        )
        with_post = in_course.filter(post_score__isnull=False)
        passed = with_post.filter(post_score__gte=F("event__pass_mark")).count()
        by_course.append(
            {
                "course": c,
                "participants": in_course.distinct().count(),
                "certified": certified,
                "with_post": with_post.distinct().count(),
                "passed": passed,
                "enrolled": counts["enrolled"],
                "completed": counts["completed"],
            }
        )
    from tirek.organisations.models import Region

    region_names = {r.pk: r.name for r in Region.objects.all()}
    return {
        "total": qs.count(),
        "by_course": by_course,
        "by_audience": _grouped(qs, "audience", {k: str(v) for k, v in Audience.choices}),
        "by_sex": _grouped(qs, "sex", {k: str(v) for k, v in Sex.choices}),
        "by_region": _grouped(qs, "region", region_names),
    }
