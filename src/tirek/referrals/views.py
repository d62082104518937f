from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tirek.access.policy import Section, get_case, is_supervisor_of, sections_for
from tirek.audit.services import record_list
from tirek.core.exceptions import Conflict, Refused
from tirek.core.forms import add_errors, submit
from tirek.core.http import AuthenticatedHttpRequest

from . import selectors, services
from .access import can_manage_directory, is_referring_side, may_receive
from .forms import (
    DirectorySearchForm,
    OutcomeForm,
    ProviderForm,
    ReasonForm,
    ReferralForm,
    ServiceForm,
    VersionForm,
)
from .links import case_url
from .models import Referral, ReferralStatus

# --- the directory -------------------------------------------------------------


@login_required
def directory(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = DirectorySearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.directory_services(
        q=filters.get("q", ""),
        category=filters.get("category", ""),
        region=filters.get("region"),
        language=filters.get("language", ""),
    )
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # Coming from a case to refer it: each service offers "Refer here".
    case_id = request.GET.get("case", "")
    intervention = request.GET.get("intervention", "")
    return render(
        request,
        "referrals/directory.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "case_id": case_id if case_id.isdigit() else "",
            "intervention": intervention if intervention.isdigit() else "",
            "can_manage": can_manage_directory(request.user),
        },
    )


@login_required
def provider_detail(request: AuthenticatedHttpRequest, provider_id: int) -> HttpResponse:
    provider = selectors.get_provider(provider_id)
    return render(
        request,
        "referrals/provider_detail.html",
        {
            "provider": provider,
            "services": provider.services.order_by("name"),
            "can_manage": can_manage_directory(request.user, provider.agency),
        },
    )


@login_required
def provider_edit(
    request: AuthenticatedHttpRequest, provider_id: int | None = None
) -> HttpResponse:
    agencies = selectors.managed_agencies(request.user)
    if not agencies.exists():
        raise PermissionDenied
    provider = selectors.get_provider(provider_id) if provider_id else None
    if provider is not None and not can_manage_directory(request.user, provider.agency):
        raise PermissionDenied
    form = ProviderForm(request.POST or None, instance=provider, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if provider is None:
                provider = services.provider_create(
                    by=request.user,
                    agency=data["agency"],
                    unit=data.get("unit"),
                    name=data["name"],
                    description=data.get("description", ""),
                    regions=list(data["regions"]),
                    languages=data.get("languages", []),
                    contact_name=data.get("contact_name", ""),
                    phone=data.get("phone", ""),
                    email=data.get("email", ""),
                    address=data.get("address", ""),
                    hours=data.get("hours", ""),
                    request=request,
                )
            else:
                fields = ["name", "description", "contact_name", "phone", "email", "address"]
                fields += ["hours", "is_active"]
                provider = services.provider_update(
                    by=request.user,
                    provider=provider,
                    version=int(request.POST.get("version", 0) or 0),
                    changes={f: data[f] for f in fields if f in data},
                    regions=list(data["regions"]),
                    languages=data.get("languages", []),
                    request=request,
                )
        except ValidationError as exc:
            add_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The directory entry is saved."))
            return redirect("directory:provider", provider.pk)
    return render(request, "referrals/provider_form.html", {"form": form, "provider": provider})


@login_required
def service_edit(
    request: AuthenticatedHttpRequest, provider_id: int | None = None, service_id: int | None = None
) -> HttpResponse:
    service = selectors.get_service(service_id) if service_id else None
    provider = service.provider if service else selectors.get_provider(provider_id)
    if not can_manage_directory(request.user, provider.agency):
        raise PermissionDenied
    form = ServiceForm(request.POST or None, instance=service)

    def save() -> None:
        if service is None:
            services.service_create(
                by=request.user, provider=provider, request=request, **form.cleaned_data
            )
        else:
            services.service_update(
                by=request.user,
                service=service,
                version=int(request.POST.get("version", 0) or 0),
                changes=form.cleaned_data,
                request=request,
            )

    if request.method == "POST" and submit(
        request, form, save, _("The service is saved."), failures=(ValidationError, Conflict)
    ):
        return redirect("directory:provider", provider.pk)
    return render(
        request,
        "referrals/service_form.html",
        {"form": form, "provider": provider, "service": service},
    )


# --- referrals -----------------------------------------------------------------


@login_required
def referral_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    box = request.GET.get("box", "incoming")
    if box not in ("incoming", "outgoing"):
        box = "incoming"
    rows = (
        selectors.incoming_referrals(request.user)
        if box == "incoming"
        else selectors.outgoing_referrals(request.user)
    )
    status = request.GET.get("status", "")
    if status in ReferralStatus.values:
        rows = rows.filter(status=status)
    page = Paginator(selectors.without_texts(rows), 25).get_page(request.GET.get("page"))
    for referral in page:
        referral.subject = selectors.subject_of(referral)  # type: ignore[attr-defined]
    # Each row names the child: the list is a read of every one of them.
    record_list(
        actor=request.user, object_type="referrals.referral", rows=page, request=request, kind=box,
        cases=sorted({referral.case_id for referral in page}),  # the DPO finds them by case
    )  # fmt: skip
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "referrals/list.html",
        {
            "box": box,
            "page": page,
            "query": query.urlencode(),
            "status": status,
            "statuses": ReferralStatus.choices,
        },
    )


