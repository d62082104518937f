"""The justice pathway page of a case: status, conditions, contact, support — each part
shown and writable only when the policy opens its section."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tirek.access.policy import Section, get_case
from tirek.accounts.models import User
from tirek.referrals.links import case_url

from . import selectors, services
from .forms import ConditionForm, ContactForm, StatusForm, SupportForm
from .models import SupportRecord

# The section a form writes; support's depends on its kind (SOCIAL or COUNSELLING): the
# page opens on the basic information and the service checks the kind's section.
FORMS: dict[str, tuple[type[Any], str, Callable[..., Any]]] = {
    "status": (StatusForm, Section.SECURITY, services.status_record),
    "condition": (ConditionForm, Section.SECURITY, services.condition_add),
    "contact": (ContactForm, Section.FAMILY, services.contact_record),
    "support": (SupportForm, Section.CORE, services.support_record),
}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required
    return user


def _page(request: HttpRequest, case_id: int, bound: dict[str, Any] | None = None) -> HttpResponse:
    user = _user(request)
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
def case_justice(request: HttpRequest, case_id: int) -> HttpResponse:
    return _page(request, case_id)


@login_required
@require_POST
def case_add(request: HttpRequest, case_id: int, part: str) -> HttpResponse:
    if part not in FORMS:
        raise Http404
    form_class, section, write = FORMS[part]
    user = _user(request)
    case = get_case(user, case_id, section=section, request=request)
    if part == "support":
        view = selectors.justice_view(user, case, parts=SupportRecord.SECTIONS)
        if view.support is None:
            raise Http404
        form = SupportForm(request.POST, kinds=view.support_writable)
    else:
        form = form_class(request.POST)
    if form.is_valid():
        try:
            write(by=user, case=case, request=request, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                form.add_error(field if field in form.fields else None, errors)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("justice:case", case_id=case.pk)
    return _page(request, case_id, {part: form})
