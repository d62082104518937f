from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.core.http import AuthenticatedHttpRequest

from . import services
from .decorators import role_required
from .forms import RoleChangeDecisionForm, RoleChangeRequestForm
from .mfa import has_mfa, mfa_required
from .models import ApiToken, RoleChangeRequest, User
from .roles import Role
from .selectors import valid_competencies


@login_required
def security(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/security.html",
        {
            "has_mfa": has_mfa(user),
            "mfa_required": mfa_required(user),
            "tokens": ApiToken.objects.usable().filter(user=user).order_by("-created_at"),
            "competencies": valid_competencies(user),
            "roles": sorted(user.roles.all(), key=lambda r: r.role),
            "may_decide_roles": user.has_role(Role.ADMIN, Role.DPO),
        },
    )


@login_required
@require_POST
def token_revoke(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.api_token_revoke(token=token, by=request.user, request=request)
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:security")


# --- Role changes: the administrator asks, another administrator or the DPO confirms ---


@role_required(Role.ADMIN, Role.DPO)
def role_changes(request: HttpRequest) -> HttpResponse:
    rows = RoleChangeRequest.objects.select_related(
        "user", "requested_by", "decided_by", "agency_after", "unit_after", "region_after",
        "agency_before", "unit_before", "region_before",
    )  # fmt: skip
    pending = list(rows.filter(status=RoleChangeRequest.Status.PENDING))
    decided = list(rows.exclude(status=RoleChangeRequest.Status.PENDING)[:50])
    record(
        actor=request.user,
        action=Action.READ,
        object_type="accounts.rolechangerequest",
        request=request,
        detail={"list": "role changes", "ids": [row.pk for row in pending + decided][:100]},
    )
    return render(
        request,
        "accounts/role_changes.html",
        {
            "pending": pending,
            "decided": decided,
            "role_names": dict(Role.choices),
            "decision_form": RoleChangeDecisionForm(),
        },
    )


@role_required(Role.ADMIN)
def role_change_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = RoleChangeRequestForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.role_change_request(
                    user=data["user"],
                    by=request.user,
                    roles=data["roles"],
                    agency=data["agency"],
                    unit=data["unit"],
                    region=data["region"],
                    reason=data["reason"],
                    reset_two_factor=data["reset_two_factor"],
                    request=request,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _(
                        "The request is recorded. It takes effect when another administrator or the data protection officer confirms it."
                    ),
                )
                return redirect("accounts:role_changes")
    else:
        target = User.objects.filter(pk=request.GET.get("user") or 0, is_active=True).first()
        initial = RoleChangeRequestForm.initial_for(target) if target else {}
        initial["reset_two_factor"] = request.GET.get("reset_two_factor") == "1"
        form = RoleChangeRequestForm(initial=initial)
    return render(request, "accounts/role_change_form.html", {"form": form})


@role_required(Role.ADMIN, Role.DPO)
@require_POST
def role_change_decide(
    request: AuthenticatedHttpRequest, change_id: int, decision: str
) -> HttpResponse:
    change = get_object_or_404(RoleChangeRequest, pk=change_id)
    form = RoleChangeDecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    decide = {"confirm": services.role_change_confirm, "reject": services.role_change_reject}
    if decision not in decide:
        raise Http404
    try:
        decide[decision](change=change, by=request.user, note=note, request=request)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if decision == "confirm":
            messages.success(request, _("The change is confirmed and in effect."))
        else:
            messages.success(request, _("The request is rejected; nothing changed."))
    return redirect("accounts:role_changes")