@login_required
def case_referrals(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case = get_case(request.user, case_id, section=Section.PLAN, request=request)
    rows = selectors.case_referrals(request.user, case)
    record_list(
        actor=request.user,
        object_type="referrals.referral",
        rows=rows,
        request=request,
        kind="case",
        case=case.pk,
    )
    return render(
        request,
        "referrals/case_referrals.html",
        {
            "case": case,
            "case_link": case_url(case.pk),
            "referrals": rows,
            "may_refer": is_referring_side(request.user, case) and case.is_open,
        },
    )


@login_required
def referral_new(request: AuthenticatedHttpRequest, case_id: int, service_id: int) -> HttpResponse:
    user = request.user
    case = get_case(user, case_id, section=Section.PLAN, request=request)
    if not is_referring_side(user, case):
        raise PermissionDenied
    service = selectors.get_service(service_id)
    if not service.is_active or not service.provider.is_active:
        raise Http404
    intervention = request.GET.get("intervention") or request.POST.get("intervention") or ""
    form = ReferralForm(
        request.POST or None,
        service=service,
        visible_sections=sections_for(user, case),
        may_record_legal_basis=is_supervisor_of(user, case),
        protected=case.protected_identity,
    )
    consent = services.consent_covers(case, service.provider.agency)
    refused = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_send(
                by=user,
                case=case,
                provider=service.provider,
                service=service,
                role=data["role"],
                to_user=data.get("to_user"),
                reason=data["reason"],
                urgency=data["urgency"],
                sections=list(data.get("sections") or []),
                intervention_id=int(intervention) if intervention.isdigit() else None,
                legal_basis=data.get("legal_basis", ""),
                request=request,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        except services.ConsentMissing:
            # The consent notice says why, once, with the way to record consent.
            refused = True
        except (Refused, PermissionDenied) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The referral is sent."))
            return redirect("referrals:detail", referral.pk)
    return render(
        request,
        "referrals/referral_form.html",
        {
            "form": form,
            "case": case,
            "service": service,
            "consent": consent,
            "refused": refused,
            "covered_agencies": _agencies_covered(case),
            "record_consent_url": _record_consent_url(request, case),
            "intervention": intervention if intervention.isdigit() else "",
        },
    )


def _agencies_covered(case: Any) -> list[str]:
    """The agencies the person's consent to referrals now covers, to show on the form."""
    from tirek.privacy.selectors import consent_status

    status = consent_status(case.person)
    return next((p.agencies for p in status.purposes if p.purpose == "referral"), [])


def _record_consent_url(request: HttpRequest, case: Any) -> str:
    """The privacy app's consent form for the person, coming back to this referral."""
    try:
        url = reverse("privacy:consent_new", args=[case.person_id])
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode({'next': request.get_full_path()})}"


@login_required
def referral_detail(request: AuthenticatedHttpRequest, referral_id: int) -> HttpResponse:
    user = request.user
    referral = selectors.get_referral(user, referral_id, request=request)
    referring = selectors.outgoing_referrals(user).filter(pk=referral.pk).exists()
    receiving = may_receive(user, referral)
    # Only someone who may open the case gets a link to it (a receiver once accepted).
    case_link = Section.CORE in sections_for(user, referral.case)
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "subject": selectors.subject_of(referral),
            "events": referral.events.select_related("by"),
            "referring": referring,
            "receiving": receiving,
            "case_link": case_link,
            "case_url": case_url(referral.case_id),
            "intervention": selectors.intervention_title(referral) if referring else "",
            "reason_form": ReasonForm(initial={"version": referral.version}),
            "outcome_form": OutcomeForm(initial={"version": referral.version}),
            "version_form": VersionForm(initial={"version": referral.version}),
        },
    )


ACTIONS: dict[str, tuple[type[forms.Form], Callable[..., Any], Any]] = {
    "accept": (VersionForm, services.referral_accept, _("The referral is accepted.")),
    "decline": (ReasonForm, services.referral_decline, _("The referral is declined.")),
    "start": (VersionForm, services.referral_start, _("The work has started.")),
    "complete": (OutcomeForm, services.referral_complete, _("The referral is completed.")),
    "withdraw": (ReasonForm, services.referral_withdraw, _("The referral is withdrawn.")),
}


@login_required
@require_POST
def referral_action(
    request: AuthenticatedHttpRequest, referral_id: int, action: str
) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    referral: Referral = selectors.get_referral(request.user, referral_id, request=request)
    form_class, service, done = ACTIONS[action]
    form = form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("referrals:detail", referral.pk)
    kwargs = dict(form.cleaned_data)
    try:
        service(by=request.user, referral=referral, request=request, **kwargs)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except (Conflict, Refused, PermissionDenied) as exc:
        messages.error(request, str(exc) or _("You may not do that."))
    else:
        messages.success(request, str(done))
    return redirect("referrals:detail", referral.pk)


# --- notifications -------------------------------------------------------------


@login_required
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = selectors.notifications_for(request.user)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/notifications.html",
        {"page": page, "query": "", "unread": selectors.unread_count(request.user)},
    )


@login_required
@require_POST
def notification_open(request: AuthenticatedHttpRequest, notification_id: int) -> HttpResponse:
    """Mark one notification read and follow its link (links are internal paths)."""
    notification = selectors.notifications_for(request.user).filter(pk=notification_id).first()
    if notification is None:
        raise Http404
    services.notification_mark_read(by=request.user, ids=[notification.pk])
    if url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect(notification.url)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.notification_mark_read(by=request.user)
    return redirect("notifications:list")
