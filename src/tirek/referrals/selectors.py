"""Reads for the directory, referrals and notifications, already filtered for the user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet, Window
from django.http import Http404, HttpRequest
from django.utils import timezone

from tirek.access import selectors as access
from tirek.access.policy import visible_case_ids
from tirek.accounts.roles import Role
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.core.crypto import encrypted_field_names
from tirek.organisations.models import Agency, Region
from tirek.people.models import Person

from .access import (
    can_manage_directory,
    may_receive_row,
    receiving_side_q,
    referring_side_q,
)
from .models import (
    OPEN_STATUSES,
    Notification,
    Provider,
    Referral,
    ReferralStatus,
    Service,
    Urgency,
    due_date_of,
)

if TYPE_CHECKING:
    from tirek.accounts.models import User

# --- the directory -------------------------------------------------------------


def region_and_ancestors(region: Region) -> list[str]:
    """Paths of the region and every region above it ("kz/", "kz/kz-karaganda/")."""
    parts = [p for p in region.path.split("/") if p]
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def directory_services(
    *,
    q: str = "",
    category: str = "",
    region: Region | None = None,
    language: str = "",
    include_inactive: bool = False,
) -> QuerySet[Service]:
    """Services matching the search; a provider serving a region serves its districts too."""
    services = Service.objects.select_related("provider__agency", "provider__unit").annotate(
        open_referrals=Count(
            "referrals",
            filter=Q(referrals__status__in=[ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS]),
        )
    )
    if not include_inactive:
        services = services.filter(is_active=True, provider__is_active=True)
    for word in q.lower().split()[:5]:
        services = services.filter(search_text__contains=word)
    if category:
        services = services.filter(category=category)
    if region is not None:
        services = services.filter(provider__regions__path__in=region_and_ancestors(region))
    if language:
        services = services.filter(provider__languages_csv__contains=f",{language},")
    return services.distinct().order_by("provider__name", "name")


def providers(*, include_inactive: bool = False) -> QuerySet[Provider]:
    rows = Provider.objects.select_related("agency", "unit").prefetch_related("regions")
    if not include_inactive:
        rows = rows.filter(is_active=True)
    return rows.order_by("name")


def managed_agencies(user: User) -> QuerySet[Agency]:
    if not can_manage_directory(user):
        return Agency.objects.none()
    if user.has_role(Role.ADMIN):
        return Agency.objects.filter(is_active=True)
    if user.agency_id is None:
        return Agency.objects.none()
    return Agency.objects.filter(pk=user.agency_id)


def get_provider(provider_id: Any) -> Provider:
    try:
        return Provider.objects.select_related("agency", "unit").get(pk=provider_id)
    except (Provider.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_service(service_id: Any) -> Service:
    try:
        return Service.objects.select_related("provider__agency").get(pk=service_id)
    except (Service.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


# --- referrals -----------------------------------------------------------------


def _candidate_ids(user: User, *, referring: bool = True, receiving: bool = True) -> QuerySet[Any]:
    """The ids of a superset of the referrals a list can hold: on the user's cases (the
    referring side), or named to the user or sent to a provider of the user's agency (the
    receiving side, where an unassigned referral waits for anyone in the role). Each part
    is one lookup in one index of the referral (case; receiver; provider and status), and
    the list's own conditions then pick from these rows. Given as one condition, both
    databases planned from its widest part: every unassigned referral of the programme,
    or every open one (docs/performance.md, "The referral lists")."""
    parts = []
    if referring:
        parts.append(Referral.objects.filter(case__in=visible_case_ids(user)))
    if receiving:
        parts.append(Referral.objects.filter(to_user=user))
        if user.agency_id:
            providers = Provider.objects.filter(agency_id=user.agency_id).values("pk")
            parts.append(
                Referral.objects.filter(provider__in=providers, status=ReferralStatus.SENT)
            )
    ids = [part.order_by().values("pk") for part in parts]
    return ids[0].union(*ids[1:]) if len(ids) > 1 else ids[0]


def _with_list_columns(rows: QuerySet[Referral]) -> QuerySet[Referral]:
    """What a list of referrals shows: the child, the provider and the service. Each
    further join made PostgreSQL plan the conditions after joining every referral of the
    programme (it stops reordering joins beyond eight tables); ``with_parties`` adds the
    rest for the pages and answers that show it."""
    return rows.select_related("case__person", "provider", "service")


def without_texts(rows: QuerySet[Referral]) -> QuerySet[Referral]:
    """For pages that list referrals without their texts: the encrypted texts of the
    referral and of its case are left unread (each is decrypted for every row read)."""
    return rows.defer(*encrypted_field_names(Referral), "case__return_history")


def with_parties(rows: QuerySet[Referral]) -> QuerySet[Referral]:
    """The provider's agency, the receiving worker and the referrer, each read in one
    query for all the rows."""
    return rows.prefetch_related("provider__agency", "to_user", "created_by")


def visible_referrals(user: User) -> QuerySet[Referral]:
    """Referrals the user follows (referring side) or answers (receiving side)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Referral.objects.none()
    referring = Q(case__in=visible_case_ids(user)) & referring_side_q(user)
    return _with_list_columns(
        Referral.objects.filter(pk__in=_candidate_ids(user)).filter(
            referring | receiving_side_q(user)
        )
    )


