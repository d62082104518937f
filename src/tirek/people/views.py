"""People screens: registration with the duplicate check, the person page, the family.

Every person is found through ``selectors.get_person`` (the access policy): one the user
may not open is a 404, exactly like a missing one. Lists show initials and the year of
birth; the full name appears only on the person's own page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tirek.access import policy
from tirek.access.policy import Section
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.cases.models import Case, CaseStatus
from tirek.cases.panels import WorkPanel, WorkRow, work_row
from tirek.core.exceptions import Conflict, Refused
from tirek.core.forms import add_errors, step_done, submit
from tirek.core.http import AuthenticatedHttpRequest
from tirek.core.ratelimit import RateLimited
from tirek.organisations.models import Region

from . import matching, selectors, services
from .choices import country_label, language_label
from .forms import (
    DocumentForm,
    HouseholdForm,
    MergeDecisionForm,
    MergeRequestForm,
    NameForm,
    PersonEditForm,
    PhotoForm,
    RegisterForm,
    RelativeForm,
)
from .models import (
    CARE_KINDS,
    IdentityDocument,
    MergeRequest,
    MergeState,
    Person,
    PersonName,
    Relationship,
)

if TYPE_CHECKING:
    from tirek.accounts.models import User

PAGE_SIZE = 25


def may_use_people(user: User) -> bool:
    """The "People" screens are for casework roles (the policy decides which records)."""
    return policy.works_on_cases(user)


def _casework_only(request: AuthenticatedHttpRequest) -> None:
    if not may_use_people(request.user):
        raise PermissionDenied


def _registering_only(request: AuthenticatedHttpRequest) -> None:
    if not selectors.may_check_duplicates(request.user):
        raise PermissionDenied


def _person(request: AuthenticatedHttpRequest, pk: int, *, audit: bool = False) -> Person:
    return selectors.get_person(request.user, pk, request=request, audit=audit)


def _require(
    request: AuthenticatedHttpRequest, person: Person, section: str, *, write: bool = False
) -> frozenset[str]:
    sections = selectors.person_sections(request.user, person, for_writing=write)
    if section not in sections:
        if write:
            raise PermissionDenied
        raise Http404
    return sections


# --- list -----------------------------------------------------------------------------------


@login_required
def person_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _casework_only(request)
    q = request.GET.get("q", "")[:200]
    if "\x00" in q:
        q = ""
    people = selectors.search_people(request.user, q).only(
        "pk", "given_name", "family_name", "birth_date"
    )
    matches = selectors.CappedList(people)
    page: Page[Any] = Paginator(cast(Any, matches), PAGE_SIZE).get_page(request.GET.get("page"))
    if q:
        record(
            actor=request.user,
            action=Action.SEARCH,
            object_type="people.person",
            request=request,
            detail={"kind": "name_search", "results": page.paginator.count},
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "people/list.html",
        {
            "page": page,
            "capped": matches.capped,
            "q": q,
            "query": query.urlencode(),
            "may_register": selectors.may_check_duplicates(request.user),
        },
    )


# --- registration with the duplicate check --------------------------------------------------


def _identity_from(data: dict[str, Any], spellings: list[str]) -> matching.Identity | None:
    given, family = (data.get("given_name") or "").strip(), (data.get("family_name") or "").strip()
    if not given or not family:
        return None
    sex = data.get("sex") or ""
    return matching.Identity(
        given=(given,),
        family=(family,),
        patronymic=((data.get("patronymic") or "").strip(),) if data.get("patronymic") else (),
        full=tuple(spellings),
        birth=matching.Birth(
            data.get("birth_date"),
            data.get("birth_date_precision") or "day",
            bool(data.get("birth_date_estimated")),
        ),
        sex="" if sex == "unknown" else sex,
        iin=data.get("iin") or "",
    )


def _check(
    request: AuthenticatedHttpRequest, identity: matching.Identity
) -> tuple[list[selectors.Candidate], str]:
    try:
        return selectors.duplicate_check(request.user, identity, request=request), ""
    except RateLimited:
        return [], _("Too many checks in a minute: wait a little, then change a field again.")


def _candidate_context(candidates: list[selectors.Candidate]) -> list[dict[str, Any]]:
    rows = []
    for c in candidates:
        rows.append(
            {
                "candidate": c,
                "percent": round(c.score * 100),
                "reasons": [selectors.reason_text(code) for code in c.reasons] if c.visible else [],
                "unit": selectors.unit_label(c.person.registered_by_unit),
            }
        )
    return rows


@login_required
@require_POST
def duplicate_check_fragment(request: AuthenticatedHttpRequest) -> HttpResponse:
    """htmx: the registration form's fields in, the candidates panel out."""
    _registering_only(request)
    form = RegisterForm(request.POST)
    form.is_valid()  # partial input is normal while typing; use what is clean
    data = getattr(form, "cleaned_data", {})
    spellings = form.spellings() if "other_spellings" in data else []
    identity = _identity_from(data, spellings)
    candidates, error = ([], "") if identity is None else _check(request, identity)
    return render(
        request,
        "people/_candidates.html",
        {"rows": _candidate_context(candidates), "error": error, "checked": identity is not None},
    )


