"""Training events: scheduling, trainers, participants, attendance, scores, certificates."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.core.exceptions import Conflict, Refused
from tirek.core.forms import add_errors, submit
from tirek.core.http import AuthenticatedHttpRequest

from .. import exports, forms, imports, permissions, selectors, services
from ..models import TrainerAssignment
from .common import _int


def _require_events_role(request: AuthenticatedHttpRequest) -> None:
    if (
        not permissions.sees_events_nav(request.user)
        and not TrainerAssignment.objects.filter(user=request.user).exists()
    ):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied


@login_required
def events(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_events_role(request)
    from django.core.paginator import Paginator

    page = Paginator(selectors.events_visible(request.user), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "training/events.html",
        {"page": page, "is_coordinator": permissions.is_coordinator(request.user)},
    )


@login_required
def event_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    permissions.require_coordinator(request.user)
    form = forms.EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        courses, modules = data.pop("courses"), data.pop("modules")
        try:
            event = services.event_create(
                by=request.user,
                courses=courses,
                modules=modules,
                request=request,
                **data,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The event was created."))
            return redirect("training:event", event_id=event.pk)
    return render(
        request, "training/event_form.html", {"form": form}, status=422 if form.errors else 200
    )


@login_required
def event_edit(request: AuthenticatedHttpRequest, event_id: int) -> HttpResponse:
    permissions.require_coordinator(request.user)
    event = selectors.event_for_manager(request.user, event_id)
    form = forms.EventForm(request.POST or None, instance=event)

    def update() -> None:
        data = dict(form.cleaned_data)
        courses, modules = data.pop("courses"), data.pop("modules")
        services.event_update(
            by=request.user,
            event=event,
            version=_int(request.POST.get("version")) or 0,
            courses=courses,
            modules=modules,
            request=request,
            **data,
        )

    if request.method == "POST" and submit(
        request, form, update, _("The event was saved."), failures=(ValidationError, Conflict)
    ):
        return redirect("training:event", event_id=event.pk)
    return render(
        request,
        "training/event_form.html",
        {"form": form, "event": event},
        status=422 if form.errors else 200,
    )


@login_required
def event_detail(request: AuthenticatedHttpRequest, event_id: int) -> HttpResponse:
    event = selectors.event_for_manager(request.user, event_id)
    participants = selectors.event_participants(event)
    total_days = len(event.days)
    for p in participants:
        p.attendance_percent = (100 * p.attended) // total_days if total_days else 0  # type: ignore[attr-defined]
        p.valid_certificates = [c for c in p.certificates.all() if c.revoked_at is None]  # type: ignore[attr-defined]
        p.blockers = (  # type: ignore[attr-defined]
            services.certificate_blockers(p, p.attended) if not p.valid_certificates else []  # type: ignore[attr-defined]
        )
    return render(
        request,
        "training/event.html",
        {
            "event": event,
            "trainers": selectors.event_trainers(event),
            "participants": participants,
            "summary": selectors.event_summary(event, participants),
            "is_coordinator": permissions.is_coordinator(request.user),
            "trainer_form": forms.TrainerForm(),
        },
    )


@login_required
@require_POST
def trainer_add(request: AuthenticatedHttpRequest, event_id: int) -> HttpResponse:
    permissions.require_coordinator(request.user)
    event = selectors.event_for_manager(request.user, event_id)
    form = forms.TrainerForm(request.POST)
    if form.is_valid():
        try:
            services.trainer_assign(
                by=request.user,
                event=event,
                user=form.cleaned_data["user"],
                external_name=form.cleaned_data["external_name"],
                is_master=form.cleaned_data["is_master"],
                request=request,
            )
            messages.success(request, _("The trainer was added."))
        except (ValidationError, Refused) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("training:event", event_id=event.pk)


@login_required
@require_POST
def trainer_remove(
    request: AuthenticatedHttpRequest, event_id: int, assignment_id: int
) -> HttpResponse:
    permissions.require_coordinator(request.user)
    event = selectors.event_for_manager(request.user, event_id)
    assignment = event.trainers.filter(pk=assignment_id).first()
    if assignment is None:
        raise Http404
    services.trainer_remove(by=request.user, assignment=assignment, request=request)
    messages.success(request, _("The trainer was removed."))
    return redirect("training:event", event_id=event.pk)


@login_required
def participant_add(request: AuthenticatedHttpRequest, event_id: int) -> HttpResponse:
    event = selectors.event_for_manager(request.user, event_id)
    form = forms.ParticipantForm(request.POST or None, initial={"language": event.language})
    if request.method == "POST" and submit(
        request,
        form,
        lambda: services.participant_add(
            by=request.user,
            event=event,
            user=form.cleaned_data["user"],
            request=request,
            **forms.participant_fields(form.cleaned_data),
        ),
        _("The participant was added."),
    ):
        return redirect("training:event", event_id=event.pk)
    return render(
        request,
        "training/participant_form.html",
        {"form": form, "event": event},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def participant_remove(
    request: AuthenticatedHttpRequest, event_id: int, participant_id: int
) -> HttpResponse:
    event = selectors.event_for_manager(request.user, event_id)
    participant = event.participants.filter(pk=participant_id).first()
    if participant is None:
        raise Http404
    try:
        services.participant_remove(by=request.user, participant=participant, request=request)
        messages.success(request, _("The participant was removed."))
    except Refused as exc:
        messages.error(request, str(exc))
    return redirect("training:event", event_id=event.pk)


@login_required
def participant_import(request: AuthenticatedHttpRequest, event_id: int) -> HttpResponse:
    event = selectors.event_for_manager(request.user, event_id)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST" and form.is_valid():
        report = imports.participants_import(
            by=request.user,
            event=event,
            upload=form.cleaned_data["file"],
            request=request,
        )
        if report.ok:
            messages.success(
                request, _("%(count)d participants were imported.") % {"count": report.saved}
            )
            return redirect("training:event", event_id=event.pk)
        status = 422
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "training/import.html",
        {"form": form, "event": event, "report": report},
        status=status,
    )


def _parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@login_required
def attendance(request: AuthenticatedHttpRequest, event_id: int) -> HttpResponse:
    event = selectors.event_for_manager(request.user, event_id)
    participants = selectors.event_participants(event)
    if request.method == "POST":
        present: dict[int, set[date]] = {p.pk: set() for p in participants}
        for value in request.POST.getlist("present"):
            pid_text, _sep, day_text = value.partition("@")
            pid, day = _int(pid_text), _parse_day(day_text)
            if pid is None or day is None:
                messages.error(request, _("The attendance form was not understood."))
                return redirect("training:attendance", event_id=event.pk)
            present.setdefault(pid, set()).add(day)
        try:
            services.attendance_set(by=request.user, event=event, present=present, request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("training:attendance", event_id=event.pk)
        messages.success(request, _("Attendance was saved."))
        return redirect("training:event", event_id=event.pk)
    rows = [
        (p, [(day, day in {d.day for d in p.days.all()}) for day in event.days])
        for p in participants
    ]
    return render(
        request, "training/attendance.html", {"event": event, "days": event.days, "rows": rows}
    )


@login_required
def scores(request: AuthenticatedHttpRequest, event_id: int) -> HttpResponse:
    event = selectors.event_for_manager(request.user, event_id)
    participants = selectors.event_participants(event)
    errors: list[str] = []
    if request.method == "POST":
        values = {
            p.pk: (
                request.POST.get(f"pre_{p.pk}", "")[:20],
                request.POST.get(f"post_{p.pk}", "")[:20],
            )
            for p in participants
        }
        try:
            services.scores_set(by=request.user, event=event, scores=values, request=request)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("Test results were saved."))
            return redirect("training:event", event_id=event.pk)
    return render(
        request,
        "training/scores.html",
        {"event": event, "participants": participants, "errors": errors},
        status=422 if errors else 200,
    )


@login_required
@require_POST
def certificate_issue(
    request: AuthenticatedHttpRequest, event_id: int, participant_id: int
) -> HttpResponse:
    permissions.require_coordinator(request.user)
    event = selectors.event_for_manager(request.user, event_id)
    participant = event.participants.filter(pk=participant_id).first()
    if participant is None:
        raise Http404
    try:
        issued = services.certificate_issue_for_participant(
            by=request.user,
            participant=participant,
            request=request,
        )
        messages.success(request, _("%(count)d certificate(s) issued.") % {"count": len(issued)})
    except Refused as exc:
        messages.error(request, str(exc))
    return redirect("training:event", event_id=event.pk)


@login_required
def event_export(request: AuthenticatedHttpRequest, event_id: int) -> HttpResponse:
    event = selectors.event_for_manager(request.user, event_id)
    participants = selectors.event_participants(event)
    total_days = len(event.days)
    record(
        actor=request.user,
        action=Action.EXPORT,
        obj=event,
        request=request,
        detail={"format": "csv"},
    )
    return exports.csv_response(
        f"event-{event.pk}-participants.csv",
        [
            _("Full name"),
            _("Agency"),
            _("Position"),
            _("Region"),
            _("Sex"),
            _("Professional group"),
            _("Attendance (%)"),
            _("Pre-test (%)"),
            _("Post-test (%)"),
            _("Certificate"),
        ],
        (
            [
                p.full_name,
                p.agency_name,
                p.position,
                p.region.name if p.region else "",
                p.get_sex_display(),
                p.get_audience_display(),
                (100 * p.attended) // total_days if total_days else 0,  # type: ignore[attr-defined]
                p.pre_score if p.pre_score is not None else "",
                p.post_score if p.post_score is not None else "",
                " ".join(c.display_code for c in p.certificates.all() if c.revoked_at is None),
            ]
            for p in participants
        ),
    )