def incoming_referrals(user: User) -> QuerySet[Referral]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Referral.objects.none()
    return _with_list_columns(
        Referral.objects.filter(pk__in=_candidate_ids(user, referring=False)).filter(
            receiving_side_q(user)
        )
    ).order_by("-created_at", "-id")


def outgoing_referrals(user: User) -> QuerySet[Referral]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Referral.objects.none()
    return _with_list_columns(
        Referral.objects.filter(pk__in=_candidate_ids(user, receiving=False)).filter(
            referring_side_q(user)
        )
    ).order_by("-created_at", "-id")


def case_referrals(user: User, case: Any) -> QuerySet[Referral]:
    """The case's referrals, for its page and panel (which show no texts)."""
    return without_texts(outgoing_referrals(user).filter(case=case))


def get_referral(user: User, referral_id: Any, *, request: HttpRequest | None = None) -> Referral:
    """The referral if the user may see it (else 404); the read is audited."""
    try:
        referral = with_parties(visible_referrals(user)).get(pk=referral_id)
    except (Referral.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    record(
        actor=user,
        action=Action.READ,
        obj=referral,
        request=request,
        detail={"case": referral.case_id},
    )
    return referral


def overdue_q(today: date | None = None) -> Q:
    today = today or timezone.localdate()
    return Q(status=ReferralStatus.SENT, respond_by__lt=today) | Q(
        status__in=[ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS], complete_by__lt=today
    )


def is_overdue(referral: Referral, today: date) -> bool:
    """``overdue_q`` for one referral already loaded."""
    due = due_date_of(referral.status, referral.respond_by, referral.complete_by)
    return due is not None and due < today


def _my_overdue_q(user: User) -> Q:
    mine = Q(created_by=user) | Q(case__case_manager=user)
    mine |= access.supervised_q(user)
    outgoing = Q(case__in=visible_case_ids(user)) & referring_side_q(user) & mine
    return (outgoing | receiving_side_q(user)) & overdue_q()


def my_overdue_referrals(user: User) -> QuerySet[Referral]:
    """Overdue referrals on both sides: ones I sent, lead (case manager) or supervise, and
    ones I have to answer or complete."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Referral.objects.none()
    return (
        Referral.objects.filter(_my_overdue_q(user))
        .select_related("case__person", "provider__agency")
        .order_by("respond_by", "id")
    )


# What waits for one user is tens of referrals; the "my work" panel reads at most this many.
PANEL_READ_LIMIT = 500
# What the panel shows and needs to sort its rows, read as plain rows: a liaison's inbox
# holds a hundred referrals or more, and making models of each (referral, case, child,
# provider) cost ten times the query.
_PANEL_COLUMNS = (
    "pk",
    "status",
    "urgency",
    "role",
    "to_user_id",
    "provider__agency_id",
    "provider__unit_id",
    "provider__name",
    "created_at",
    "respond_by",
    "complete_by",
    "case__number",
    "case__person__given_name",
    "case__person__family_name",
    "case__person__birth_date",
    "case__person__birth_date_estimated",
    "case_id",
)


@dataclass(frozen=True)
class PanelReferral:
    """A referral as the "my work" panel shows it."""

    pk: int
    case_id: int
    status: str
    urgency: str
    provider_name: str
    created_at: datetime
    respond_by: date
    complete_by: date | None
    subject: Subject

    @property
    def urgency_label(self) -> str:
        return str(Urgency(self.urgency).label)

    @property
    def status_label(self) -> str:
        return str(ReferralStatus(self.status).label)

    @property
    def due_date(self) -> date | None:
        return due_date_of(self.status, self.respond_by, self.complete_by)

    @property
    def is_overdue(self) -> bool:
        due = self.due_date
        return due is not None and due < timezone.localdate()


def panel_referrals(user: User, rows: int = 10) -> tuple[list[PanelReferral], list[PanelReferral]]:
    """For "my work", in one query: the newest ``rows`` incoming referrals waiting for an
    answer (as ``incoming_referrals(...).filter(status=SENT)``) and the first ``rows`` of
    ``my_overdue_referrals``."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return [], []
    waiting = receiving_side_q(user) & Q(status=ReferralStatus.SENT)
    found = list(
        Referral.objects.filter(pk__in=_candidate_ids(user))
        .filter(waiting | _my_overdue_q(user))
        .order_by("respond_by", "id")
        .values_list(*_PANEL_COLUMNS)[:PANEL_READ_LIMIT]
    )
    # Which list a row belongs to is told in Python, not by repeating both conditions in
    # the query (building them is most of the panel's cost): a waiting row is the user's
    # to answer, so it is overdue exactly when its dates are; any other row is here
    # because it is overdue.
    today = timezone.localdate()
    incoming: list[tuple[Any, ...]] = []
    overdue_rows: list[tuple[Any, ...]] = []
    for row in found:
        _pk, status, _urgency, role, to_user_id, agency_id, unit_id, *_rest = row
        is_waiting = status == ReferralStatus.SENT and may_receive_row(
            user, to_user_id, agency_id, unit_id, role
        )
        if is_waiting:
            incoming.append(row)
        if not is_waiting or row[9] < today:  # a waiting row is late when its answer is
            overdue_rows.append(row)
    incoming.sort(key=lambda r: (r[8], r[0]), reverse=True)  # newest first
    return [_panel_referral(r) for r in incoming[:rows]], [
        _panel_referral(r) for r in overdue_rows[:rows]
    ]


def _panel_referral(row: tuple[Any, ...]) -> PanelReferral:
    (pk, status, urgency, _role, _to, _agency, _unit, provider, created_at, respond_by,
     complete_by, number, given, family, birth_date, estimated, case_id) = row  # fmt: skip
    initials = Person(given_name=given, family_name=family).initials
    return PanelReferral(
        pk=pk,
        case_id=case_id,
        status=status,
        urgency=urgency,
        provider_name=provider,
        created_at=created_at,
        respond_by=respond_by,
        complete_by=complete_by,
        subject=Subject(number, initials, age_on(birth_date), bool(estimated)),
    )


@dataclass(frozen=True)
class Subject:
    """The minimum identification a receiver sees before accepting."""

    case_number: str
    initials: str
    age: int | None
    age_estimated: bool


def age_on(birth_date: date | None, today: date | None = None) -> int | None:
    if birth_date is None:
        return None
    today = today or timezone.localdate()
    return (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )


def subject_of(referral: Referral) -> Subject:
    person = referral.case.person
    return Subject(
        case_number=referral.case.number,
        initials=person.initials,
        age=age_on(person.birth_date),
        age_estimated=person.birth_date_estimated,
    )


def is_open(referral: Referral) -> bool:
    return referral.status in OPEN_STATUSES


# --- notifications -------------------------------------------------------------


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def latest_unread(user: User, rows: int) -> tuple[list[Notification], int]:
    """The newest ``rows`` unread notifications and how many are unread in all, in one
    query (the total as a window count on each row)."""
    unread: QuerySet[Any] = notifications_for(user).filter(read_at__isnull=True)
    latest = list(unread.annotate(unread_total=Window(Count("pk")))[:rows])
    return latest, (latest[0].unread_total if latest else 0)


def intervention_title(referral: Referral) -> str:
    """The plan intervention the referral carries out, if the plans app knows it."""
    if referral.intervention_id is None:
        return ""
    from tirek.plans.models import Intervention

    return str(
        Intervention.objects.filter(pk=referral.intervention_id)
        .values_list("title", flat=True)
        .first()
        or ""
    )
