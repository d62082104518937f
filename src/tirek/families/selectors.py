"""Reads of families, through the access policy.

A family is visible to whoever may see the FAMILY section of at least one member's case
(``policy.cases_with_section``); any other family is a 404, the same as a missing one,
and the attempt is audited. On the family page each member's case shows as the policy
decides for that person: a case the viewer may not open is "held by another team"."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from tirek.access import policy
from tirek.access.policy import Section
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.cases.models import Case, CaseStatus

from .models import (
    Family,
    FamilyConference,
    FamilyGoal,
    FamilyMember,
    FamilyPlan,
    FamilyPlanDecision,
    FamilyPlanVersion,
    FamilyTask,
)

if TYPE_CHECKING:
    from tirek.accounts.models import User

MAX_ID = 2**63 - 1


def visible_families(user: User) -> QuerySet[Family]:
    cases = policy.case_ids_with_section(user, Section.FAMILY)
    return Family.objects.filter(
        pk__in=FamilyMember.objects.filter(person__cases__in=cases).values("family_id")
    )


def get_family(user: User, pk: Any, *, request: HttpRequest | None = None) -> Family:
    """The family if the user may see it, else 404 (audited either way)."""
    try:
        family_id = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    if not 0 < family_id <= MAX_ID:
        raise Http404
    family = (
        visible_families(user)
        .select_related("household", "household__region")
        .filter(pk=family_id)
        .first()
    )
    if family is None:
        if getattr(user, "is_authenticated", False):
            record(
                actor=user,
                action=Action.DENIED,
                object_type="families.family",
                object_id=family_id,
                request=request,
                detail={"exists": Family.objects.filter(pk=family_id).exists()},
            )
        raise Http404
    record(
        actor=user,
        action=Action.READ,
        obj=family,
        request=request,
        detail={"section": Section.FAMILY},
    )
    return family


def member_cases(family: Family) -> list[Case]:
    return list(
        Case.objects.filter(person__family_memberships__family=family)
        .select_related("person", "supervising_unit")
        .order_by("person_id", "-opened_at")
    )


@dataclass
class MemberRow:
    member: FamilyMember
    visible: bool = False  # the viewer may open this person's record
    cases: list[tuple[Case, frozenset[str]]] = field(default_factory=list)
    other_cases: int = 0  # cases of this member held by another team

    @property
    def name(self) -> str:
        person = self.member.person
        return person.full_name if self.visible else person.initials


def member_rows(user: User, family: Family) -> list[MemberRow]:
    from tirek.people.selectors import visible_people

    members = list(family.members.select_related("person"))
    cases = member_cases(family)
    sections = policy.sections_for_many(user, cases)
    visible = set(
        visible_people(user)
        .filter(pk__in=[m.person_id for m in members])
        .values_list("pk", flat=True)
    )
    rows = []
    for member in members:
        row = MemberRow(member, visible=member.person_id in visible)
        for case in cases:
            if case.person_id != member.person_id:
                continue
            if sections.get(case.pk):
                row.cases.append((case, sections[case.pk]))
            else:
                row.other_cases += 1
        rows.append(row)
    return rows


def may_manage(user: User, family: Family, cases: list[Case] | None = None) -> bool:
    """Changes the family and its plan: a case manager on, or the supervisor of, a
    member's open case."""
    cases = member_cases(family) if cases is None else cases
    return any(c.status != CaseStatus.CLOSED and policy.can_manage(user, c) for c in cases)


def may_request_transfer(user: User, family: Family, cases: list[Case] | None = None) -> bool:
    """May ask another unit to take the family over (``/transfers/family/<id>/``): the
    case manager or supervisor of a member's open case, who may transfer that case
    (``policy.can_manage``)."""
    cases = member_cases(family) if cases is None else cases
    return any(c.status != CaseStatus.CLOSED and policy.can_manage(user, c) for c in cases)


def supervises(user: User, family: Family, cases: list[Case] | None = None) -> bool:
    cases = member_cases(family) if cases is None else cases
    return any(policy.is_supervisor_of(user, c) for c in cases)


def sees_plan(user: User, family: Family, cases: list[Case] | None = None) -> bool:
    """The whole family plan: whoever sees the PLAN section of a member's case. A
    community worker sees only the tasks assigned to them."""
    cases = member_cases(family) if cases is None else cases
    return any(Section.PLAN in s for s in policy.sections_for_many(user, cases).values())


def plan_of(family: Family) -> FamilyPlan | None:
    return FamilyPlan.objects.filter(family=family).first()


def goals_of(family: Family) -> QuerySet[FamilyGoal]:
    return (
        FamilyGoal.objects.filter(plan__family=family)
        .prefetch_related("linked_goals", "tasks__owner")
        .order_by("id")
    )


def tasks_for(user: User, family: Family, *, whole_plan: bool) -> QuerySet[FamilyTask]:
    tasks = FamilyTask.objects.filter(goal__plan__family=family).select_related("goal", "owner")
    return tasks if whole_plan else tasks.filter(owner=user)


def my_open_tasks(user: User) -> QuerySet[FamilyTask]:
    """Open family-plan tasks assigned to the user, in families they may still see."""
    return (
        FamilyTask.objects.filter(
            owner=user, done_at__isnull=True, goal__plan__family__in=visible_families(user)
        )
        .select_related("goal", "goal__plan__family")
        .order_by("due_date", "id")
    )


def conferences_of(family: Family) -> QuerySet[FamilyConference]:
    return FamilyConference.objects.filter(family=family).select_related("conference")


def plan_versions(family: Family) -> QuerySet[FamilyPlanVersion]:
    """The approved versions of the family plan, newest first."""
    return FamilyPlanVersion.objects.filter(plan__family=family).select_related(
        "approved_by", "submitted_by"
    )


def plan_decisions(family: Family) -> QuerySet[FamilyPlanDecision]:
    """The plan's approval history: submissions, approvals, returns, newest first."""
    return FamilyPlanDecision.objects.filter(plan__family=family).select_related("by")


def records_about_cases(case_ids: list[int]) -> dict[str, set[int]]:
    """The families of these cases' people, with their plans, goals and tasks, for the
    audit log's filter by case (a family's entries name its members' people, if anyone)."""
    people = Case.objects.filter(pk__in=case_ids).values("person_id")
    families = set(
        FamilyMember.objects.filter(person_id__in=people).values_list("family_id", flat=True)
    )
    plans = set(FamilyPlan.objects.filter(family_id__in=families).values_list("pk", flat=True))
    goals = set(FamilyGoal.objects.filter(plan_id__in=plans).values_list("pk", flat=True))
    tasks = set(FamilyTask.objects.filter(goal_id__in=goals).values_list("pk", flat=True))
    return {
        "families.family": families,
        "families.familyplan": plans,
        "families.familygoal": goals,
        "families.familytask": tasks,
    }
