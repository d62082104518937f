"""Writes of families: registration of a returning family in one go, the family plan
(goals, tasks, approval), the community worker on the family's team, a conference held
for the family. Each is one transaction with its audit entries; a refusal writes nothing.

People, relationships and cases are made by their own apps' services (the same duplicate
check, the same case opening); team memberships through ``cases.services.team_member_add``
(which grants them in ``tirek.access``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tirek.access import policy
from tirek.access import selectors as access_selectors
from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.audit.models import Action
from tirek.audit.services import record, save_recorded
from tirek.cases import services as case_services
from tirek.cases.models import Case, CaseStatus
from tirek.core.exceptions import Refused
from tirek.core.versioning import update_versioned
from tirek.people import matching
from tirek.people import services as people_services
from tirek.people.models import Household, Person, Relationship, RelationshipKind
from tirek.plans.models import Decision, Goal, PlanStatus

from . import selectors
from .models import (
    ADULT_ROLES,
    Family,
    FamilyConference,
    FamilyGoal,
    FamilyMember,
    FamilyPlan,
    FamilyPlanDecision,
    FamilyPlanVersion,
    FamilyTask,
    GoalArea,
    MemberRole,
)

MAX_MEMBERS = 12
TOGETHER_REASON = "Registered together as members of one family."


@dataclass
class NewMember:
    """One member of a family being registered: a new person (with the decision about
    every probable match the duplicate check found), or a person already on file."""

    role: str
    given_name: str = ""
    family_name: str = ""
    patronymic: str = ""
    sex: str = "unknown"
    birth_date: date | None = None
    birth_date_estimated: bool = False
    existing: Person | None = None
    not_duplicate_of: list[int] = field(default_factory=list)
    not_duplicate_reason: str = ""

    def identity(self) -> matching.Identity:
        return matching.Identity(
            given=(self.given_name,),
            family=(self.family_name,),
            patronymic=(self.patronymic,) if self.patronymic else (),
            birth=matching.Birth(self.birth_date, "day", self.birth_date_estimated),
            sex="" if self.sex == "unknown" else self.sex,
        )

    def key(self) -> tuple[Any, ...]:
        if self.existing is not None:
            return ("person", self.existing.pk)
        return (
            " ".join(self.family_name.casefold().split()),
            " ".join(self.given_name.casefold().split()),
            self.birth_date,
        )


def check_members(members: list[NewMember]) -> dict[int, str]:
    """What is wrong with the list of members as a whole: {index: message}, -1 for the
    form. No members, the same person twice, a child older than a parent."""
    problems: dict[int, str] = {}
    if not members:
        return {-1: _("Add at least one member of the family.")}
    if len(members) > MAX_MEMBERS:
        return {-1: _("A family is registered with at most %(n)d members.") % {"n": MAX_MEMBERS}}
    seen: dict[tuple[Any, ...], int] = {}
    for index, member in enumerate(members):
        key = member.key()
        if key in seen:
            problems[index] = _("This is the same person as member %(n)d.") % {"n": seen[key] + 1}
        else:
            seen[key] = index
    adults = [m for m in members if m.role in ADULT_ROLES]
    for index, member in enumerate(members):
        if member.role != MemberRole.CHILD:
            continue
        born = member.existing.birth_date if member.existing else member.birth_date
        for adult in adults:
            adult_born = adult.existing.birth_date if adult.existing else adult.birth_date
            if born and adult_born and born <= adult_born:
                problems.setdefault(
                    index,
                    _("A child cannot be born before their %(role)s.")
                    % {"role": str(MemberRole(adult.role).label).lower()},
                )
    return problems


def _relationship_kind(child_role: str, other_role: str) -> str | None:
    """How ``other`` is related to a child of the family (None: not recorded here)."""
    kinds: dict[str, str] = {
        MemberRole.MOTHER: RelationshipKind.MOTHER,
        MemberRole.FATHER: RelationshipKind.FATHER,
        MemberRole.CHILD: RelationshipKind.SIBLING,
        MemberRole.GRANDPARENT: RelationshipKind.GRANDPARENT,
        MemberRole.RELATIVE: RelationshipKind.OTHER_RELATIVE,
        MemberRole.CARER: RelationshipKind.OTHER_RELATIVE,
    }
    return kinds.get(other_role)


def _register_person(
    by: User, member: NewMember, made: list[Person], request: HttpRequest | None
) -> Person:
    fields = {
        "given_name": member.given_name,
        "family_name": member.family_name,
        "patronymic": member.patronymic,
        "sex": member.sex,
        "birth_date": member.birth_date,
        "birth_date_estimated": member.birth_date_estimated,
    }
    try:
        return people_services.person_register(
            by=by,
            identity=member.identity(),
            not_duplicate_of=member.not_duplicate_of,
            not_duplicate_reason=member.not_duplicate_reason,
            request=request,
            **fields,
        )
    except people_services.ProbableDuplicate as exc:
        # A sibling registered a moment ago in this same family (twins): not a duplicate.
        made_ids = {p.pk for p in made}
        decided = set(member.not_duplicate_of)
        if not all(c.person.pk in made_ids | decided for c in exc.candidates):
            raise
        return people_services.person_register(
            by=by,
            identity=member.identity(),
            not_duplicate_of=[*decided, *made_ids],
            not_duplicate_reason=member.not_duplicate_reason or TOGETHER_REASON,
            request=request,
            **fields,
        )


@transaction.atomic
def family_register(
    *,
    by: User,
    label: str,
    members: list[NewMember],
    case_manager: User | None = None,
    guardianship: str = "",
    request: HttpRequest | None = None,
) -> Family:
    """Register a returning family in one go: every member behind the duplicate check,
    the relationships between them, one case per member (the same case manager), and the
    family. All or nothing: any refusal (a probable duplicate without a decision, bad
    input) raises and nothing is written."""
    problems = check_members(members)
    if problems:
        raise ValidationError({"members": list(problems.values())})
    people: list[Person] = []
    for member in members:
        if member.existing is not None:
            if not selectors_visible(by, member.existing):
                raise ValidationError({"members": [_("No such person.")]})
            people.append(member.existing)
        else:
            people.append(_register_person(by, member, people, request))
    for i, (member, person) in enumerate(zip(members, people, strict=True)):
        if member.role != MemberRole.CHILD:
            continue
        for j, (other, relative) in enumerate(zip(members, people, strict=True)):
            kind = _relationship_kind(member.role, other.role)
            if i == j or kind is None:
                continue
            if kind == RelationshipKind.SIBLING and j < i:
                continue  # one row per pair of siblings
            people_services.relationship_create(
                by=by, person=person, relative=relative, kind=kind, request=request
            )
    for person in people:
        if not Case.objects.filter(person=person).exclude(status=CaseStatus.CLOSED).exists():
            case_services.case_open(
                by=by, person=person, case_manager=case_manager, request=request
            )
    family = Family(label=label.strip(), guardianship=guardianship.strip(), created_by=by)
    family.full_clean()
    family.save()
    for position, (member, person) in enumerate(zip(members, people, strict=True)):
        FamilyMember.objects.create(
            family=family, person=person, role=member.role, position=position
        )
    FamilyPlan.objects.create(family=family)
    record(
        actor=by,
        action=Action.CREATE,
        obj=family,
        request=request,
        detail={"members": [p.pk for p in people], "registered": True},
    )
    return family


def selectors_visible(user: User, person: Person) -> bool:
    from tirek.people.selectors import visible_people

    return visible_people(user).filter(pk=person.pk).exists()


# --- the family plan ------------------------------------------------------------------------


def _managed(by: User, family: Family) -> list[Case]:
    cases = selectors.member_cases(family)
    if not selectors.may_manage(by, family, cases):
        raise PermissionDenied(_("Only a case manager or supervisor of the family changes it."))
    return cases


def _plan_for_edit(family: Family) -> FamilyPlan:
    plan, _created = FamilyPlan.objects.select_for_update().get_or_create(family=family)
    if plan.status == PlanStatus.SUBMITTED:
        raise Refused(_("The family plan waits for approval: it cannot change now."))
    if plan.status == PlanStatus.APPROVED:  # editing an approved plan starts a revision
        plan.status = PlanStatus.DRAFT
    plan.version += 1
    plan.save()
    return plan


def _check_date(value: date | None, name: str) -> None:
    if value is not None and not date(2000, 1, 1) <= value <= date(2100, 12, 31):
        raise ValidationError({name: _("Enter a date between 2000 and 2100.")})


@transaction.atomic
def goal_add(
    *,
    by: User,
    family: Family,
    area: str,
    title: str,
    target_date: date | None = None,
    linked_goal_ids: list[int] | None = None,
    request: HttpRequest | None = None,
) -> FamilyGoal:
    """A goal of the family, linked to goals of members' individual plans the author
    may see (the PLAN section of that member's case)."""
    cases = _managed(by, family)
    if area not in GoalArea.values:
        raise ValidationError({"area": _("Choose the area.")})
    _check_date(target_date, "target_date")
    allowed = [c.pk for c in cases if policy.can_see(by, c, policy.Section.PLAN)]
    ids = sorted(set(linked_goal_ids or []))
    linked = list(Goal.objects.filter(pk__in=ids, plan__case_id__in=allowed))
    if len(linked) != len(ids):
        raise ValidationError({"linked_goals": _("Choose goals of the members' plans.")})
    plan = _plan_for_edit(family)
    goal = FamilyGoal(plan=plan, area=area, title=(title or "").strip(), target_date=target_date)
    goal.full_clean()
    goal.save()
    goal.linked_goals.set(linked)
    record(
        actor=by,
        action=Action.CREATE,
        obj=goal,
        request=request,
        detail={"family": family.pk, "area": area, "linked": [g.pk for g in linked]},
    )
    return goal


def task_owners(family: Family) -> list[User]:
    """Who may own a task of the family plan: anyone on a member's case team."""
    cases = [c for c in selectors.member_cases(family) if c.status != CaseStatus.CLOSED]
    users: dict[int, User] = {}
    for case in cases:
        for member in access_selectors.active_team(case).select_related("user"):
            users.setdefault(member.user_id, member.user)
    return sorted(users.values(), key=lambda u: u.get_full_name() or u.username)


@transaction.atomic
def task_add(
    *,
    by: User,
    goal: FamilyGoal,
    title: str,
    owner: User,
    due_date: date,
    request: HttpRequest | None = None,
) -> FamilyTask:
    family = goal.plan.family
    _managed(by, family)
    if owner.pk not in {u.pk for u in task_owners(family)}:
        raise ValidationError({"owner": _("The owner must be on the team of a member's case.")})
    _check_date(due_date, "due_date")
    if due_date < timezone.localdate():
        raise ValidationError({"due_date": _("The due date cannot be in the past.")})
    _plan_for_edit(family)
    task = FamilyTask(
        goal=goal, title=(title or "").strip(), owner=owner, due_date=due_date, created_by=by
    )
    return save_recorded(
        task,
        actor=by,
        request=request,
        detail={"family": family.pk, "goal": goal.pk, "owner": owner.pk},
    )


@transaction.atomic
def task_done(*, by: User, task: FamilyTask, request: HttpRequest | None = None) -> None:
    """The owner (or the family's case manager) marks a task done."""
    family = task.goal.plan.family
    if task.owner_id != by.pk and not selectors.may_manage(by, family):
        raise PermissionDenied(_("Only the task's owner or the case manager marks it done."))
    if FamilyTask.objects.filter(pk=task.pk, done_at__isnull=True).update(done_at=timezone.now()):
        record(actor=by, action=Action.UPDATE, obj=task, request=request, detail={"done": True})


@transaction.atomic
def plan_submit(*, by: User, family: Family, request: HttpRequest | None = None) -> FamilyPlan:
    cases = selectors.member_cases(family)
    if not any(m.role == Role.CASE_MANAGER for c in cases for m in policy.team_roles(by, c)):
        raise PermissionDenied(_("A case manager of the family submits the family plan."))
    plan = FamilyPlan.objects.select_for_update().get(family=family)
    if plan.status not in (PlanStatus.DRAFT, PlanStatus.RETURNED):
        raise Refused(_("Only a draft or returned plan can be submitted."))
    if not plan.goals.exists():
        raise Refused(_("Add at least one goal before submitting the family plan."))
    plan.status = PlanStatus.SUBMITTED
    plan.submitted_by = by
    plan.submitted_at = timezone.now()
    plan.version += 1
    plan.save()
    FamilyPlanDecision.objects.create(
        plan=plan, decision=Decision.SUBMITTED, by=by, at=plan.submitted_at
    )
    record(
        actor=by, action=Action.UPDATE, obj=plan, request=request, detail={"decision": "submitted"}
    )
    return plan


@transaction.atomic
def plan_decide(
    *,
    by: User,
    family: Family,
    approve: bool,
    comment: str = "",
    request: HttpRequest | None = None,
) -> FamilyPlan:
    """A supervisor of a member case's unit approves or returns the submitted plan; never
    the person who submitted it."""
    if not selectors.supervises(by, family):
        raise PermissionDenied(
            _("Only a supervisor of the family's unit approves or returns a plan.")
        )
    plan = FamilyPlan.objects.select_for_update().get(family=family)
    if plan.status != PlanStatus.SUBMITTED:
        raise Refused(_("The plan is not waiting for approval."))
    if approve and plan.submitted_by_id == by.pk:
        raise Refused(_("A plan is approved by someone other than the person who submitted it."))
    comment = (comment or "").strip()
    if not approve and len(comment) < 5:
        raise ValidationError({"comment": _("Say what should change.")})
    now = timezone.now()
    plan.status = PlanStatus.APPROVED if approve else PlanStatus.RETURNED
    plan.comment = comment
    number = None
    if approve:
        plan.approved_by = by
        plan.approved_at = now
    plan.version += 1
    plan.full_clean()
    plan.save()
    if approve:
        # Frozen as an individual plan's approval is (plans.PlanVersion): numbered from 1.
        number = (
            plan.versions.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
        FamilyPlanVersion.objects.create(
            plan=plan,
            number=number,
            snapshot=snapshot(family),
            submitted_by_id=plan.submitted_by_id,
            submitted_at=plan.submitted_at,
            approved_by=by,
            approved_at=now,
            comment=comment,
        )
    FamilyPlanDecision.objects.create(
        plan=plan,
        decision=Decision.APPROVED if approve else Decision.RETURNED,
        by=by,
        at=now,
        comment=comment,
        version_number=number,
    )
    detail: dict[str, Any] = {"decision": "approved" if approve else "returned"}
    if number is not None:
        detail["version"] = number
    record(actor=by, action=Action.UPDATE, obj=plan, request=request, detail=detail)
    return plan


def snapshot(family: Family) -> dict[str, Any]:
    """The family plan's content as JSON: what an approval freezes and a version shows
    (goals, the members' goals they link to, tasks with their owners)."""

    def person(user: User | None) -> str:
        return (user.get_full_name() or user.username) if user else ""

    return {
        "goals": [
            {
                "id": g.pk,
                "area": g.area,
                "title": g.title,
                "target_date": g.target_date.isoformat() if g.target_date else None,
                "status": g.status,
                "linked_goals": sorted(lg.pk for lg in g.linked_goals.all()),
                "tasks": [
                    {
                        "id": t.pk,
                        "title": t.title,
                        "owner_id": t.owner_id,
                        "owner": person(t.owner),
                        "due_date": t.due_date.isoformat(),
                        "done": t.done_at is not None,
                    }
                    for t in g.tasks.all()
                ],
            }
            for g in selectors.goals_of(family)
        ]
    }


# --- the community worker -------------------------------------------------------------------


@transaction.atomic
def community_worker_add(
    *, by: User, family: Family, user: User, request: HttpRequest | None = None
) -> int:
    """Put a community worker on the team of every open member case the case manager
    manages (through the cases app, which grants it in ``tirek.access``); returns how
    many memberships were added."""
    cases = [c for c in _managed(by, family) if c.status != CaseStatus.CLOSED]
    if not user.is_active or not user.has_role(Role.COMMUNITY_WORKER):
        raise ValidationError({"user": _("This person is not a community worker.")})
    added = 0
    for case in cases:
        if not policy.can_manage(by, case):
            continue
        if access_selectors.has_membership(case, user, [Role.COMMUNITY_WORKER]):
            continue
        case_services.team_member_add(
            by=by, case=case, user=user, role=Role.COMMUNITY_WORKER, request=request
        )
        added += 1
    record(
        actor=by,
        action=Action.PERMISSION_CHANGE,
        obj=family,
        request=request,
        detail={"community_worker": user.pk, "cases": added},
    )
    return added


# --- a conference for the family ------------------------------------------------------------


@transaction.atomic
def conference_for_family(
    *,
    by: User,
    family: Family,
    scheduled_at: Any,
    location: str = "",
    request: HttpRequest | None = None,
) -> FamilyConference:
    """Hold a case conference for the family: one conference on the open member cases
    the user manages (``tirek.conferences``), named for the family."""
    from tirek.conferences.services import conference_schedule

    cases = [
        c
        for c in _managed(by, family)
        if c.status != CaseStatus.CLOSED and policy.can_manage(by, c)
    ]
    conference = conference_schedule(
        by=by, cases=cases, scheduled_at=scheduled_at, location=location, request=request
    )
    return conference_link(by=by, family=family, conference=conference, request=request)


@transaction.atomic
def conference_link(
    *, by: User, family: Family, conference: Any, request: HttpRequest | None = None
) -> FamilyConference:
    """Name the family on a case conference that discusses a member's case."""
    cases = _managed(by, family)
    if not conference.cases.filter(pk__in=[c.pk for c in cases]).exists():
        raise ValidationError({"conference": _("The conference discusses no member's case.")})
    link, _created = FamilyConference.objects.get_or_create(
        conference=conference, defaults={"family": family}
    )
    if link.family_id != family.pk:
        raise ValidationError({"conference": _("The conference is held for another family.")})
    record(
        actor=by,
        action=Action.UPDATE,
        obj=family,
        request=request,
        detail={"conference": conference.pk},
    )
    return link


# --- editing a family after registration ----------------------------------------------------

CONFLICT = "Someone else changed this family since you opened it: reload the page and try again."


def _family_version(family: Family, version: int) -> None:
    """Claim the family at the version the user read (bumping it), else Conflict."""
    update_versioned(Family, family.pk, version, _(CONFLICT))


@transaction.atomic
def family_update(
    *,
    by: User,
    family: Family,
    version: int,
    label: str,
    guardianship: str = "",
    shared_goals: str = "",
    household_label: str = "",
    household_locality: str = "",
    request: HttpRequest | None = None,
) -> Family:
    """Change the family's label, household, guardianship arrangements and shared goals.
    Only a case manager or supervisor of the family; a stale form (someone saved since)
    is a Conflict and writes nothing."""
    _managed(by, family)
    changed = Family(
        pk=family.pk,
        label=(label or "").strip(),
        guardianship=(guardianship or "").strip(),
        shared_goals=(shared_goals or "").strip(),
        household_id=family.household_id,
        created_by_id=family.created_by_id,
        created_at=family.created_at,
    )
    changed.full_clean(exclude=["household", "created_by"], validate_unique=False)
    household_label = (household_label or "").strip()
    household_locality = (household_locality or "").strip()
    current = (
        Household.objects.filter(pk=family.household_id).first()
        if family.household_id is not None
        else None
    )
    if not household_label and (household_locality or current is not None):
        raise ValidationError({"household_label": _("Name the household.")})
    fields = ("label", "guardianship", "shared_goals")
    before = {f: getattr(family, f) for f in fields}
    after = {f: getattr(changed, f) for f in fields}
    _family_version(family, version)
    Family.objects.filter(pk=family.pk).update(**after)
    household_changed = False
    if current is None and household_label:
        current = Household(label=household_label, locality=household_locality, created_by=by)
        current.full_clean()
        current.save()
        Family.objects.filter(pk=family.pk).update(household=current)
        household_changed = True
    elif current is not None and (current.label, current.locality) != (
        household_label,
        household_locality,
    ):
        current.label, current.locality = household_label, household_locality
        current.full_clean()
        current.save(update_fields=["label", "locality"])
        household_changed = True
    record(
        actor=by,
        action=Action.UPDATE,
        obj=family,
        request=request,
        detail={
            "changed": sorted(f for f in fields if before[f] != after[f]),
            "household": household_changed,
        },
    )
    family.refresh_from_db()
    return family


def addable_people(by: User, family: Family) -> list[Person]:
    """Who may be added to the family: people the user may open who are related to a
    member (``people.Relationship``, either way) or live in the family's household, and
    are not members yet."""
    from tirek.people.models import HouseholdMember
    from tirek.people.selectors import visible_people

    members = list(family.members.values_list("person_id", flat=True))
    related = set(
        Relationship.objects.filter(person_id__in=members).values_list("relative_id", flat=True)
    ) | set(
        Relationship.objects.filter(relative_id__in=members).values_list("person_id", flat=True)
    )
    if family.household_id:
        related |= set(
            HouseholdMember.objects.filter(
                household_id=family.household_id, until__isnull=True
            ).values_list("person_id", flat=True)
        )
    related -= set(members)
    return list(
        visible_people(by).filter(pk__in=related).order_by("family_name", "given_name", "pk")
    )


def _as_new_member(member: FamilyMember | NewMember) -> NewMember:
    if isinstance(member, NewMember):
        return member
    return NewMember(role=member.role, existing=member.person)


@transaction.atomic
def member_add(
    *,
    by: User,
    family: Family,
    version: int,
    person: Person,
    role: str,
    request: HttpRequest | None = None,
) -> FamilyMember:
    """Add a person already on file (one the user may open) to the family, in ``role``,
    with the relationships to the children recorded as at registration."""
    _managed(by, family)
    if role not in MemberRole.values:
        raise ValidationError({"role": _("Choose the place in the family.")})
    if not selectors_visible(by, person):
        raise ValidationError({"person": [_("No such person.")]})
    current = list(family.members.select_related("person").order_by("position", "id"))
    if any(m.person_id == person.pk for m in current):
        raise ValidationError({"person": [_("This person is already a member of the family.")]})
    new = NewMember(role=role, existing=person)
    problems = check_members([*map(_as_new_member, current), new])
    if problems:
        raise ValidationError({"person": list(problems.values())})
    _family_version(family, version)
    added = FamilyMember.objects.create(
        family=family,
        person=person,
        role=role,
        position=max((m.position for m in current), default=-1) + 1,
    )
    made = _relate(by, [*current, added], added, request)
    record(
        actor=by,
        action=Action.UPDATE,
        obj=family,
        request=request,
        detail={"member_added": person.pk, "role": role, "relationships": made},
    )
    return added


def _relate(
    by: User, members: list[FamilyMember], added: FamilyMember, request: HttpRequest | None
) -> int:
    """The relationships between ``added`` and the children of the family (as at
    registration: a child's mother, father, grandparent, siblings...), those not
    recorded yet; returns how many were recorded."""
    pairs: list[tuple[Person, Person, str]] = []
    for other in members:
        if other.pk == added.pk:
            continue
        if added.role == MemberRole.CHILD:
            kind = _relationship_kind(added.role, other.role)
            if kind is not None:
                pairs.append((added.person, other.person, kind))
        elif other.role == MemberRole.CHILD:
            kind = _relationship_kind(other.role, added.role)
            if kind is not None:
                pairs.append((other.person, added.person, kind))
    made = 0
    for person, relative, kind in pairs:
        exists = Relationship.objects.filter(person=person, relative=relative).exists() or (
            kind == RelationshipKind.SIBLING
            and Relationship.objects.filter(person=relative, relative=person).exists()
        )
        if exists:
            continue
        people_services.relationship_create(
            by=by, person=person, relative=relative, kind=kind, request=request
        )
        made += 1
    return made


@transaction.atomic
def member_remove(
    *,
    by: User,
    family: Family,
    version: int,
    member: FamilyMember,
    request: HttpRequest | None = None,
) -> None:
    """Take a person out of the family (they moved away, were wrongly added). Their
    person record, case and recorded relationships stay: those are facts about people,
    kept by their own apps. The last member is never removed."""
    _managed(by, family)
    if member.family_id != family.pk:
        raise ValidationError({"member": [_("This person is not a member of the family.")]})
    if family.members.count() <= 1:
        raise Refused(_("A family keeps at least one member."))
    _family_version(family, version)
    FamilyMember.objects.filter(pk=member.pk).delete()
    record(
        actor=by,
        action=Action.UPDATE,
        obj=family,
        request=request,
        detail={"member_removed": member.person_id, "role": member.role},
    )
