"""Consent screens, emergency access, and the DPO's review of emergency accesses."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tirek.access import policy
from tirek.access import selectors as access_selectors
from tirek.accounts.decorators import role_required
from tirek.accounts.roles import Role
from tirek.audit.models import Action
from tirek.audit.selectors import CASE_TYPE
from tirek.audit.services import record, shown
from tirek.cases.panels import WorkPanel, WorkRow, row_initials, work_row
from tirek.core.exceptions import Refused
from tirek.core.forms import add_errors, step_done, submit, submit_versioned
from tirek.core.http import AuthenticatedHttpRequest
from tirek.core.ratelimit import RateLimited

from . import selectors, services
from .forms import (
    ConsentForm,
    EmergencyAccessForm,
    EmergencyExtensionForm,
    ReviewForm,
    WithdrawForm,
)
from .models import Consent, EmergencyAccess, Purpose

if TYPE_CHECKING:
    from tirek.accounts.models import User


def _back(request: HttpRequest, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return fallback


# --- consent ------------------------------------------------------------------------------


def _consent(request: AuthenticatedHttpRequest, pk: int) -> Consent:
    try:
        consent = Consent.objects.select_related("person").get(pk=pk)
    except Consent.DoesNotExist as exc:
        raise Http404 from exc
    if not services.can_read_consents(request.user, consent.person):
        raise Http404
    return consent


@login_required
def consent_new(request: AuthenticatedHttpRequest, person_id: int) -> HttpResponse:
    person = services.person_for_consent(request.user, person_id)
    if not services.can_record_consent(request.user, person):
        raise PermissionDenied
    back = _back(request)
    status = 200
    form = ConsentForm(request.POST or None)
    if request.method == "POST":

        def save() -> None:
            data = form.cleaned_data
            services.consent_record(
                by=request.user,
                person=person,
                purposes=data["purposes"],
                given_by=data["given_by"],
                kind=data["kind"],
                giver_name=data["giver_name"],
                recipients=list(data["recipients"]),
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                override_reason=data["override_reason"],
                request=request,
            )

        if submit(request, form, save, _("The consent has been recorded.")):
            return redirect(back)
        status = 422
    status_now = selectors.consent_status(person)
    # The form shows the person and every consent on record.
    record(
        actor=request.user,
        action=Action.READ,
        obj=person,
        request=request,
        detail={"consent_form": True},
    )
    return render(
        request,
        "privacy/consent_form.html",
        {"person": person, "form": form, "status": status_now, "next": back},
        status=status,
    )


@login_required
@require_POST
def consent_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    consent = _consent(request, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(_back(request))
    done = _("The consent has been withdrawn. It no longer applies.")
    return _consent_step(
        request, services.consent_withdraw, done, consent=consent, note=form.cleaned_data["note"]
    )


@login_required
@require_POST
def consent_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    consent = _consent(request, pk)
    done = _("The override has been approved.")
    return _consent_step(request, services.consent_override_approve, done, consent=consent)


def _consent_step(
    request: HttpRequest, step: Callable[..., object], done: str, **kwargs: Any
) -> HttpResponse:
    """A change of a consent: its refusal, or ``done``, comes back as a message."""
    step_done(
        request,
        lambda: step(by=request.user, request=request, **kwargs),
        done,
        failures=(ValidationError, Refused),
    )
    return redirect(_back(request))


def consent_panel(
    request: AuthenticatedHttpRequest, case: Any, sections: frozenset[str]
) -> dict[str, Any] | None:
    """The consent panel on the case page (core section: the whole team needs to know
    what the family agreed to)."""
    if policy.Section.CORE not in sections:
        return None
    status = selectors.consent_status(case.person)
    user = request.user
    return {
        "title": _("Consent"),
        "template": "privacy/panel_consent.html",
        "status": status,
        "person": case.person,
        "case": case,
        "can_record": services.can_record_consent(user, case.person, case),
        "can_approve": policy.is_supervisor_of(user, case),
    }


CONSENT_TIMELINE_LIMIT = 100


def consent_timeline(case: Any, user: User) -> list[Any]:
    from tirek.cases.timeline import TimelineItem

    from .models import Consent

    items = []
    consents = list(
        Consent.objects.filter(person_id=case.person_id).select_related(
            "recorded_by", "withdrawn_by"
        )[:CONSENT_TIMELINE_LIMIT]
    )
    memo = getattr(case, "page_memo", None)
    if memo is not None and len(consents) < CONSENT_TIMELINE_LIMIT:
        # Every consent of the person: the page header's consent alert reuses them.
        memo["privacy.consents"] = consents
    for c in consents:
        items.append(
            TimelineItem(
                at=c.recorded_at,
                title=_("Consent recorded")
                if c.kind == "consent"
                else _("Child's assent recorded"),
                detail=f"{c.get_purpose_display()} — {c.get_given_by_display()}",
                actor=c.recorded_by.get_full_name() or c.recorded_by.username,
                kind="consent",
            )
        )
        if c.withdrawn_at:
            who = c.withdrawn_by
            items.append(
                TimelineItem(
                    at=c.withdrawn_at,
                    title=_("Consent withdrawn"),
                    detail=str(c.get_purpose_display()),
                    actor=(who.get_full_name() or who.username) if who else "",
                    kind="consent",
                )
            )
    return items


# --- emergency access ----------------------------------------------------------------------


@login_required
def emergency_open(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not policy.may_break_glass(request.user):
        raise PermissionDenied
    form = EmergencyAccessForm(
        request.POST or None, initial={"case_number": request.GET.get("number", "")[:32]}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                access = services.emergency_access_open(
                    by=request.user,
                    case_number=form.cleaned_data["case_number"],
                    justification=form.cleaned_data["justification"],
                    request=request,
                )
            except Http404:
                # The same answer for a missing case and one outside the user's scope.
                form.add_error(
                    "case_number",
                    _(
                        "There is no case with this number that you may open in an emergency. "
                        "Outside your region and agency, a supervisor of the case's unit must "
                        "first extend emergency access to you."
                    ),
                )
            except Refused as exc:
                form.add_error("case_number", str(exc))
            except RateLimited:
                form.add_error(
                    None, _("Too many emergency accesses today. Call the data protection officer.")
                )
                status = 429
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.warning(
                    request,
                    _(
                        "Emergency access is open. Everything you read is recorded and will be reviewed."
                    ),
                )
                return redirect("cases:detail", pk=access.case_id)
        if status == 200:
            status = 422
    return render(request, "privacy/emergency_open.html", {"form": form}, status=status)


@role_required(Role.DPO)
def review_list(request: HttpRequest) -> HttpResponse:
    pending = list(selectors.emergency_accesses_to_review()[:200])
    done = Paginator(selectors.emergency_accesses_reviewed(), 25).get_page(request.GET.get("page"))
    record(
        actor=request.user,
        action=Action.READ,
        object_type="privacy.emergency_reviews",
        request=request,
    )
    return render(
        request, "privacy/review_list.html", {"pending": pending, "page": done, "query": ""}
    )


@role_required(Role.DPO)
def review_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        access = access_selectors.emergency_access(pk)
    except EmergencyAccess.DoesNotExist as exc:
        raise Http404 from exc
    form = ReviewForm(request.POST or None, initial={"version": access.version})
    status = 200
    if request.method == "POST":
        refused = submit_versioned(
            request,
            form,
            lambda: services.emergency_access_review(
                by=request.user,
                access=access,
                version=form.cleaned_data["version"],
                outcome=form.cleaned_data["outcome"],
                comment=form.cleaned_data["comment"],
                request=request,
            ),
            _("The review has been saved."),
        )
        if refused is None:
            return redirect("privacy:review_list")
        status = refused
    reads = list(selectors.reads_during(access)[:200])
    record(actor=request.user, action=Action.READ, obj=access, request=request)
    return render(
        request,
        "privacy/review_detail.html",
        {"access": access, "reads": reads, "form": form},
        status=status,
    )


def dpo_panel(request: AuthenticatedHttpRequest) -> dict[str, Any] | None:
    if not selectors.is_dpo(request.user):
        return None
    pending = selectors.emergency_accesses_to_review()
    latest = list(pending[:5])
    shown(request, CASE_TYPE, [item.case_id for item in latest])
    return {
        "title": _("Emergency accesses to review"),
        "template": "privacy/panel_dpo.html",
        "count": pending.count(),
        "latest": latest,
    }


def _override_rows(request: AuthenticatedHttpRequest) -> list[Any]:
    """Consent overrides waiting for the supervisor's approval (the supervisor did not
    record them), read with the other "my work" rows in one query, with what the panel
    shows: the child's names, the purpose, the reason and the unit's case of the child."""
    from django.db.models import F, OuterRef, Subquery

    user = request.user
    # Whom the user supervises is the policy's answer (nobody, for a system administrator
    # who also holds the supervisor role: the reason of an override is case data).
    if access_selectors.supervised_unit_id(user) is None:
        return []
    supervised = access_selectors.supervised_cases(user)
    waiting = Consent.objects.filter(
        is_override=True,
        override_approved_at__isnull=True,
        withdrawn_at__isnull=True,
        person__in=supervised.values("person_id"),
    ).exclude(recorded_by=user)
    childs_case = supervised.filter(person_id=OuterRef("person_id")).order_by("number")[:1]
    return [
        work_row(
            waiting,
            "consent_override",
            ref=Subquery(childs_case.values("pk")),
            case=Subquery(childs_case.values("pk")),
            label=Subquery(childs_case.values("number")),
            text=F("purpose"),
            day=F("valid_from"),
            name1=F("person__given_name"),
            name2=F("person__family_name"),
            note=F("override_reason"),
        )
    ]


def _approvals(request: AuthenticatedHttpRequest, rows: list[WorkRow]) -> dict[str, Any] | None:
    """Supervisors: consent overrides waiting for their approval."""
    if not rows:
        return None
    labels = dict(Purpose.choices)
    return {
        "title": _("Consent overrides to approve"),
        "template": "privacy/panel_approvals.html",
        "items": [
            {
                "case_id": r[2],
                "case_number": r[7],
                "initials": row_initials(r),
                "purpose": labels.get(r[3], r[3]),
                "reason": r[10],
            }
            for r in sorted(rows, key=lambda r: (r[4], r[1]), reverse=True)[:20]  # newest first
        ],
    }


approvals_panel = WorkPanel(
    rows=_override_rows, build=_approvals, kinds=frozenset({"consent_override"})
)


# --- emergency access extended by a supervisor ------------------------------------------


def _supervised_unit(request: AuthenticatedHttpRequest) -> Any:
    """The unit the user supervises, as the policy sees it (none for an administrator)."""
    unit_id = policy.supervised_unit_id(request.user)
    if unit_id is None:
        raise PermissionDenied
    return request.user.unit


@login_required
def emergency_extensions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Supervisors: who outside the unit's region and agency may break the glass on the
    unit's cases now, and extending that to one more professional."""
    unit = _supervised_unit(request)
    form = EmergencyExtensionForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _extend(request, unit, form):
        return redirect("privacy:emergency_extensions")
    running = list(access_selectors.emergency_scope_extensions(unit.pk))
    record(
        actor=request.user,
        action=Action.READ,
        object_type="access.emergencyscopeextension",
        request=request,
        detail={"unit": unit.pk, "results": len(running)},
    )
    status = 422 if form.errors else 200
    return render(
        request,
        "privacy/emergency_extensions.html",
        {"form": form, "running": running, "unit": unit},
        status=status,
    )


