"""Legal holds, the daily pass and destruction batches. Every write is the DPO's, in one
transaction with its audit entry; nothing is destroyed without a DPO's approval."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tirek.accounts.models import ApiToken, User
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.cases.models import Case
from tirek.reports.models import Export
from tirek.transfers.models import GroupImportStatus

from . import erasure, selectors
from .models import (
    Anonymisation,
    BatchItem,
    BatchStatus,
    DestructionBatch,
    Erasure,
    HoldScope,
    LegalHold,
    Outcome,
    RequesterKind,
    RequestKind,
    RequestStatus,
    SubjectRequest,
)
from .schedule import CASE_TYPES, RecordType, rules_for


def _require_dpo(user: User) -> None:
    if not selectors.is_dpo(user):
        raise PermissionDenied


# --- legal holds --------------------------------------------------------------------------


def hold_place(
    *,
    by: User,
    case_number: str,
    scope: str,
    reason: str,
    legal_basis: str,
    until: date | None = None,
    request: HttpRequest | None = None,
) -> LegalHold:
    _require_dpo(by)
    errors: dict[str, str] = {}
    case = Case.objects.filter(number=(case_number or "").strip()).first()
    if case is None:
        errors["case_number"] = _("No case has this number.")
    if scope not in HoldScope.values:
        errors["scope"] = _("Choose what the hold covers.")
    if not (reason or "").strip():
        errors["reason"] = _("Give the reason for the hold.")
    if not (legal_basis or "").strip():
        errors["legal_basis"] = _("Give the legal basis of the hold.")
    if until is not None and until < timezone.localdate():
        errors["until"] = _("A hold cannot end in the past.")
    if errors:
        raise ValidationError(errors)
    assert case is not None
    with transaction.atomic():
        hold = LegalHold.objects.create(
            scope=scope,
            case=case,
            person_id=case.person_id,
            reason=reason.strip(),
            legal_basis=legal_basis.strip(),
            until=until,
            placed_by=by,
        )
        record(
            actor=by,
            action=Action.CREATE,
            obj=hold,
            request=request,
            detail={
                "legal_hold": scope,
                "case": case.pk,
                "until": until.isoformat() if until else None,
            },
        )
    return hold


def hold_lift(
    *, by: User, hold: LegalHold, reason: str, request: HttpRequest | None = None
) -> LegalHold:
    _require_dpo(by)
    if not (reason or "").strip():
        raise ValidationError({"lift_reason": _("Say why the hold is lifted.")})
    with transaction.atomic():
        locked = LegalHold.objects.select_for_update().get(pk=hold.pk)
        if locked.lifted_at is not None:
            raise ValidationError(_("This hold has already been lifted."))
        locked.lifted_at = timezone.now()
        locked.lifted_by = by
        locked.lift_reason = reason.strip()
        locked.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        record(
            actor=by,
            action=Action.UPDATE,
            obj=locked,
            request=request,
            detail={"legal_hold_lifted": locked.scope, "case": locked.case_id},
        )
    return locked


# --- the daily pass -----------------------------------------------------------------------


def _propose(entry: selectors.TypeDue) -> DestructionBatch | None:
    """The batch waiting for approval for one record type, refreshed to what is due now."""
    rule = entry.rule
    existing = selectors.proposed_batch(rule.record_type)
    if entry.total_now == 0 or (rule.record_type in CASE_TYPES and not entry.destroyable):
        if existing is not None:
            existing.status = BatchStatus.CANCELLED
            existing.save(update_fields=["status"])
        return None
    batch = existing or DestructionBatch(record_type=rule.record_type)
    batch.trigger, batch.years, batch.days, batch.action = (
        rule.trigger,
        rule.years,
        rule.days,
        rule.action,
    )
    batch.proposed_at = timezone.now()
    if rule.record_type in CASE_TYPES:
        batch.proposed_count = len(entry.destroyable)
        batch.summary = {}
    else:
        batch.proposed_count = entry.count_now
        batch.summary = {"records": entry.count_now}
    batch.save()
    if rule.record_type in CASE_TYPES:
        batch.items.all().delete()
        BatchItem.objects.bulk_create(
            [BatchItem(batch=batch, case_id=d.case_id, due_on=d.due_on) for d in entry.destroyable]
        )
    return batch


def daily_pass(today: date | None = None) -> dict[str, int]:
    """List what falls due and propose one batch per record type for the DPO to approve.
    Destroys nothing. The scheduler calls this once a day; ``tirek retention`` runs it by
    hand. Returns {record type: records due now}."""
    summary: dict[str, int] = {}
    destroyable = selectors.destroyable_types()
    with transaction.atomic():
        for entry in selectors.due(today):
            summary[entry.rule.record_type] = entry.total_now
            if entry.rule.record_type in destroyable:
                _propose(entry)
    record(
        actor="retention-pass",
        action=Action.READ,
        object_type="retention.pass",
        detail={"due": {k: v for k, v in summary.items() if v}},
    )
    return summary


# --- approval and destruction -------------------------------------------------------------


def batch_approve(
    *, by: User, batch: DestructionBatch, request: HttpRequest | None = None
) -> DestructionBatch:
    """The DPO's signature: the batch is queued and ``tirek worker`` carries it out
    (``tasks.carry_out_batch``), never in the request. What becomes held, or stops being
    due, before it runs is held back, not destroyed."""
    _require_dpo(by)
    return _queue(
        by,
        batch,
        BatchStatus.PROPOSED,
        _("This batch has already been decided."),
        request,
        approved_by=by,
        approved_at=timezone.now(),
    )


def batch_retry(
    *, by: User, batch: DestructionBatch, request: HttpRequest | None = None
) -> DestructionBatch:
    """The DPO queues a failed batch again (safe: whoever is done already is skipped)."""
    _require_dpo(by)
    return _queue(
        by,
        batch,
        BatchStatus.FAILED,
        _("Only a failed batch can be run again."),
        request,
        attempts=0,
    )


def _queue(
    by: User,
    batch: DestructionBatch,
    expected: str,
    refusal: str,
    request: HttpRequest | None,
    **changes: Any,
) -> DestructionBatch:
    """Queue a batch still in the ``expected`` status for the worker, and audit it."""
    with transaction.atomic():
        batch = DestructionBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != expected:
            raise ValidationError(refusal)
        batch.status = BatchStatus.QUEUED
        for name, value in changes.items():
            setattr(batch, name, value)
        batch.save(update_fields=["status", *changes])
        record(
            actor=by,
            action=Action.UPDATE,
            obj=batch,
            request=request,
            detail={"record_type": batch.record_type, "status": BatchStatus.QUEUED},
        )
        _enqueue(batch.pk)
    return batch


def _enqueue(batch_id: int) -> None:
    from tirek.core import queue

    from . import tasks

    queue.enqueue_on_commit(tasks.carry_out_batch, batch_id)


def batch_start(batch_id: int) -> bool:
    """The worker takes the batch (committed at once, so the DPO sees it running);
    False when there is nothing to do (done already, or not approved)."""
    with transaction.atomic():
        batch = DestructionBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status not in (BatchStatus.QUEUED, BatchStatus.RUNNING):
            return False
        batch.status, batch.attempts = BatchStatus.RUNNING, batch.attempts + 1
        batch.save(update_fields=["status", "attempts"])
    return True


def batch_carry_out(batch_id: int) -> DestructionBatch:
    """Destroy what the approved batch still covers, in one transaction with its audit
    entry. Idempotent: a batch done is left alone, a person anonymised already is skipped,
    and holds and due dates are read again now."""
    with transaction.atomic():
        batch = DestructionBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status == BatchStatus.DONE:
            return batch
        if batch.record_type in CASE_TYPES:
            destroyed, held_back = _destroy_cases(batch)
        else:
            destroyed, held_back = _destroy_other(batch.record_type), 0
        batch.status, batch.done_at, batch.failure = BatchStatus.DONE, timezone.now(), ""
        batch.destroyed_count, batch.held_back_count = destroyed, held_back
        batch.save()
        record(
            actor=batch.approved_by or "retention-worker",
            action=Action.DELETE,
            obj=batch,
            detail={
                "record_type": batch.record_type,
                "destroyed": destroyed,
                "held_back": held_back,
            },
        )
    return batch


def batch_failed(batch_id: int, exc: BaseException, *, final: bool) -> None:
    """Record why a run failed: back to "queued" while a retry is coming, "failed" (for
    the DPO to see and run again) after the last attempt."""
    failure = f"{type(exc).__name__}: {exc}"[:500]
    DestructionBatch.objects.filter(pk=batch_id).exclude(status=BatchStatus.DONE).update(
        status=BatchStatus.FAILED if final else BatchStatus.QUEUED, failure=failure
    )


def _destroy_cases(batch: DestructionBatch) -> tuple[int, int]:
    still_due = {d.case_id for d in selectors.due_for(batch.record_type).destroyable}
    items = list(batch.items.all())
    go = [item for item in items if item.case_id in still_due]
    case_ids = [item.case_id for item in go]
    if batch.record_type == RecordType.CASE_FILE:
        person_ids = set(Case.objects.filter(pk__in=case_ids).values_list("person_id", flat=True))
        # Run again after an interrupted attempt: whoever was anonymised is not redone.
        erasure.anonymise_people(person_ids - anonymised_person_ids())
        Anonymisation.objects.bulk_create(
            [Anonymisation(person_id=pk, batch=batch) for pk in sorted(person_ids)],
            ignore_conflicts=True,
        )
    else:
        erasure.ERASERS[batch.record_type](case_ids)
        Erasure.objects.bulk_create(
            [Erasure(case_id=pk, record_type=batch.record_type, batch=batch) for pk in case_ids],
            ignore_conflicts=True,
        )
    BatchItem.objects.filter(pk__in=[item.pk for item in go]).update(destroyed=True)
    return len(go), len(items) - len(go)


def _destroy_other(record_type: str) -> int:
    rule = rules_for()[record_type]
    now, today = timezone.now(), timezone.localdate()
    cutoff = now - (rule.period_after(today) - today)
    if record_type == RecordType.EXPORTS:
        exports = list(Export.objects.filter(created_at__lte=cutoff))
        for export in exports:
            if export.file:
                export.file.delete(save=False)
        Export.objects.filter(pk__in=[e.pk for e in exports]).delete()
        return len(exports)
    if record_type == RecordType.SESSIONS:
        tokens = ApiToken.objects.filter(created_at__lte=cutoff).filter(
            Q(expires_at__lt=now) | Q(revoked_at__isnull=False)
        )
        count = tokens.count() + Session.objects.filter(expire_date__lt=now).count()
        tokens.delete()
        Session.objects.filter(expire_date__lt=now).delete()
        return count
    if record_type == RecordType.GROUP_IMPORTS:
        expired = selectors.expired_group_imports(cutoff)
        count = expired.count()
        expired.filter(status=GroupImportStatus.PENDING).delete()
        expired.update(rows=[])
        return count
    return 0


def anonymised_person_ids() -> set[int]:
    return set(Anonymisation.objects.values_list("person_id", flat=True))


def describe(batch: DestructionBatch) -> dict[str, Any]:
    """The record of destruction: what, how many, under which rule, who approved."""
    return {
        "batch": batch.pk,
        "record_type": batch.record_type,
        "rule": {"trigger": batch.trigger, "years": batch.years, "days": batch.days},
        "action": batch.action,
        "proposed": batch.proposed_count,
        "destroyed": batch.destroyed_count,
        "held_back": batch.held_back_count,
        "approved_by": batch.approved_by.get_username() if batch.approved_by else None,
        "approved_at": batch.approved_at.isoformat() if batch.approved_at else None,
    }


# --- subject access and rectification ----------------------------------------------------


def subject_access_days() -> int:
    """The statutory reply period (Kazakhstan: 30 days; settings per country)."""
    return int(getattr(settings, "TIREK_SUBJECT_ACCESS_DAYS", 30))


def request_record(
    *,
    by: User,
    kind: str,
    case_number: str,
    requester_kind: str,
    requester_name: str,
    received_on: date | None,
    language: str,
    details: str = "",
    request: HttpRequest | None = None,
) -> SubjectRequest:
    _require_dpo(by)
    errors: dict[str, str] = {}
    case = Case.objects.filter(number=(case_number or "").strip()).select_related("person").first()
    if case is None or Anonymisation.objects.filter(person_id=case.person_id).exists():
        errors["case_number"] = _("No case has this number.")
    if kind not in RequestKind.values:
        errors["kind"] = _("Choose the kind of request.")
    if requester_kind not in RequesterKind.values:
        errors["requester_kind"] = _("Say who makes the request.")
    if not (requester_name or "").strip():
        errors["requester_name"] = _("Give the name of the requester.")
    if received_on is None or received_on > timezone.localdate():
        errors["received_on"] = _("Give the day the request was received (not in the future).")
    if language not in dict(settings.LANGUAGES):
        errors["language"] = _("Choose the language of the reply.")
    if errors:
        raise ValidationError(errors)
    assert case is not None and received_on is not None
    with transaction.atomic():
        item = SubjectRequest.objects.create(
            kind=kind,
            person_id=case.person_id,
            requester_kind=requester_kind,
            requester_name=requester_name.strip(),
            language=language,
            received_on=received_on,
            deadline=received_on + timedelta(days=subject_access_days()),
            details=(details or "").strip(),
            recorded_by=by,
        )
        record(
            actor=by,
            action=Action.CREATE,
            obj=item,
            request=request,
            detail={"subject_request": kind, "person": case.person_id, "by": requester_kind},
        )
    return item


def request_approve(
    *, by: User, item: SubjectRequest, request: HttpRequest | None = None
) -> SubjectRequest:
    """The DPO has read the preview: the report may be released."""
    _require_dpo(by)
    if item.kind != RequestKind.ACCESS or item.status != RequestStatus.OPEN:
        raise ValidationError(_("Only an access request being prepared can be approved."))
    item.status, item.approved_by, item.approved_at = RequestStatus.APPROVED, by, timezone.now()
    item.save(update_fields=["status", "approved_by", "approved_at"])
    record(actor=by, action=Action.UPDATE, obj=item, request=request, detail={"approved": True})
    return item


def request_release(
    *, by: User, item: SubjectRequest, request: HttpRequest | None = None
) -> tuple[bytes, str]:
    """The encrypted package and its one-time password. The password is returned once,
    to be shown once; it is stored nowhere. The release is audited."""
    from . import subject

    _require_dpo(by)
    if item.status not in (RequestStatus.APPROVED, RequestStatus.RELEASED):
        raise ValidationError(_("The DPO approves the report before it is released."))
    report = subject.build(item.person, item.language)
    password = subject.one_time_password()
    package = subject.encrypted_zip(
        {"report.json": subject.to_json(report), "report.pdf": subject.to_pdf(report)}, password
    )
    with transaction.atomic():
        item.status, item.released_at = RequestStatus.RELEASED, timezone.now()
        item.save(update_fields=["status", "released_at"])
        record(
            actor=by,
            action=Action.EXPORT,
            obj=item,
            request=request,
            detail={"subject_access_package": True, "person": item.person_id},
        )
    return package, password


def request_close(
    *,
    by: User,
    item: SubjectRequest,
    outcome: str,
    note: str,
    request: HttpRequest | None = None,
) -> SubjectRequest:
    """A rectification or objection decided; the outcome is kept with the request."""
    _require_dpo(by)
    errors: dict[str, str] = {}
    if item.is_done:
        raise ValidationError(_("This request is already closed."))
    if outcome not in Outcome.values:
        errors["outcome"] = _("Choose the outcome.")
    if not (note or "").strip():
        errors["outcome_note"] = _("Say what was done.")
    if errors:
        raise ValidationError(errors)
    item.status, item.outcome = RequestStatus.CLOSED, outcome
    item.outcome_note, item.closed_at = note.strip(), timezone.now()
    item.save(update_fields=["status", "outcome", "outcome_note", "closed_at"])
    record(actor=by, action=Action.UPDATE, obj=item, request=request, detail={"outcome": outcome})
    return item
