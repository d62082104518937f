"""Writes of the justice pathway: transactional, audited, each checked against the policy.

A user who may not see the section of the case gets the case's 404; a user who sees it
but may not write (emergency access) gets PermissionDenied; bad input raises a
ValidationError naming the field and writes nothing."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from tirek.access import policy
from tirek.accounts.models import User
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.cases.models import Case
from tirek.core.validation import clean_text

from .dates import check_date, check_order
from .models import (
    Condition,
    ContactEvent,
    ContactKind,
    ContactStatus,
    LegalStatus,
    LegalUpdate,
    Status,
    SupportKind,
    SupportRecord,
    UpdateKind,
    support_section,
)

# What the pathway records on a case, each row written once and audited.
Entry = TypeVar("Entry", LegalStatus, Condition, ContactEvent, SupportRecord, LegalUpdate)


def _writable(by: User, case: Case, section: str) -> None:
    if not policy.can_see(by, case, section):
        raise Http404
    if not policy.can_write(by, case, section):
        raise PermissionDenied(_("You may read this section but not change it."))


def _choice(value: str, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: _("Choose one of the listed values.")})
    return value


def _adults_only(case: Case) -> None:
    if not policy.is_adult(case.person):
        raise ValidationError(
            {"case": _("The justice pathway is recorded on an adult's case, never a child's.")}
        )


def _full_clean(obj: Any) -> None:
    obj.full_clean(exclude=["case", "recorded_by"])


def _save_entry(
    by: User,
    entry: Entry,
    request: HttpRequest | None,
    *,
    section: str,
    action: Action = Action.CREATE,
    **detail: Any,
) -> Entry:
    """Validate and save ``entry`` of a case's justice pathway, with its audit entry: the
    case and section always, the text never."""
    _full_clean(entry)
    entry.save()
    record(
        actor=by,
        action=action,
        obj=entry,
        request=request,
        detail={"case": entry.case_id, "section": section, **detail},
    )
    return entry


@transaction.atomic
def status_record(
    *,
    by: User,
    case: Case,
    status: str,
    start_date: date,
    institution: str = "",
    contact: str = "",
    end_date: date | None = None,
    next_review: date | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> LegalStatus:
    """A new legal status; the previous one stays as history (its end is the new start,
    unless it had ended already)."""
    _writable(by, case, LegalStatus.SECTION)
    _adults_only(case)
    _choice(status, Status, "status")
    check_date(start_date, "start_date", past=True)
    check_date(end_date, "end_date")
    check_date(next_review, "next_review")
    check_order(start_date, end_date, "end_date")
    check_order(start_date, next_review, "next_review")
    previous = LegalStatus.objects.filter(case=case).first()
    if previous is not None and start_date < previous.start_date:
        raise ValidationError(
            {"start_date": _("The new status cannot start before the current one.")}
        )
    entry = LegalStatus(
        case=case,
        status=status,
        institution=clean_text(institution, "institution", limit=200),
        contact=clean_text(contact, "contact", limit=200),
        start_date=start_date,
        end_date=end_date,
        next_review=next_review,
        note=clean_text(note, "note"),
        recorded_by=by,
    )
    _save_entry(by, entry, request, section=LegalStatus.SECTION, status=status)
    if previous is not None and (previous.end_date is None or previous.end_date > start_date):
        previous.end_date = start_date
        previous.save(update_fields=["end_date"])
    return entry


@transaction.atomic
def condition_add(
    *,
    by: User,
    case: Case,
    text: str,
    review_date: date | None = None,
    request: HttpRequest | None = None,
) -> Condition:
    _writable(by, case, Condition.SECTION)
    _adults_only(case)
    check_date(review_date, "review_date")
    condition = Condition(
        case=case,
        text=clean_text(text, "text", required=True),
        review_date=review_date,
        recorded_by=by,
    )
    return _save_entry(by, condition, request, section=Condition.SECTION)


@transaction.atomic
def contact_record(
    *,
    by: User,
    case: Case,
    kind: str,
    status: str,
    on_date: date,
    with_whom: str,
    accompanied_by: str = "",
    child_reaction: str = "",
    request: HttpRequest | None = None,
) -> ContactEvent:
    """A visit, call or letter between the child of ``case`` and a parent in custody."""
    _writable(by, case, ContactEvent.SECTION)
    if policy.is_adult(case.person):
        raise ValidationError({"case": _("Contact with a parent is recorded on the child's case.")})
    _choice(kind, ContactKind, "kind")
    _choice(status, ContactStatus, "status")
    check_date(on_date, "on_date", past=status == ContactStatus.HELD)
    event = ContactEvent(
        case=case,
        kind=kind,
        status=status,
        on_date=on_date,
        with_whom=clean_text(with_whom, "with_whom", required=True, limit=200),
        accompanied_by=clean_text(accompanied_by, "accompanied_by", limit=200),
        child_reaction=clean_text(child_reaction, "child_reaction"),
        recorded_by=by,
    )
    return _save_entry(by, event, request, section=ContactEvent.SECTION, kind=kind)


@transaction.atomic
def support_record(
    *,
    by: User,
    case: Case,
    kind: str,
    provider: str,
    start_date: date,
    end_date: date | None = None,
    outcome: str = "",
    request: HttpRequest | None = None,
) -> SupportRecord:
    """Livelihood support (training, employment, housing) is written by those who may
    write the SOCIAL section, religious counselling by those of COUNSELLING."""
    _choice(kind, SupportKind, "kind")
    section = support_section(kind)
    if section is None:  # a listed kind without a section: nobody records it
        raise ValidationError({"kind": _("Choose one of the listed values.")})
    _writable(by, case, section)
    _adults_only(case)
    check_date(start_date, "start_date")
    check_date(end_date, "end_date")
    check_order(start_date, end_date, "end_date")
    entry = SupportRecord(
        case=case,
        kind=kind,
        provider=clean_text(provider, "provider", required=True, limit=200),
        start_date=start_date,
        end_date=end_date,
        outcome=clean_text(outcome, "outcome"),
        recorded_by=by,
    )
    return _save_entry(by, entry, request, section=section, kind=kind)


# --- updating the legal status ------------------------------------------------------------


def _basis(value: str) -> str:
    value = clean_text(value, "legal_basis", required=True, limit=300)
    if len(value) < 3:
        raise ValidationError({"legal_basis": _("Name the decision this change rests on.")})
    return value


def _open_condition(case: Case, condition: Condition | None) -> Condition:
    if condition is None or condition.case_id != case.pk:
        raise ValidationError({"condition": _("Choose a condition of this case.")})
    if condition.lifted_on is not None:
        raise ValidationError({"condition": _("This condition has already been lifted.")})
    return condition


def _current(case: Case) -> LegalStatus:
    current = LegalStatus.objects.select_for_update().filter(case=case).first()
    if current is None:
        raise ValidationError({"__all__": _("Record a legal status first.")})
    return current


@transaction.atomic
def legal_update(
    *,
    by: User,
    case: Case,
    kind: str,
    on_date: date,
    legal_basis: str,
    note: str = "",
    condition: Condition | None = None,
    text: str = "",
    review_date: date | None = None,
    next_review: date | None = None,
    institution: str | None = None,
    contact: str | None = None,
    request: HttpRequest | None = None,
) -> LegalUpdate:
    """Change the current legal status or a condition, with the legal basis recorded:

    - ``lifted``: ``condition`` is lifted on ``on_date``;
    - ``changed``: ``condition`` gets a new ``text`` and/or ``review_date`` (empty: kept);
    - ``review``: a review held on ``on_date``; ``next_review`` is the next one;
    - ``contact``: the current status's ``institution`` and ``contact`` change.

    One transaction with its audit entry; any refusal writes nothing."""
    _writable(by, case, LegalUpdate.SECTION)
    _adults_only(case)
    _choice(kind, UpdateKind, "kind")
    check_date(on_date, "on_date", past=True)
    basis = _basis(legal_basis)
    note = clean_text(note, "note")
    changed: list[str] = []
    target: Condition | None = None
    if kind == UpdateKind.CONDITION_LIFTED:
        target = _open_condition(case, condition)
        target.lifted_on = on_date
        target.save(update_fields=["lifted_on"])
        changed = ["lifted_on"]
    elif kind == UpdateKind.CONDITION_CHANGED:
        target = _open_condition(case, condition)
        # Left empty, the text or the review date stays as it is.
        new_text = clean_text(text, "text") or target.text
        check_date(review_date, "review_date")
        review_date = review_date or target.review_date
        if new_text == target.text and review_date == target.review_date:
            raise ValidationError({"text": _("Change the text or the review date.")})
        changed = [
            f
            for f, old, new in (
                ("text", target.text, new_text),
                ("review_date", target.review_date, review_date),
            )
            if old != new
        ]
        target.text, target.review_date = new_text, review_date
        _full_clean(target)
        target.save(update_fields=["text", "review_date"])
    elif kind == UpdateKind.REVIEW:
        current = _current(case)
        check_date(next_review, "next_review")
        check_order(on_date, next_review, "next_review")
        current.next_review = next_review
        current.save(update_fields=["next_review"])
        changed = ["next_review"]
    else:
        current = _current(case)
        new_institution = clean_text(institution, "institution", limit=200)
        new_contact = clean_text(contact, "contact", limit=200)
        if (new_institution, new_contact) == (current.institution, current.contact):
            raise ValidationError({"institution": _("Change the institution or the contact.")})
        changed = [
            f
            for f, old, new in (
                ("institution", current.institution, new_institution),
                ("contact", current.contact, new_contact),
            )
            if old != new
        ]
        current.institution, current.contact = new_institution, new_contact
        _full_clean(current)
        current.save(update_fields=["institution", "contact"])
    update = LegalUpdate(
        case=case,
        kind=kind,
        on_date=on_date,
        condition=target,
        legal_basis=basis,
        note=note,
        recorded_by=by,
    )
    return _save_entry(
        by,
        update,
        request,
        section=LegalUpdate.SECTION,
        action=Action.UPDATE,
        kind=kind,
        condition=target.pk if target else None,
        changed=changed,
    )