def _extend(request: AuthenticatedHttpRequest, unit: Any, form: EmergencyExtensionForm) -> bool:
    from tirek.access import services as access_services
    from tirek.accounts.models import User

    user = User.objects.filter(
        username=form.cleaned_data["username"].strip(), is_active=True
    ).first()
    if user is None:
        form.add_error("username", _("There is no active account with this user name."))
        return False
    try:
        access_services.extend_emergency_scope(
            by=request.user,
            unit=unit,
            user=user,
            reason=form.cleaned_data["reason"],
            hours=form.cleaned_data["hours"],
            request=request,
        )
    except ValidationError as exc:
        # The service names the person ``user_id``; the form calls the field ``username``.
        add_errors(form, exc, rename={"user_id": "username"})
        return False
    messages.success(request, _("Emergency access is extended; it ends by itself."))
    return True


@login_required
@require_POST
def emergency_extension_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    from tirek.access import services as access_services

    unit = _supervised_unit(request)
    extension = access_selectors.emergency_scope_extensions(unit.pk).filter(pk=pk).first()
    if extension is None:
        raise Http404
    access_services.revoke_emergency_scope(
        by=request.user,
        extension=extension,
        request=request,
    )
    messages.success(request, _("The extension is revoked."))
    return redirect("privacy:emergency_extensions")
