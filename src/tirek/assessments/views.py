"""Assessment pages of a case: list with trends, start, fill in, complete, compare."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tirek.access.policy import Section, can_see, get_case
from tirek.core.exceptions import Conflict, Refused
from tirek.core.http import AuthenticatedHttpRequest

from . import selectors, services
from .casework import case_context
from .forms import AnswersForm, StartForm
from .models import AssessmentStatus
from .trends import build_trend, default_instrument


@login_required
def case_assessments(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case = get_case(request.user, case_id, section=Section.PLAN, request=request)
    assessments = list(selectors.case_assessments(case))
    versions = selectors.instruments_for(case)
    chosen = default_instrument(assessments, request.GET.get("instrument", ""))
    built = build_trend(assessments, chosen)
    return render(
        request,
        "assessments/case_assessments.html",
        {
            **case_context(case, "assessments"),
            "assessments": assessments,
            "start_form": StartForm(versions=versions) if versions else None,
            "trend_options": sorted(
                {
                    a.instrument_version.instrument.code: a.instrument_version.display_title
                    for a in assessments
                    if a.status == AssessmentStatus.COMPLETED
                }.items()
            ),
            "trend_code": chosen,
            "trend_assessments": built.assessments,
            "charts": built.charts,
        },
    )


@login_required
@require_POST
def assessment_start(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case = get_case(request.user, case_id, section=Section.PLAN, request=request)
    form = StartForm(request.POST, versions=selectors.instruments_for(case))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("assessments:case_assessments", case.pk)
    try:
        assessment = services.assessment_create(
            user=request.user,
            case_id=case.pk,
            instrument_code=form.cleaned_data["instrument"],
            assessed_on=form.cleaned_data["assessed_on"],
            request=request,
        )
    except (ValidationError, Refused) as exc:
        messages.error(request, " ".join(_messages(exc)))
        return redirect("assessments:case_assessments", case.pk)
    return redirect("assessments:detail", case.pk, assessment.pk)


def _messages(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return [str(m) for m in exc.messages]
    return [str(exc)]


@login_required
@require_http_methods(["GET", "POST"])
def assessment_detail(
    request: AuthenticatedHttpRequest, case_id: int, assessment_id: int
) -> HttpResponse:
    assessment = selectors.assessment_for(request.user, assessment_id, request=request)
    if assessment.case_id != int(case_id):
        raise Http404
    case = assessment.case
    definition = assessment.instrument_version.parsed
    age = services.assessment_age(assessment)
    fillable = services.fillable_domains(request.user, case, definition)
    form = None
    if assessment.status == AssessmentStatus.DRAFT:
        form = AnswersForm(
            request.POST or None,
            assessment=assessment,
            definition=definition,
            age=age,
            fillable=fillable,
        )
        if request.method == "POST":
            response = _save(request, assessment, form)
            if response is not None:
                return response
    elif request.method == "POST":
        raise Http404
    see_psychological = can_see(request.user, case, Section.PSYCHOLOGICAL)
    answers = assessment.answers
    answered_blocks = []
    for domain in definition.applicable(age):
        visible = see_psychological or not domain.psychological
        answered_blocks.append(
            {
                "domain": domain,
                "visible": visible,
                "items": [
                    (q, q.display(answers.get(q.code)))
                    for q in domain.questions
                    if visible and answers.get(q.code) is not None
                ],
                "answered": sum(1 for q in domain.questions if answers.get(q.code) is not None),
            }
        )
    previous = selectors.previous_completed(assessment) if not assessment.is_draft else None
    return render(
        request,
        "assessments/detail.html",
        {
            **case_context(case, "assessments"),
            "assessment": assessment,
            "definition": definition,
            "licence": definition.data.get("licence", {}),
            "form": form,
            "answered_blocks": answered_blocks,
            "scores": [(definition.domain_title(s.domain), s) for s in assessment.scores.all()],
            "previous": previous,
            "changes": selectors.compare(previous, assessment) if previous else [],
            "age": age,
        },
        status=422 if request.method == "POST" else 200,
    )


def _save(
    request: AuthenticatedHttpRequest, assessment: Any, form: AnswersForm
) -> HttpResponse | None:
    action = request.POST.get("action", "save")
    try:
        expected = int(request.POST.get("version", ""))
    except ValueError:
        expected = -1
    if action == "discard":
        try:
            services.assessment_discard(
                user=request.user,
                assessment_id=assessment.pk,
                expected_version=expected,
                request=request,
            )
        except (Conflict, Refused) as exc:
            messages.error(request, str(exc))
            return redirect("assessments:detail", assessment.case_id, assessment.pk)
        messages.success(request, _("The draft was deleted."))
        return redirect("assessments:case_assessments", assessment.case_id)
    if not form.is_valid():
        return None
    try:
        saved = services.assessment_answer(
            user=request.user,
            assessment_id=assessment.pk,
            expected_version=expected,
            answers=form.raw_answers(),
            own_views=form.cleaned_data["own_views"],
            remarks=form.cleaned_data["remarks"],
            assessed_on=form.cleaned_data["assessed_on"],
            request=request,
        )
    except ValidationError as exc:
        form.add_service_errors(exc.message_dict)
        return None
    except (Conflict, Refused) as exc:
        messages.error(request, str(exc))
        return redirect("assessments:detail", assessment.case_id, assessment.pk)
    if action != "complete":
        messages.success(request, _("The draft is saved."))
        return redirect("assessments:detail", assessment.case_id, assessment.pk)
    try:
        services.assessment_complete(
            user=request.user,
            assessment_id=saved.pk,
            expected_version=saved.version,
            request=request,
        )
    except ValidationError as exc:
        # The answers are saved; show what completion still needs, next to the questions.
        messages.warning(request, _("The draft is saved, but it cannot be completed yet."))
        form = AnswersForm(
            request.POST,
            assessment=saved,
            definition=form.definition,
            age=services.assessment_age(saved),
            fillable=form.fillable,
        )
        form.is_valid()
        form.add_service_errors(exc.message_dict)
        return render(
            request,
            "assessments/detail.html",
            {
                **case_context(saved.case, "assessments"),
                "assessment": saved,
                "definition": form.definition,
                "licence": form.definition.data.get("licence", {}),
                "form": form,
                "age": services.assessment_age(saved),
            },
            status=422,
        )
    except (Conflict, Refused) as exc:
        messages.error(request, str(exc))
        return redirect("assessments:detail", assessment.case_id, assessment.pk)
    messages.success(request, _("The assessment is completed and scored."))
    return redirect("assessments:detail", assessment.case_id, assessment.pk)