@login_required
def register(request: AuthenticatedHttpRequest) -> HttpResponse:
    _registering_only(request)
    form = RegisterForm(request.POST or None)
    rows: list[dict[str, Any]] = []
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        identity = _identity_from(data, form.spellings())
        assert identity is not None
        candidates, error = _check(request, identity)
        rows = _candidate_context(candidates)
        decision = data.get("decision") or ""
        probable = [c for c in candidates if c.probable]
        if error:
            pass
        elif decision.startswith("same:"):
            return _same_person(request, decision, candidates)
        elif probable and decision != "different":
            form.add_error(
                None,
                _(
                    "A record that is probably the same person is on file. Choose: open that "
                    "record, or register a different person and say why."
                ),
            )
        elif probable and len((data.get("dismiss_reason") or "").strip()) < 5:
            form.add_error("dismiss_reason", _("Say why this is a different person."))
        else:
            # The service checks again under the registration lock: someone may have
            # registered the same child since this form was shown (issue 10).
            try:
                person = services.person_register(
                    by=request.user,
                    identity=identity,
                    not_duplicate_of=[c.person.pk for c in probable],
                    not_duplicate_reason=data.get("dismiss_reason") or "",
                    **{k: data[k] for k in RegisterForm.Meta.fields},
                    other_names=[("full", s) for s in form.spellings()],
                    request=request,
                )
            except services.ProbableDuplicate as exc:
                rows = _candidate_context(exc.candidates)
                form.add_error(
                    None,
                    _(
                        "A record that is probably the same person is on file. Choose: open "
                        "that record, or register a different person and say why."
                    ),
                )
            except RateLimited:
                form.add_error(
                    None, _("Too many checks in a minute: wait a little, then try again.")
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The person is registered."))
                return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/register.html",
        {
            "form": form,
            "rows": rows,
            "error": error,
            "checked": bool(rows) or request.method == "POST",
        },
    )


def _same_person(
    request: HttpRequest, decision: str, candidates: list[selectors.Candidate]
) -> HttpResponse:
    """ "This is the same person": open their record, or say whom to ask. No new record."""
    try:
        pk = int(decision.split(":", 1)[1])
    except ValueError as exc:
        raise Http404 from exc
    chosen = next((c for c in candidates if c.person.pk == pk), None)
    if chosen is None:
        raise Http404
    record(
        actor=request.user,
        action=Action.SEARCH,
        object_type="people.person",
        object_id=pk,
        request=request,
        detail={"kind": "duplicate_confirmed", "score": chosen.score},
    )
    if chosen.visible:
        messages.info(request, _("No new record was made: this is the person's existing record."))
        return redirect("people:detail", pk=pk)
    unit = chosen.person.registered_by_unit
    return render(request, "people/contact_unit.html", {"unit": unit, "record_id": pk})


# --- the person page ------------------------------------------------------------------------


def _open_case_allowed(
    request: AuthenticatedHttpRequest, person: Person, cases: list[Case]
) -> bool:
    if not selectors.may_check_duplicates(request.user):
        return False
    return not any(c.status != CaseStatus.CLOSED for c in Case.objects.filter(person=person))


