"""Indicators of training (tirek.training): staff, not children."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from tirek.access.selectors import memberships_active_at
from tirek.accounts.models import StaffCompetency, User
from tirek.cases.models import CaseStatus
from tirek.training import cascade
from tirek.training.models import Audience, Certificate, Course, Event, Participant
from tirek.training.selectors import ROLE_NEEDS

from .. import conf, sdc
from ..cube import ROOT, Dimension, N, Row
from ..dimensions import LABELS, UNKNOWN
from ..periods import Period
from ..registry import (
    DIMENSION_LABELERS,
    POPULATION_DIMENSIONS,
    CustomRows,
    Indicator,
    Population,
    Scope,
    SplitDef,
    region_tree,
    register,
    register_population,
)
from .cases import YEAR_FLOW, YEAR_STOCK

TRAINING = frozenset({"training"})


def _course_dimension(rows: list[dict[str, Any]]) -> Dimension:
    ids = {r["d_course"] for r in rows if r["d_course"] is not None}
    courses = Course.objects.filter(pk__in=ids).prefetch_related("translations")
    ordered = sorted(((str(c.pk), c.title) for c in courses), key=lambda c: c[1])
    return Dimension("course", LABELS["course"], tuple(ordered))


def _audience_dimension(rows: list[dict[str, Any]]) -> Dimension:
    return Dimension("audience", LABELS["audience"], tuple(Audience.choices))


def _course_titles(codes: list[str]) -> dict[str, Any]:
    ids = [int(c) for c in codes if c.isdigit()]
    courses = Course.objects.filter(pk__in=ids).prefetch_related("translations")
    return {str(c.pk): c.title for c in courses}


POPULATION_DIMENSIONS["course"] = _course_dimension
POPULATION_DIMENSIONS["audience"] = _audience_dimension
DIMENSION_LABELERS["course"] = _course_titles
DIMENSION_LABELERS["audience"] = lambda codes: dict(Audience.choices)
DIMENSION_LABELERS["event_kind"] = lambda codes: dict(Event.Kind.choices)
DIMENSION_LABELERS["generation"] = lambda codes: dict(_generations())

register_population(
    Population(
        code="certified",
        label=_("Certificates of completion issued in the year"),
        queryset=lambda period: Certificate.objects.filter(
            kind=Certificate.Kind.PARTICIPANT,
            issued_at__gte=period.start,
            issued_at__lt=period.end,
            revoked_at__isnull=True,
        ),
        region=lambda: Coalesce(
            F("participant__region_id"), F("user__region_id"), F("user__agency__region_id")
        ),
        dimensions=lambda period: {
            "course": F("course_id"),
            "audience": F("participant__audience"),
        },
        counted=_("people trained"),
    )
)
register(
    Indicator(
        code="staff_trained",
        name=_("Staff trained, by course"),
        definition=_(
            "People who received a certificate of completion of a course in the year "
            "(certificates revoked since are not counted). Someone certified in two "
            "courses counts once in each."
        ),
        numerator=_("Certificates of completion issued in the year"),
        denominator=None,
        kind="count",
        population="certified",
        disaggregations=("course", "region", "audience"),
        period=YEAR_FLOW,
        audiences=TRAINING,
    )
)


def _on_active_team(period: Period, role: str | None = None, correlated: bool = True) -> Any:
    members = memberships_active_at(period.end)
    if correlated:
        members = members.filter(user=OuterRef("pk"))
    open_then = Q(case__closed_at__isnull=True) & ~Q(case__status=CaseStatus.CLOSED)
    members = members.filter(
        Q(case__opened_at__lt=period.end) & (open_then | Q(case__closed_at__gte=period.end))
    )
    return members.filter(role=role) if role else members


def _holds(period: Period, competency: str) -> Q:
    valid = StaffCompetency.objects.filter(
        user=OuterRef("pk"),
        competency=competency,
        granted_at__lt=period.end,
    ).filter(
        Q(revoked_at__isnull=True) | Q(revoked_at__gte=period.end),
        Q(expires_at__isnull=True) | Q(expires_at__gte=period.end),
    )
    return Q(Exists(valid))


def _holds_needed(period: Period) -> Q:
    """For every role the person plays on an active case team, every competency that
    role needs (the training programme's rules, ``ROLE_NEEDS``)."""
    condition = Q()
    for role, needed in ROLE_NEEDS.items():
        holds_all = Q()
        for competency in needed:
            holds_all &= _holds(period, competency)
        condition &= ~Q(Exists(_on_active_team(period, role))) | holds_all
    return condition


register_population(
    Population(
        code="casework_staff",
        label=_("Staff on the teams of active cases at the end of the year"),
        queryset=lambda period: User.objects.filter(
            pk__in=_on_active_team(period, correlated=False).values("user_id"),
            is_active=True,
        ),
        region=lambda: Coalesce(F("region_id"), F("agency__region_id")),
        dimensions=lambda period: {"agency": F("agency_id")},
        splits={"competent": SplitDef(_holds_needed)},
        counted=_("staff"),
    )
)
register(
    Indicator(
        code="staff_competent",
        name=_("Case staff holding the competencies they need"),
        definition=_(
            "Of the staff on the team of at least one active case at the end of the year, "
            "the share who held, valid on that day, every competency their role on those "
            "teams needs (e.g. case management and needs assessment for a case manager, "
            "child-sensitive interviewing for an interviewer)."
        ),
        numerator=_("Staff holding every needed competency"),
        denominator=_("Staff on active case teams"),
        kind="share",
        population="casework_staff",
        measure="competent",
        disaggregations=("region", "agency"),
        period=YEAR_STOCK,
        audiences=TRAINING,
    )
)


def _generations() -> tuple[tuple[str, Any], ...]:
    return tuple(
        (str(g), _("Generation %(n)s") % {"n": g} if g < 4 else _("Generation 4 and later"))
        for g in range(1, 5)
    ) + ((UNKNOWN, _("No certified trainer recorded")),)


def _cascade_rows(period: Period, scope: Scope) -> CustomRows:
    """Participants of the year's events by the event's cascade generation.

    Generations come from ``tirek.training.cascade`` (who trained whom); the counts
    of participants per event are grouped in SQL."""
    generation_of: dict[int, int] = {}
    for node in cascade.build().nodes.values():
        for ref in node.events:
            if ref.generation:
                generation_of[ref.id] = min(generation_of.get(ref.id, 99), ref.generation)
    events = Event.objects.filter(start_date__gte=period.first_day, start_date__lte=period.last_day)
    # Participant ids only (no person), for the record keys of the cell-key method.
    secret = conf.record_key_secret(Participant._meta.label_lower)
    counts: dict[int, int] = {}
    key_sums: dict[int, int] = {}
    for event_id, participant_id in Participant.objects.filter(event__in=events).values_list(
        "event_id", "id"
    ):
        counts[event_id] = counts.get(event_id, 0) + 1
        key_sums[event_id] = key_sums.get(event_id, 0) + sdc.record_key(participant_id, secret)
    tree = region_tree()
    grouped: dict[tuple[str, str, str], tuple[int, int]] = {}
    for event_id, region_id, kind in events.values_list("id", "region_id", "kind"):
        n = counts.get(event_id, 0)
        if not n:
            continue
        generation = generation_of.get(event_id)
        label = UNKNOWN if generation is None else str(min(generation, 4))
        leaf = tree.leaf_of_region.get(region_id, f"{ROOT}+")
        key = (leaf, label, kind)
        before_n, before_k = grouped.get(key, (0, 0))
        grouped[key] = (before_n + n, before_k + key_sums[event_id])
    rows = [
        Row(leaf, {"generation": g, "event_kind": k}, {N: n}, keys={N: k_sum})
        for (leaf, g, k), (n, k_sum) in grouped.items()
    ]
    return CustomRows(
        rows,
        [
            Dimension("generation", LABELS["generation"], _generations()),
            Dimension("event_kind", LABELS["event_kind"], tuple(Event.Kind.choices)),
        ],
    )


register_population(
    Population(
        code="cascade",
        label=_("Participants of the year's training events"),
        custom_rows=_cascade_rows,
        counted=_("participants"),
    )
)
register(
    Indicator(
        code="cascade_reach",
        name=_("Cascade reach"),
        definition=_(
            "Participants of the training events held in the year, by the generation of "
            "the cascade that delivered them: generation 1 are events of master trainers, "
            "generation 2 of the trainers they certified, and so on. A person at two "
            "events counts twice."
        ),
        numerator=_("Event participants"),
        denominator=None,
        kind="count",
        population="cascade",
        disaggregations=("generation", "region", "event_kind"),
        period=YEAR_FLOW,
        audiences=TRAINING,
    )
)
