"""The justice pathway page of a case: status, conditions, contact, support — each part
shown and writable only when the policy opens its section."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tirek.access.policy import Section, get_case
from tirek.core.forms import INVALID_OR_FORBIDDEN, submit
from tirek.core.http import AuthenticatedHttpRequest
from tirek.referrals.links import case_url

from . import selectors, services
from .forms import (
    ConditionForm,
    ContactForm,
    ContactUpdateForm,
    LiftForm,
    ModifyForm,
    ReviewForm,
    StatusForm,
    SupportForm,
)
from .models import Condition, SupportRecord, UpdateKind

# The section a form writes; support's depends on its kind (SOCIAL or COUNSELLING): the
# page opens on the basic information and the service checks the kind's section.
FORMS: dict[str, tuple[type[Any], str, Callable[..., Any]]] = {
    "status": (StatusForm, Section.SECURITY, services.status_record),
    "condition": (ConditionForm, Section.SECURITY, services.condition_add),
    "contact": (ContactForm, Section.FAMILY, services.contact_record),
    "support": (SupportForm, Section.CORE, services.support_record),
}


def _page(
    request: AuthenticatedHttpRequest, case_id: int, bound: dict[str, Any] | None = None
) -> HttpResponse:
    user = request.user
    case = get_case(user, case_id, request=request)
    view = selectors.justice_view(user, case)
    if view.empty:
        raise Http404
    forms: dict[str, Any] = {
        name: form_class() for name, (form_class, _s, _f) in FORMS.items() if name != "support"
    }
    forms["support"] = SupportForm(kinds=view.support_writable)
    forms.update(bound or {})
    return render(
        request,
        "justice/case.html",
        {
            "case": case,
            "case_link": case_url(case.pk),
            "view": view,
            "forms": forms,
            "writes_security": Section.SECURITY in view.writable,
            "writes_family": Section.FAMILY in view.writable,
            "writes_support": bool(view.support_writable),
        },
        status=400 if bound else 200,
    )


@login_required
def case_justice(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    return _page(request, case_id)


@login_required
@require_POST
def case_add(request: AuthenticatedHttpRequest, case_id: int, part: str) -> HttpResponse:
    if part not in FORMS:
        raise Http404
    form_class, section, write = FORMS[part]
    user = request.user
    case = get_case(user, case_id, section=section, request=request)
    if part == "support":
        view = selectors.justice_view(user, case, parts=SupportRecord.SECTIONS)
        if view.support is None:
            raise Http404
        form = SupportForm(request.POST, kinds=view.support_writable)
    else:
        form = form_class(request.POST)
    if submit(
        request,
        form,
        lambda: write(by=user, case=case, request=request, **form.cleaned_data),
        _("Saved."),
        failures=INVALID_OR_FORBIDDEN,
    ):
        return redirect("justice:case", case_id=case.pk)
    return _page(request, case_id, {part: form})


# --- updating the legal status ------------------------------------------------------------

UPDATE_FORMS: dict[str, type[Any]] = {
    UpdateKind.CONDITION_LIFTED: LiftForm,
    UpdateKind.CONDITION_CHANGED: ModifyForm,
    UpdateKind.REVIEW: ReviewForm,
    UpdateKind.CONTACT: ContactUpdateForm,
}
CONDITION_FORMS = frozenset({UpdateKind.CONDITION_LIFTED, UpdateKind.CONDITION_CHANGED})


def _update_form(kind: str, view: selectors.JusticeView, data: Any = None) -> Any:
    form_class = UPDATE_FORMS[kind]
    if kind in CONDITION_FORMS:
        conditions = [(str(c.pk), c.text) for c in view.conditions or [] if c.lifted_on is None]
        return form_class(data, conditions=conditions)
    return form_class(data)


def _update_page(
    request: AuthenticatedHttpRequest, case_id: int, bound: dict[str, Any] | None = None
) -> HttpResponse:
    """The legal status's update page: for those who write the SECURITY section of an
    adult's case (the probation officer, law enforcement on the team); anyone else who
    may not see it gets the case's 404."""
    user = request.user
    case = get_case(user, case_id, section=Section.SECURITY, request=request)
    view = selectors.justice_view(user, case, parts=frozenset({Section.SECURITY}))
    if view.statuses is None:  # a child's case: the justice pathway is adults' only
        raise Http404
    if Section.SECURITY not in view.writable:
        raise PermissionDenied(_("You may read this section but not change it."))
    forms = {kind: _update_form(kind, view) for kind in UPDATE_FORMS}
    forms.update(bound or {})
    return render(
        request,
        "justice/update.html",
        {
            "case": case,
            "view": view,
            "forms": forms,
            "has_open_conditions": any(c.lifted_on is None for c in view.conditions or []),
        },
        status=400 if bound else 200,
    )


@login_required
def case_update(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    return _update_page(request, case_id)


@login_required
@require_POST
def case_update_post(request: AuthenticatedHttpRequest, case_id: int, kind: str) -> HttpResponse:
    if kind not in UPDATE_FORMS:
        raise Http404
    user = request.user
    case = get_case(user, case_id, section=Section.SECURITY, request=request)
    view = selectors.justice_view(user, case, parts=frozenset({Section.SECURITY}))
    if view.statuses is None:
        raise Http404
    form = _update_form(kind, view, request.POST)

    def update() -> None:
        data = dict(form.cleaned_data)
        if "condition" in data:
            data["condition"] = Condition.objects.filter(
                case=case, pk=int(data["condition"])
            ).first()
        services.legal_update(by=user, case=case, kind=kind, request=request, **data)

    if submit(request, form, update, _("Saved."), failures=INVALID_OR_FORBIDDEN):
        return redirect("justice:case", case_id=case.pk)
    return _update_page(request, case_id, {kind: form})
