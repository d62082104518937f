"""Pages of transfers: the request (from the case), the list, one transfer with its answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from tirek.access import policy
from tirek.access.policy import Section
from tirek.accounts.models import User
from tirek.audit.models import Action
from tirek.audit.services import record, record_list
from tirek.core.exceptions import Conflict, Refused
from tirek.core.http import AuthenticatedHttpRequest

from . import selectors, services
from .forms import AcceptForm, DeclineForm, RequestForm, WithdrawForm
from .models import Transfer


def add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


@login_required
def request_transfer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """``/transfers/case/<pk>/``: ask another unit to take the case over."""
    user = request.user
    case = policy.get_case(user, pk, request=request)
    if not policy.can_manage(user, case):
        raise PermissionDenied
    pending = services.pending_for(case)
    form = RequestForm(
        request.POST if request.method == "POST" and pending is None else None,
        visible=policy.sections_for(user, case),
        exclude_unit=case.supervising_unit_id,
    )
    status = 200
    if request.method == "POST" and pending is None:
        if form.is_valid():
            data = form.cleaned_data
            try:
                transfer = services.transfer_request(
                    by=user,
                    case=case,
                    to_unit=data["to_unit"],
                    reason=data["reason"],
                    sections=list(data["sections"]),
                    legal_basis=data["legal_basis"],
                    request=request,
                )
            except ValidationError as exc:
                add_errors(form, exc)
            except (Refused, Conflict) as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The transfer has been requested."))
                return redirect("transfers:detail", pk=transfer.pk)
        status = 422
    from tirek.families.selectors import visible_families

    families = list(visible_families(user).filter(members__person_id=case.person_id)[:5])
    return render(
        request,
        "transfers/request.html",
        {"case": case, "form": form, "pending": pending, "families": families},
        status=status,
    )


@login_required
def transfer_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not policy.works_on_cases(user):
        raise PermissionDenied
    incoming = list(selectors.incoming(user)[:100])
    outgoing = list(selectors.outgoing(user)[:100])
    families = list(selectors.incoming_families(user)[:50])
    # Each request names a case and why it moves: the list's read is audited like the API's.
    record_list(
        actor=user, object_type="transfers.transfer", rows=incoming + outgoing, request=request
    )
    if families:
        record_list(
            actor=user, object_type="transfers.familytransfer", rows=families, request=request
        )
    return render(
        request,
        "transfers/list.html",
        {"incoming": incoming, "outgoing": outgoing, "incoming_families": families},
    )


def _team_choices(transfer: Transfer) -> list[tuple[int, str]]:
    return [_member_choice(m) for m in services.keepable_members(transfer)]


def _family_team_choices(group: Any) -> list[tuple[int, str]]:
    return [_member_choice(m) for m in services.family_keepable_members(group)]


def _member_choice(member: Any) -> tuple[int, str]:
    name = member.user.get_full_name() or member.user.username
    return member.user_id, f"{name} ({member.get_role_display()})"


def _detail(
    request: AuthenticatedHttpRequest,
    transfer: Transfer,
    *,
    accept: AcceptForm | None = None,
    decline: DeclineForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    answers = transfer.is_pending and services.may_answer_alone(user, transfer)
    sees_case = policy.visible_cases(user).filter(pk=transfer.case_id).exists()
    if answers:
        initial = {"version": transfer.version}
        accept = accept or AcceptForm(
            initial=initial,
            unit_id=transfer.to_unit_id,
            team=_team_choices(transfer),
            prefix="accept",
        )
        decline = decline or DeclineForm(initial=initial, prefix="decline")
    return render(
        request,
        "transfers/detail.html",
        {
            "transfer": transfer,
            "sees_case": sees_case,
            "section_labels": [
                str(Section.LABELS[s]) for s in transfer.sections if s in Section.LABELS
            ],
            "with_family": transfer.is_pending
            and transfer.family_transfer_id is not None
            and services.may_answer(user, transfer),
            "accept_form": accept if answers else None,
            "decline_form": decline if answers else None,
            "withdraw_form": WithdrawForm(initial={"version": transfer.version})
            if transfer.is_pending and sees_case and policy.can_manage(user, transfer.case)
            else None,
        },
        status=status,
    )


@login_required
def transfer_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    transfer = selectors.get_transfer(request.user, pk)
    record(actor=request.user, action=Action.READ, obj=transfer, request=request)
    return _detail(request, transfer)


def _answer(
    request: HttpRequest,
    form: forms.Form,
    slot: str,
    act: Callable[[dict[str, Any]], object],
    show: Callable[..., HttpResponse],
    done: str,
    then: tuple[Any, ...],
) -> HttpResponse:
    """A receiving supervisor's answer (accept or decline, one case or a family): the
    service with the form's data; a bad form or a refusal redraws the page with the form
    in ``slot`` (422), a stale version with the conflict (409)."""
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, str(exc))
            return show(**{slot: form}, status=409)
        else:
            messages.success(request, done)
            return redirect(*then)
    return show(**{slot: form}, status=422)


@login_required
@require_POST
def transfer_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    transfer = selectors.get_transfer(user, pk)
    if not services.may_answer_alone(user, transfer):
        raise PermissionDenied
    form = AcceptForm(
        request.POST, unit_id=transfer.to_unit_id, team=_team_choices(transfer), prefix="accept"
    )
    return _answer(
        request,
        form,
        "accept",
        lambda data: services.transfer_accept(
            by=user,
            transfer=transfer,
            version=data["version"],
            case_manager=data["case_manager"],
            keep_user_ids=[int(v) for v in data["keep"]],
            request=request,
        ),
        lambda **shown: _detail(request, transfer, **shown),
        _("The case is now in your unit."),
        ("cases:detail", transfer.case_id),
    )


@login_required
@require_POST
def transfer_decline(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    transfer = selectors.get_transfer(user, pk)
    if not services.may_answer_alone(user, transfer):
        raise PermissionDenied
    return _answer(
        request,
        DeclineForm(request.POST, prefix="decline"),
        "decline",
        lambda data: services.transfer_decline(
            by=user,
            transfer=transfer,
            version=data["version"],
            reason=data["decline_reason"],
            request=request,
        ),
        lambda **shown: _detail(request, transfer, **shown),
        _("The transfer has been declined."),
        ("transfers:list",),
    )


def _withdraw(
    request: AuthenticatedHttpRequest,
    withdraw: Callable[[int], object],
    redraw: Callable[..., HttpResponse],
    done: str,
    back: tuple[str, int],
) -> HttpResponse:
    """The requesting side's withdrawal: ``withdraw(version)``; a stale form said above the
    page it leads back to, a bad one drawn again (422)."""
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return redraw(status=422)
    try:
        withdraw(form.cleaned_data["version"])
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect(*back)


@login_required
@require_POST
def transfer_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    transfer = selectors.get_transfer(user, pk)
    return _withdraw(
        request,
        lambda version: services.transfer_withdraw(
            by=user, transfer=transfer, version=version, request=request
        ),
        lambda **shown: _detail(request, transfer, **shown),
        _("The transfer request has been withdrawn."),
        ("transfers:detail", transfer.pk),
    )


# --- group arrivals -------------------------------------------------------------------------


class GroupUploadForm(forms.Form):
    file = forms.FileField(label=_lazy("Spreadsheet (CSV or XLSX)"))


def _group_problems(exc: ValidationError) -> list[str]:
    from .group_import import FileRejected

    if isinstance(exc, FileRejected):
        return [str(p["message"]) for p in exc.problems]
    return [str(m) for m in exc.messages]


@login_required
def group_template(request: HttpRequest) -> HttpResponse:
    """The empty spreadsheet, its headers in the interface language."""
    from django.utils.http import content_disposition_header

    from . import group_import

    if request.GET.get("format") == "csv":
        body, kind, name = group_import.template_csv(), "text/csv", "group.csv"
    else:
        body = group_import.template_xlsx()
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        name = "group.xlsx"
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@login_required
def group_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not services._may_import_group(user):
        raise PermissionDenied
    form = GroupUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                imp = services.group_preview(user, form.cleaned_data["file"], request=request)
            except ValidationError as exc:
                problems = _group_problems(exc)
            else:
                return redirect("transfers:group_preview", pk=imp.pk)
        status = 422
    return render(
        request,
        "transfers/group_upload.html",
        {"form": form, "problems": problems},
        status=status,
    )


def _pending_import(user: User, pk: int) -> Any:
    from .models import GroupImport

    try:
        return GroupImport.objects.get(pk=pk, created_by=user)
    except GroupImport.DoesNotExist as exc:
        raise Http404 from exc


def _decisions(post: Any, rows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    decisions: dict[int, dict[str, Any]] = {}
    for row in rows:
        raw = str(post.get(f"decision-{row['row']}", ""))
        reason = str(post.get(f"reason-{row['row']}", ""))[:500]
        if raw.startswith("link:"):
            try:
                decisions[row["row"]] = {"action": "link", "person": int(raw[5:])}
            except ValueError:
                continue
        elif raw in ("new", "skip"):
            decisions[row["row"]] = {"action": raw, "reason": reason}
    return decisions


@login_required
def group_preview(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The row-by-row report; the worker decides about each match, then registers all."""
    from .models import GroupImportStatus

    user = request.user
    imp = _pending_import(user, pk)
    problems: list[str] = []
    status = 200
    if request.method == "POST" and imp.status == GroupImportStatus.PENDING:
        try:
            result = services.group_commit(
                by=user, imp=imp, decisions=_decisions(request.POST, imp.rows), request=request
            )
        except ValidationError as exc:
            problems = _group_problems(exc)
            status = 422
        except services.GroupChanged as exc:
            # Nothing was written; the report is brought up to date for a new decision.
            imp = services.group_recheck(user, imp, request=request)
            problems, status = [str(exc)], 409
        except Conflict as exc:
            problems, status = [str(exc)], 409
        else:
            messages.success(
                request,
                _("Registered: %(people)d people, %(cases)d cases, %(rels)d family links.")
                % {
                    "people": len(result["created"]),
                    "cases": len(result["cases"]),
                    "rels": result["relationships"],
                },
            )
            return redirect("transfers:group_preview", pk=imp.pk)
    rows = [{**row, "needs_decision": services.needs_decision(row)} for row in imp.rows]
    return render(
        request,
        "transfers/group_preview.html",
        {
            "imp": imp,
            "rows": rows,
            "problems": problems,
            "pending": imp.status == GroupImportStatus.PENDING,
            "to_decide": sum(r["needs_decision"] for r in rows),
        },
        status=status,
    )


