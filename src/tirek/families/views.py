"""Family screens: registration of a returning family, the family page with its plan,
and the "my work" panel of family-plan tasks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tirek.access import policy
from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.cases.panels import WorkPanel, WorkRow, work_row
from tirek.core.exceptions import Conflict, Refused
from tirek.core.forms import submit
from tirek.core.http import AuthenticatedHttpRequest
from tirek.core.ratelimit import RateLimited
from tirek.justice import selectors as justice_selectors
from tirek.people import selectors as people_selectors
from tirek.people import services as people_services
from tirek.plans.models import Goal, PlanStatus

from . import selectors, services
from .forms import (
    CommunityWorkerForm,
    ConferenceForm,
    DecisionForm,
    FamilyEditForm,
    FamilyRegisterForm,
    GoalForm,
    MemberAddForm,
    MemberFormSet,
    MemberRemoveForm,
    TaskForm,
)
from .models import Family, FamilyGoal, FamilyMember, FamilyTask

DUPLICATE_MESSAGE = (
    "A record that is probably the same person is on file. Choose: that record, or a "
    "different person and say why."
)


def _user_label(user: User) -> str:
    return user.get_full_name() or user.username


def _add_errors(form: Any, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


# --- registration ---------------------------------------------------------------------------


def _managers(user: User) -> list[tuple[str, str]]:
    found = [user] if user.has_role(Role.CASE_MANAGER) else []
    if user.unit_id:
        found += list(
            User.objects.filter(unit_id=user.unit_id, is_active=True, roles__role=Role.CASE_MANAGER)
            .exclude(pk=user.pk)
            .distinct()
            .order_by("last_name", "username")
        )
    return [(str(u.pk), _user_label(u)) for u in found]


def _decide(
    request: AuthenticatedHttpRequest, form: Any, member: services.NewMember
) -> list[dict[str, Any]] | None:
    """Run the duplicate check for one new member and apply the worker's decision.
    Returns the candidates to show when a decision is still needed, else None."""
    data = form.cleaned_data
    candidates = people_selectors.duplicate_check(request.user, member.identity(), request=request)
    probable = [c for c in candidates if c.probable]
    if not probable:
        return None
    rows = [
        {
            "candidate": c,
            "percent": round(c.score * 100),
            "unit": people_selectors.unit_label(c.person.registered_by_unit),
        }
        for c in probable
    ]
    decision = data.get("decision") or ""
    if decision.startswith("same:"):
        chosen = next((c for c in probable if f"same:{c.person.pk}" == decision), None)
        if chosen is None:
            form.add_error(None, _(DUPLICATE_MESSAGE))
            return rows
        if not chosen.visible:
            form.add_error(
                None,
                _("That record is held by another unit (%(unit)s): ask them, then register.")
                % {"unit": people_selectors.unit_label(chosen.person.registered_by_unit)},
            )
            return rows
        member.existing = chosen.person
        return None
    if decision != "different":
        form.add_error(None, _(DUPLICATE_MESSAGE))
        return rows
    if len((data.get("dismiss_reason") or "").strip()) < 5:
        form.add_error("dismiss_reason", _("Say why this is a different person."))
        return rows
    member.not_duplicate_of = [c.person.pk for c in probable]
    member.not_duplicate_reason = data["dismiss_reason"].strip()
    return None


@login_required
def register(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if not people_selectors.may_check_duplicates(user):
        raise PermissionDenied
    managers = _managers(user)
    post = request.POST if request.method == "POST" else None
    form = FamilyRegisterForm(post, managers=managers)
    formset = MemberFormSet(post, prefix="m")
    candidates: dict[int, list[dict[str, Any]]] = {}
    if post is not None and form.is_valid() & formset.is_valid():
        filled = [(i, f) for i, f in enumerate(formset.forms) if f.has_changed()]
        members = [
            services.NewMember(
                role=f.cleaned_data["role"],
                given_name=f.cleaned_data["given_name"],
                family_name=f.cleaned_data["family_name"],
                patronymic=f.cleaned_data["patronymic"],
                sex=f.cleaned_data["sex"],
                birth_date=f.cleaned_data["birth_date"],
                birth_date_estimated=f.cleaned_data["birth_date_estimated"],
            )
            for _i, f in filled
        ]
        problems = services.check_members(members)
        for index, message in problems.items():
            if index < 0:
                form.add_error(None, message)
            else:
                filled[index][1].add_error(None, message)
        try:
            if not problems:
                for (i, f), member in zip(filled, members, strict=True):
                    found = _decide(request, f, member)
                    if found:
                        candidates[i] = found
            if not problems and not candidates and not any(f.errors for _i, f in filled):
                manager = User.objects.get(pk=form.cleaned_data["case_manager"])
                family = services.family_register(
                    by=user,
                    label=form.cleaned_data["label"],
                    members=members,
                    case_manager=manager,
                    guardianship=form.cleaned_data["guardianship"],
                    request=request,
                )
                messages.success(
                    request, _("The family is registered, with a case for each member.")
                )
                return redirect("families:detail", pk=family.pk)
        except people_services.ProbableDuplicate:
            form.add_error(None, _(DUPLICATE_MESSAGE))
        except RateLimited:
            form.add_error(None, _("Too many checks in a minute: wait a little, then try again."))
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, ValidationError):
                _add_errors(form, exc)
            else:
                form.add_error(None, str(exc) or _("You may not do this."))
    rows = [(f, candidates.get(i, [])) for i, f in enumerate(formset.forms)]
    return render(
        request,
        "families/register.html",
        {"form": form, "formset": formset, "rows": rows},
        status=200,
    )


# --- the family page ------------------------------------------------------------------------


@login_required
def family_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not policy.works_on_cases(request.user):
        raise PermissionDenied
    families = list(selectors.visible_families(request.user).order_by("-created_at")[:200])
    return render(
        request,
        "families/list.html",
        {
            "families": families,
            "may_register": people_selectors.may_check_duplicates(request.user),
        },
    )


def _linkable_goals(user: User, cases: list[Any]) -> list[tuple[str, str]]:
    allowed = [c for c in cases if policy.can_see(user, c, policy.Section.PLAN)]
    numbers = {c.pk: c.number for c in allowed}
    goals = Goal.objects.filter(plan__case_id__in=list(numbers)).select_related("plan")
    return [(str(g.pk), f"{numbers[g.plan.case_id]}: {g.title}") for g in goals]


@login_required
@never_cache
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    family = selectors.get_family(request.user, pk, request=request)
    return _page(request, family)


def _page(request: HttpRequest, family: Family, **forms: Any) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # every caller is login_required
    cases = selectors.member_cases(family)
    manages = selectors.may_manage(user, family, cases)
    whole_plan = manages or selectors.sees_plan(user, family, cases)
    plan = selectors.plan_of(family)
    goals = list(selectors.goals_of(family)) if whole_plan else []
    plan_cases = {c.pk for c in cases if policy.can_see(user, c, policy.Section.PLAN)}
    linked = {
        g.pk: [lg for lg in g.linked_goals.all() if lg.plan.case_id in plan_cases] for g in goals
    }
    owners = services.task_owners(family) if manages else []
    context: dict[str, Any] = {
        "family": family,
        "rows": selectors.member_rows(user, family),
        "household_members": _household(family),
        "plan": plan,
        "goals": [(g, linked.get(g.pk, [])) for g in goals],
        "tasks": list(selectors.tasks_for(user, family, whole_plan=whole_plan)),
        "whole_plan": whole_plan,
        "manages": manages,
        "supervises": selectors.supervises(user, family, cases),
        "may_transfer": selectors.may_request_transfer(user, family, cases),
        "conferences": list(selectors.conferences_of(family)) if whole_plan else [],
        # The adults' livelihood and disengagement support feeds the family plan (issue 16):
        # of each adult, the kinds whose section the viewer sees (justice.selectors).
        "support": justice_selectors.support_for_family(user, cases, request=request),
        "decisions": list(selectors.plan_decisions(family)) if whole_plan else [],
        "versions": list(selectors.plan_versions(family)) if whole_plan else [],
        "may_submit": manages
        and plan is not None
        and plan.status in (PlanStatus.DRAFT, PlanStatus.RETURNED),
    }
    if manages:
        goal_choices = [(str(g.pk), g.title) for g in goals]
        owner_choices = [(str(u.pk), _user_label(u)) for u in owners]
        workers = User.objects.filter(is_active=True, roles__role=Role.COMMUNITY_WORKER).distinct()
        context["goal_form"] = forms.get("goal_form") or GoalForm(
            goals=_linkable_goals(user, cases)
        )
        context["task_form"] = forms.get("task_form") or TaskForm(
            goals=goal_choices, owners=owner_choices
        )
        context["conference_form"] = forms.get("conference_form") or ConferenceForm()
        context["worker_form"] = forms.get("worker_form") or CommunityWorkerForm(
            workers=[(str(u.pk), _user_label(u)) for u in workers]
        )
    if context["supervises"]:
        context["decision_form"] = forms.get("decision_form") or DecisionForm()
    return render(request, "families/detail.html", context)


def _household(family: Family) -> list[Any]:
    from tirek.people.models import HouseholdMember

    if family.household_id is None:
        return []
    return list(
        HouseholdMember.objects.filter(household_id=family.household_id, until__isnull=True)
        .select_related("person")
        .order_by("-is_head", "person__birth_date")
    )


FAILURES = (ValidationError, PermissionDenied, Refused)


def _explain(request: HttpRequest, exc: Exception) -> None:
    text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(request, text or _("You may not do this."))


def _on_form(form: BaseForm) -> Callable[[Exception], None]:
    """A service's refusal on one of the family page's forms (a ValidationError: the only
    failure their steps catch), above the form."""
    return lambda exc: _add_errors(form, cast(ValidationError, exc))


@login_required
@require_POST
def action(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    """The family page's forms: goal, task, submit, approve / return, community worker,
    a task done. A failure shows on the page and changes nothing."""
    user = request.user
    assert isinstance(user, User)
    family = selectors.get_family(user, pk, request=request)
    here = reverse("families:detail", args=[family.pk])
    cases = selectors.member_cases(family)
    try:
        if what == "goal":
            goal_form = GoalForm(request.POST, goals=_linkable_goals(user, cases))

            def add_goal() -> None:
                d = goal_form.cleaned_data
                services.goal_add(
                    by=user,
                    family=family,
                    area=d["area"],
                    title=d["title"],
                    target_date=d["target_date"],
                    linked_goal_ids=[int(x) for x in d["linked_goals"]],
                    request=request,
                )

            if not submit(request, goal_form, add_goal, explain=_on_form(goal_form)):
                return _page(request, family, goal_form=goal_form)
        elif what == "task":
            goals = [(str(g.pk), g.title) for g in selectors.goals_of(family)]
            owners = [(str(u.pk), _user_label(u)) for u in services.task_owners(family)]
            task_form = TaskForm(request.POST, goals=goals, owners=owners)

            def add_task() -> None:
                d = task_form.cleaned_data
                services.task_add(
                    by=user,
                    goal=FamilyGoal.objects.get(pk=d["goal"], plan__family=family),
                    title=d["title"],
                    owner=User.objects.get(pk=d["owner"]),
                    due_date=d["due_date"],
                    request=request,
                )

            if not submit(request, task_form, add_task, explain=_on_form(task_form)):
                return _page(request, family, task_form=task_form)
        elif what == "worker":
            workers = [
                (str(u.pk), "") for u in User.objects.filter(roles__role=Role.COMMUNITY_WORKER)
            ]
            worker_form = CommunityWorkerForm(request.POST, workers=workers)
            if not worker_form.is_valid():
                return _page(request, family, worker_form=worker_form)
            services.community_worker_add(
                by=user,
                family=family,
                user=User.objects.get(pk=worker_form.cleaned_data["user"]),
                request=request,
            )
        elif what == "conference":
            conference_form = ConferenceForm(request.POST)
            if not submit(
                request,
                conference_form,
                lambda: services.conference_for_family(
                    by=user,
                    family=family,
                    scheduled_at=conference_form.cleaned_data["scheduled_at"],
                    location=conference_form.cleaned_data["location"],
                    request=request,
                ),
                explain=_on_form(conference_form),
            ):
                return _page(request, family, conference_form=conference_form)
        elif what == "submit":
            services.plan_submit(by=user, family=family, request=request)
        elif what in ("approve", "return"):
            decision_form = DecisionForm(request.POST)
            if not submit(
                request,
                decision_form,
                lambda: services.plan_decide(
                    by=user,
                    family=family,
                    approve=what == "approve",
                    comment=decision_form.cleaned_data["comment"],
                    request=request,
                ),
                explain=_on_form(decision_form),
            ):
                return _page(request, family, decision_form=decision_form)
        elif what == "done":
            task = FamilyTask.objects.filter(
                pk=_int(request.POST.get("task")), goal__plan__family=family
            ).first()
            if task is None or not (
                task.owner_id == user.pk or selectors.may_manage(user, family, cases)
            ):
                raise Http404
            services.task_done(by=user, task=task, request=request)
        else:
            raise Http404
    except FAILURES as exc:
        _explain(request, exc)
    else:
        messages.success(request, _("Saved."))
    return redirect(here)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


# --- editing a family after registration ----------------------------------------------------


def _add_validation_errors(form: Any, exc: ValidationError) -> None:
    errors = getattr(exc, "message_dict", None) or {"__all__": exc.messages}
    for field, messages_ in errors.items():
        form.add_error(field if field in form.fields else None, messages_)


@login_required
@never_cache
def edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change a registered family: its details (label, household, guardianship, shared
    goals), add a relative already on file, take a member out. A 404 for a family the
    user may not see; only its case manager or supervisor changes it; a stale form (the
    family changed since it was opened) is refused with 409 and changes nothing."""
    user = request.user
    assert isinstance(user, User)
    family = selectors.get_family(user, pk, request=request)
    if not selectors.may_manage(user, family):
        raise PermissionDenied(_("Only a case manager or supervisor of the family changes it."))
    addable = {str(p.pk): p for p in services.addable_people(user, family)}
    people = [(key, p.full_name) for key, p in addable.items()]
    household = family.household
    details = FamilyEditForm(
        initial={
            "version": family.version,
            "label": family.label,
            "guardianship": family.guardianship,
            "shared_goals": family.shared_goals,
            "household_label": household.label if household else "",
            "household_locality": household.locality if household else "",
        }
    )
    add_form = MemberAddForm(initial={"version": family.version}, people=people)
    remove_form = MemberRemoveForm()
    status = 200
    if request.method == "POST":
        what = request.POST.get("form")
        bound: Any
        if what == "details":
            bound = details = FamilyEditForm(request.POST)
        elif what == "member-add":
            bound = add_form = MemberAddForm(request.POST, people=people)
        elif what == "member-remove":
            bound = remove_form = MemberRemoveForm(request.POST)
        else:
            raise Http404
        status = 400
        if bound.is_valid():
            d = bound.cleaned_data
            try:
                if what == "details":
                    services.family_update(by=user, family=family, request=request, **d)
                elif what == "member-add":
                    services.member_add(
                        by=user,
                        family=family,
                        version=d["version"],
                        person=addable[d["person"]],
                        role=d["role"],
                        request=request,
                    )
                else:
                    member = FamilyMember.objects.filter(pk=d["member"], family=family).first()
                    if member is None:
                        raise ValidationError(_("This person is not a member of the family."))
                    services.member_remove(
                        by=user, family=family, version=d["version"], member=member,
                        request=request,
                    )  # fmt: skip
            except Conflict as exc:
                bound.add_error(None, str(exc))
                status = 409
            except ValidationError as exc:
                _add_validation_errors(bound, exc)
            except (PermissionDenied, Refused) as exc:
                bound.add_error(None, str(exc) or _("You may not do this."))
            else:
                messages.success(request, _("Saved."))
                return redirect("families:edit", pk=family.pk)
    return render(
        request,
        "families/edit.html",
        {
            "family": family,
            "rows": selectors.member_rows(user, family),
            "details": details,
            "add_form": add_form,
            "remove_form": remove_form,
        },
        status=status,
    )