@login_required
@never_cache
def person_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk, audit=True)
    user = request.user
    sections = selectors.person_sections(user, person)
    writable = selectors.person_sections(user, person, for_writing=True)
    cases = list(policy.visible_cases(user).filter(person=person).order_by("-opened_at"))
    context: dict[str, Any] = {
        "person": person,
        "S": Section,
        "sections": sections,
        "writable": writable,
        "names": list(PersonName.objects.filter(person=person)),
        "languages": [language_label(code) for code in person.languages or []],
        "birth_country": country_label(person.birth_country) if person.birth_country else "",
        "citizenship": country_label(person.citizenship) if person.citizenship else "",
        "has_photo": hasattr(person, "photo"),
        "cases": cases,
        "may_open_case": _open_case_allowed(request, person, cases),
        "name_form": NameForm(),
        "photo_form": PhotoForm(),
    }
    if Section.LEGAL in sections:
        context["documents"] = list(IdentityDocument.objects.filter(person=person))
    if Section.FAMILY in sections:
        context["relatives"] = selectors.family_of(user, person)
        context["household"] = selectors.household_of(user, person)
    if selectors.may_check_duplicates(user):
        context["merge_pending"] = MergeRequest.objects.filter(
            state=MergeState.REQUESTED, duplicate=person
        ).exists()
    return render(request, "people/detail.html", context)


@login_required
def person_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk, audit=True)  # the form shows the IIN and every identifier
    writable = selectors.person_sections(request.user, person, for_writing=True)
    editable = frozenset(f for f, s in services.PERSON_FIELDS.items() if s in writable)
    if not editable:
        raise PermissionDenied
    initial = {"version": person.version}
    form = PersonEditForm(request.POST or None, instance=person, initial=initial, editable=editable)

    def update() -> None:
        services.person_update(
            by=request.user,
            person=Person.objects.get(pk=person.pk),
            version=form.cleaned_data["version"],
            changes={f: form.cleaned_data[f] for f in editable if f in form.cleaned_data},
            request=request,
        )

    if request.method == "POST" and submit(
        request, form, update, _("Saved."), failures=(Conflict, ValidationError)
    ):
        return redirect("people:detail", pk=person.pk)
    return render(request, "people/edit.html", {"form": form, "person": person})


@login_required
@require_POST
def name_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    form = NameForm(request.POST)
    if form.is_valid():
        step_done(
            request,
            lambda: services.person_name_add(
                by=request.user,
                person=person,
                kind=form.cleaned_data["kind"],
                value=form.cleaned_data["value"],
                request=request,
            ),
            _("The spelling is added."),
        )
    else:
        messages.error(request, _("Enter the name and its kind."))
    return redirect("people:detail", pk=person.pk)


@login_required
@require_POST
def name_remove(request: AuthenticatedHttpRequest, pk: int, name_id: int) -> HttpResponse:
    person = _person(request, pk)
    name = get_object_or_404(PersonName, pk=name_id, person=person)
    services.person_name_remove(by=request.user, name=name, request=request)
    messages.success(request, _("The spelling is removed."))
    return redirect("people:detail", pk=person.pk)


@login_required
def document_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    _require(request, person, Section.LEGAL, write=True)
    form = DocumentForm(request.POST or None)
    if request.method == "POST" and submit(
        request,
        form,
        lambda: services.document_add(
            by=request.user, person=person, **form.cleaned_data, request=request
        ),
        _("The document is recorded."),
    ):
        return redirect("people:detail", pk=person.pk)
    return render(request, "people/document_form.html", {"form": form, "person": person})


@login_required
@require_POST
def document_remove(request: AuthenticatedHttpRequest, pk: int, document_id: int) -> HttpResponse:
    person = _person(request, pk)
    document = get_object_or_404(IdentityDocument, pk=document_id, person=person)
    services.document_remove(by=request.user, document=document, request=request)
    messages.success(request, _("The document is removed."))
    return redirect("people:detail", pk=person.pk)