# --- a whole family -------------------------------------------------------------------------


@login_required
def request_family_transfer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """``/transfers/family/<family id>/``: every member's case the user may transfer, in
    one request; the members left out are listed as the family page shows them."""
    from tirek.families.selectors import get_family, may_request_transfer

    from .forms import FamilyRequestForm

    user = request.user
    family = get_family(user, pk, request=request)
    if not may_request_transfer(user, family):
        raise PermissionDenied
    options = services.family_options(user, family)
    cases = [case for option in options for case in option.cases]
    if not cases:
        # Each case the user may transfer already awaits an answer: nothing to ask yet.
        return render(
            request,
            "transfers/family_request.html",
            {"family": family, "options": options, "form": None},
            status=409 if request.method == "POST" else 200,
        )
    visible = frozenset.intersection(*(policy.sections_for(user, case) for case in cases))
    units = {case.supervising_unit_id for case in cases}
    form = FamilyRequestForm(
        request.POST if request.method == "POST" else None,
        visible=visible,
        exclude_unit=next(iter(units)) if len(units) == 1 else None,
        cases=cases,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                group = services.family_transfer_request(
                    by=user,
                    family=family,
                    to_unit=data["to_unit"],
                    reason=data["reason"],
                    sections=list(data["sections"]),
                    legal_bases={case.pk: data[f"legal_basis_{case.pk}"] for case in cases},
                    request=request,
                )
            except ValidationError as exc:
                add_errors(form, exc)
            except (Refused, Conflict) as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The family's transfer has been requested."))
                return redirect("transfers:family_detail", pk=group.pk)
        status = 422
    return render(
        request,
        "transfers/family_request.html",
        {"family": family, "options": options, "form": form},
        status=status,
    )


def _family_detail(
    request: AuthenticatedHttpRequest,
    group: Any,
    *,
    accept: Any = None,
    decline: DeclineForm | None = None,
    status: int = 200,
) -> HttpResponse:
    from .forms import FamilyAcceptForm

    user = request.user
    answers = group.is_pending and services.may_answer_family(user, group)
    if answers:
        initial = {"version": group.version}
        accept = accept or FamilyAcceptForm(
            initial=initial,
            unit_id=group.to_unit_id,
            team=_family_team_choices(group),
            prefix="accept",
        )
        decline = decline or DeclineForm(initial=initial, prefix="decline")
    transfers = list(
        group.transfers.select_related("case", "from_unit", "from_region").order_by("pk")
    )
    return render(
        request,
        "transfers/family_detail.html",
        {
            "group": group,
            "transfers": transfers,
            "section_labels": [
                str(Section.LABELS[s]) for s in group.sections if s in Section.LABELS
            ],
            "accept_form": accept if answers else None,
            "decline_form": decline if answers else None,
            "withdraw_form": WithdrawForm(initial={"version": group.version})
            if group.is_pending and services.may_withdraw_family(user, group)
            else None,
        },
        status=status,
    )


@login_required
def family_transfer_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    group = selectors.get_family_transfer(request.user, pk)
    record(actor=request.user, action=Action.READ, obj=group, request=request)
    return _family_detail(request, group)


@login_required
@require_POST
def family_transfer_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    from .forms import FamilyAcceptForm

    user = request.user
    group = selectors.get_family_transfer(user, pk)
    if not services.may_answer_family(user, group):
        raise PermissionDenied
    return _answer(
        request,
        FamilyAcceptForm(
            request.POST,
            unit_id=group.to_unit_id,
            team=_family_team_choices(group),
            prefix="accept",
        ),
        "accept",
        lambda data: services.family_transfer_accept(
            by=user,
            group=group,
            version=data["version"],
            case_manager=data["case_manager"],
            keep_user_ids=[int(v) for v in data["keep"]],
            request=request,
        ),
        lambda **shown: _family_detail(request, group, **shown),
        _("The family's cases are now in your unit."),
        ("transfers:family_detail", group.pk),
    )


@login_required
@require_POST
def family_transfer_decline(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    group = selectors.get_family_transfer(user, pk)
    if not services.may_answer_family(user, group):
        raise PermissionDenied
    return _answer(
        request,
        DeclineForm(request.POST, prefix="decline"),
        "decline",
        lambda data: services.family_transfer_decline(
            by=user,
            group=group,
            version=data["version"],
            reason=data["decline_reason"],
            request=request,
        ),
        lambda **shown: _family_detail(request, group, **shown),
        _("The family's transfer has been declined."),
        ("transfers:list",),
    )


@login_required
@require_POST
def family_transfer_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The requesting side takes back the whole family's request at once."""
    user = request.user
    group = selectors.get_family_transfer(user, pk)
    return _withdraw(
        request,
        lambda version: services.family_transfer_withdraw(
            by=user, group=group, version=version, request=request
        ),
        lambda **shown: _family_detail(request, group, **shown),
        _("The family's transfer request has been withdrawn."),
        ("transfers:family_detail", group.pk),
    )