@login_required
@never_cache
def plan_version(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    """An approved version of the family plan, as it was agreed: for those who see the
    whole plan (a community worker sees only their own tasks, so no versions)."""
    user = request.user
    family = selectors.get_family(user, pk, request=request)
    if not (selectors.may_manage(user, family) or selectors.sees_plan(user, family)):
        raise Http404
    version = selectors.plan_versions(family).filter(number=number).first()
    if version is None:
        raise Http404
    from tirek.plans.models import GoalStatus

    from .models import GoalArea

    areas, statuses = dict(GoalArea.choices), dict(GoalStatus.choices)
    goals = [
        {
            **g,
            "area_label": areas.get(g.get("area"), g.get("area")),
            "status_label": statuses.get(g.get("status"), g.get("status")),
        }
        for g in version.snapshot.get("goals", [])
    ]
    return render(
        request,
        "families/plan_version.html",
        {"family": family, "version": version, "goals": goals},
    )


# --- shell plug-ins -------------------------------------------------------------------------


MY_WORK_TASKS = 20


def _my_task_rows(request: AuthenticatedHttpRequest) -> list[Any]:
    """Open family-plan tasks assigned to the user, read with the other "my work" rows."""
    from django.db.models import F

    if not policy.works_on_cases(request.user):
        return []
    tasks = selectors.my_open_tasks(request.user)
    return [
        work_row(
            tasks,
            "family_task",
            ref=F("goal__plan__family_id"),
            text=F("title"),
            day=F("due_date"),
            label=F("goal__plan__family__label"),
        )
    ]


def _my_tasks(request: AuthenticatedHttpRequest, rows: list[WorkRow]) -> dict[str, Any] | None:
    """Family-plan tasks assigned to the user (a community worker's whole work list)."""
    if not rows:
        return None
    soonest = sorted(rows, key=lambda r: (r[4], r[1]))[:MY_WORK_TASKS]  # due date, id
    return {
        "title": _("Family plan tasks"),
        "template": "families/panel_tasks.html",
        "tasks": [
            {"family_id": r[2], "title": r[3], "due_date": r[4], "family_label": r[7]}
            for r in soonest
        ],
    }


my_work_panel = WorkPanel(rows=_my_task_rows, build=_my_tasks, kinds=frozenset({"family_task"}))


def may_use_families(user: User) -> bool:
    return policy.works_on_cases(user)