@login_required
@never_cache
def photo(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The photo, decrypted for someone who may open the record; never cached."""
    person = _person(request, pk)
    _require(request, person, Section.CORE)
    stored = getattr(person, "photo", None)
    if stored is None:
        raise Http404
    from tirek.core import crypto

    data = crypto.decrypt_bytes(bytes(stored.data))
    record(
        actor=request.user, action=Action.READ, obj=person, request=request, detail={"photo": True}
    )
    response = HttpResponse(data, content_type=stored.content_type)
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    return response


@login_required
@require_POST
def photo_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose an image file."))
        return redirect("people:detail", pk=person.pk)
    upload = form.cleaned_data["photo"]
    if upload.size > services.photo_max_bytes():
        messages.error(request, _("The photo is too large."))
        return redirect("people:detail", pk=person.pk)
    step_done(
        request,
        lambda: services.photo_set(
            by=request.user, person=person, data=upload.read(), request=request
        ),
        _("The photo is saved."),
    )
    return redirect("people:detail", pk=person.pk)


@login_required
@require_POST
def photo_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    services.photo_remove(by=request.user, person=person, request=request)
    messages.success(request, _("The photo is removed."))
    return redirect("people:detail", pk=person.pk)


@login_required
@require_POST
def open_case(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The last step of registration: open the person's case."""
    person = _person(request, pk)
    _registering_only(request)
    try:
        case = services.case_open_for(by=request.user, person=person, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("people:detail", pk=person.pk)
    messages.success(request, _("The case is opened."))
    return redirect(f"/cases/{case.pk}/")


# --- family ---------------------------------------------------------------------------------


@login_required
def family(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    _require(request, person, Section.FAMILY)
    record(
        actor=request.user,
        action=Action.READ,
        obj=person,
        request=request,
        detail={"section": Section.FAMILY},
    )
    membership = selectors.household_of(request.user, person)
    writable = selectors.person_sections(request.user, person, for_writing=True)
    return render(
        request,
        "people/family.html",
        {
            "person": person,
            "relatives": selectors.family_of(request.user, person),
            "household": membership,
            "household_members": selectors.household_members(membership) if membership else [],
            "may_write": Section.FAMILY in writable,
        },
    )


@login_required
def relative_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    _require(request, person, Section.FAMILY, write=True)
    q = request.GET.get("q", "").replace("\x00", "")[:200]
    results = []
    if q:
        results = list(
            selectors.search_people(request.user, q)
            .exclude(pk=person.pk)
            .only("pk", "given_name", "family_name", "birth_date")[:20]
        )
    form = RelativeForm(request.POST or None)

    def add() -> None:
        data = form.cleaned_data
        services.relationship_create(
            by=request.user,
            person=person,
            relative=_relative(request, data),
            kind=data["kind"],
            legal_basis=data["legal_basis"] if data["kind"] in CARE_KINDS else "",
            basis_reference=data["basis_reference"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            note=data["note"],
            request=request,
        )

    if request.method == "POST" and submit(
        request, form, add, _("The relative is added to the family.")
    ):
        return redirect("people:family", pk=person.pk)
    return render(
        request,
        "people/relative_form.html",
        {"person": person, "form": form, "q": q, "results": results},
    )


def _relative(request: AuthenticatedHttpRequest, data: dict[str, Any]) -> Person:
    if data.get("relative_id"):
        relative = selectors.visible_people(request.user).filter(pk=data["relative_id"]).first()
        if relative is None:
            raise ValidationError({"relative_id": _("No such person.")})
        return relative
    return services.person_create(
        by=request.user,
        given_name=data["given_name"],
        family_name=data["family_name"],
        patronymic=data["patronymic"],
        sex=data["sex"],
        birth_date=data["birth_date"],
        birth_date_estimated=data["birth_date_estimated"],
        request=request,
    )


@login_required
@require_POST
def relative_remove(request: AuthenticatedHttpRequest, pk: int, rel_id: int) -> HttpResponse:
    person = _person(request, pk)
    rel = get_object_or_404(Relationship, pk=rel_id, person=person)
    services.relationship_remove(by=request.user, relationship=rel, request=request)
    messages.success(request, _("The relationship is removed."))
    return redirect("people:family", pk=person.pk)


@login_required
def household_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    _require(request, person, Section.FAMILY, write=True)
    relatives = [r.person for r in selectors.family_of(request.user, person) if r.visible]
    people = [(str(p.pk), f"{p.full_name} ({p.birth_year or '—'})") for p in relatives]
    regions = [(str(r.pk), r.name) for r in Region.objects.exclude(kind=Region.Kind.COUNTRY)]
    form = HouseholdForm(request.POST or None, regions=regions, people=people)

    def save() -> None:
        data = form.cleaned_data
        by_id = {str(p.pk): p for p in relatives}
        by_id[str(person.pk)] = person
        services.household_set(
            by=request.user,
            person=person,
            label=data["label"],
            region=Region.objects.filter(pk=data["region"]).first() if data["region"] else None,
            locality=data["locality"],
            members=[by_id[m] for m in data["members"]],
            head=by_id.get(data["head"]) if data["head"] else None,
            since=data["since"],
            request=request,
        )

    if request.method == "POST" and submit(request, form, save, _("The household is saved.")):
        return redirect("people:family", pk=person.pk)
    return render(request, "people/household_form.html", {"person": person, "form": form})


# --- merges ---------------------------------------------------------------------------------


@login_required
def merge_request(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Ask a supervisor to merge another record of this person into this one."""
    kept = _person(request, pk)  # a person the user may not see is a 404 first
    _registering_only(request)
    form = MergeRequestForm(
        request.POST or None, initial={"duplicate_id": request.GET.get("duplicate", "")}
    )

    def ask() -> None:
        duplicate = (
            selectors.visible_people(request.user)
            .filter(pk=form.cleaned_data["duplicate_id"])
            .first()
        )
        if duplicate is None:
            raise ValidationError({"duplicate_id": _("No such person.")})
        services.merge_request_create(
            by=request.user,
            kept=kept,
            duplicate=duplicate,
            reason=form.cleaned_data["reason"],
            request=request,
        )

    if request.method == "POST" and submit(
        request, form, ask, _("The merge is requested; a supervisor will decide.")
    ):
        return redirect("people:detail", pk=kept.pk)
    return render(request, "people/merge_request.html", {"person": kept, "form": form})


@login_required
def merge_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.has_role("supervisor"):
        raise PermissionDenied
    return render(
        request,
        "people/merge_list.html",
        {"merges": selectors.merge_requests_to_decide(request.user)},
    )


@login_required
def merge_decide(request: AuthenticatedHttpRequest, merge_id: int) -> HttpResponse:
    merge = selectors.merge_requests_to_decide(request.user).filter(pk=merge_id).first()
    if merge is None:
        raise Http404
    form = MergeDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.merge_request_decide(
                by=request.user,
                merge=merge,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
                request=request,
            )
        except (Refused, Conflict) as exc:
            form.add_error(None, str(exc))
        else:
            if form.cleaned_data["decision"] == "approve":
                messages.success(request, _("The records are merged."))
                return redirect("people:detail", pk=merge.kept_id)
            messages.success(request, _("The request is rejected: the records stay apart."))
            return redirect("people:merges")
    return render(request, "people/merge_decide.html", {"merge": merge, "form": form})


# --- shell plug-ins -------------------------------------------------------------------------


def _merge_rows(request: AuthenticatedHttpRequest) -> list[Any]:
    """Merge requests waiting for the supervisor's decision, read with the other "my work"
    rows in one query."""
    user = request.user
    if not getattr(user, "is_authenticated", False) or not user.has_role("supervisor"):
        return []
    return [work_row(selectors.merge_requests_to_decide(user), "merge_request")]


def _merges(request: AuthenticatedHttpRequest, rows: list[WorkRow]) -> dict[str, Any] | None:
    """Supervisors: merge requests waiting for a decision."""
    if not rows:
        return None
    return {
        "title": _("Records to merge"),
        "template": "people/panel_merges.html",
        "count": len(rows),
        "url": reverse("people:merges"),
    }


my_work_panel = WorkPanel(rows=_merge_rows, build=_merges, kinds=frozenset({"merge_request"}))


def case_panel(
    request: AuthenticatedHttpRequest, case: Any, sections: frozenset[str]
) -> dict[str, Any] | None:
    """On the case page: a link to the person's record and, with the family section,
    who the family is."""
    person = case.person
    context: dict[str, Any] = {
        "title": _("Person and family"),
        "template": "people/panel_case.html",
        "person": person,
        "person_visible": selectors.visible_people(request.user).filter(pk=person.pk).exists(),
    }
    if Section.FAMILY in sections:
        context["relatives"] = selectors.family_of(request.user, person)
        context["show_family"] = True
    return context
