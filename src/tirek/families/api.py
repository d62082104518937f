"""/api/v1/families: the families the user may see (paged) and one family as the family
page shows it — members with their cases as the policy decides per person, the plan's
goals (for whoever sees a member's plan) and the tasks the user may see. Errors are RFC
9457 problem details (the API's handlers): a family the user may not see is a 404."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Query, Router, Schema

from tirek.audit.services import record_list
from tirek.core.http import AuthenticatedHttpRequest
from tirek.core.paging import clamp_limit
from tirek.core.validation import RecordId

from . import selectors

router = Router(tags=["families"])


class Page(Schema):
    limit: int = Field(20, description="1..100; larger values are clamped, smaller raised to 1")
    offset: int = Field(0, ge=0, le=1_000_000_000)


class FamilyItem(Schema):
    id: int
    label: str
    members: int


class FamilyListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[FamilyItem]


class MemberCase(Schema):
    id: int
    number: str
    sections: list[str]


class MemberOut(Schema):
    role: str
    person_id: int
    name: str
    birth_year: int | None
    cases: list[MemberCase]
    cases_held_by_another_team: int


class TaskOut(Schema):
    id: int
    goal_id: int
    title: str
    owner_id: int
    due_date: date
    done_at: datetime | None


class GoalOut(Schema):
    id: int
    area: str
    title: str
    status: str
    target_date: date | None


class FamilyOut(Schema):
    id: int
    label: str
    guardianship: str
    household: str
    plan_status: str | None
    members: list[MemberOut]
    goals: list[GoalOut]
    tasks: list[TaskOut]


@router.get("", response=FamilyListOut)
def list_families(request: AuthenticatedHttpRequest, page: Query[Page]) -> FamilyListOut:
    limit = clamp_limit(page.limit)
    families = selectors.visible_families(request.user).order_by("-created_at", "-id")
    rows = list(families[page.offset : page.offset + limit])
    record_list(actor=request.user, object_type="families.family", rows=rows, request=request)
    return FamilyListOut(
        count=families.count(),
        limit=limit,
        offset=page.offset,
        items=[FamilyItem(id=f.pk, label=f.label, members=f.members.count()) for f in rows],
    )


@router.get("/{family_id}", response=FamilyOut)
def get_family(request: AuthenticatedHttpRequest, family_id: RecordId) -> FamilyOut:
    user = request.user
    family = selectors.get_family(user, family_id, request=request)
    cases = selectors.member_cases(family)
    whole_plan = selectors.may_manage(user, family, cases) or selectors.sees_plan(
        user, family, cases
    )
    plan = selectors.plan_of(family)
    return FamilyOut(
        id=family.pk,
        label=family.label,
        guardianship=family.guardianship,
        household=family.household.label if family.household else "",
        plan_status=plan.status if plan and whole_plan else None,
        members=[
            MemberOut(
                role=row.member.role,
                person_id=row.member.person_id,
                name=row.name,
                birth_year=row.member.person.birth_year,
                cases=[
                    MemberCase(id=c.pk, number=c.number, sections=sorted(s)) for c, s in row.cases
                ],
                cases_held_by_another_team=row.other_cases,
            )
            for row in selectors.member_rows(user, family)
        ],
        goals=[
            GoalOut(id=g.pk, area=g.area, title=g.title, status=g.status, target_date=g.target_date)
            for g in (selectors.goals_of(family) if whole_plan else [])
        ],
        tasks=[
            TaskOut(
                id=t.pk,
                goal_id=t.goal_id,
                title=t.title,
                owner_id=t.owner_id,
                due_date=t.due_date,
                done_at=t.done_at,
            )
            for t in selectors.tasks_for(user, family, whole_plan=whole_plan)
        ],
    )
