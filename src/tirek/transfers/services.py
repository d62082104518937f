"""Transfers of a case between units: request, withdraw, decline, accept (issue #17).

Every function is transactional and leaves its audit entries and timeline event in the
same transaction. Who sees what is the access policy's: the request only opens a
read-only preview (``tirek.access.services.grant_transfer_preview``) to the receiving
unit's supervisors; acceptance moves the case, which moves supervision with it, and
ends the old team's memberships except those the receiving supervisor keeps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tirek.access import policy
from tirek.access import selectors as access_selectors
from tirek.access import services as access_services
from tirek.access.policy import Section
from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.cases.models import Case, CaseEvent, EventKind
from tirek.core.exceptions import Conflict, Refused
from tirek.core.races import integrity_error_as
from tirek.core.versioning import bump_version
from tirek.organisations.models import Unit
from tirek.referrals.models import NotificationKind
from tirek.referrals.notifications import notify

from .models import FamilyTransfer, Transfer, TransferStatus

# Security information never leaves through a transfer's preview (it is shared one way,
# on a legal basis); after acceptance the new unit sees what its roles see.
SHAREABLE_SECTIONS = frozenset(Section.ALL) - {Section.SECURITY}


def stale_message() -> str:
    return _("Someone else answered this transfer since you opened it. Reload the page.")


def _event(case: Case, by: User, transfer: Transfer, stage: str, **detail: Any) -> None:
    CaseEvent.objects.create(
        case=case,
        kind=EventKind.TRANSFERRED,
        actor=by,
        detail={
            "stage": stage,
            "transfer": transfer.pk,
            "from_unit": str(transfer.from_unit),
            "to_unit": str(transfer.to_unit),
            **detail,
        },
    )


def receiving_supervisors(unit_id: int) -> list[User]:
    """The people the policy lets answer a transfer to ``unit_id`` (``may_answer``)."""
    return access_selectors.supervisors_of_unit(unit_id)


def _tell(users: list[User], by: User, kind: str, url: str, label: str) -> None:
    """A notice naming only the case number(s) and linking to the transfer's page, which
    its reader may open (``selectors.get_transfer``); never to the one who acted."""
    notify([u for u in users if u.pk != by.pk], kind=kind, url=url, label=label)


def _tell_about(transfer: Transfer, by: User, kind: str, users: list[User]) -> None:
    _tell(users, by, kind, reverse("transfers:detail", args=[transfer.pk]), transfer.case.number)


def _numbers_label(numbers: list[str]) -> str:
    """Case numbers for a notice's 64 characters: as many as fit, then "+N"."""
    shown: list[str] = []
    for index, number in enumerate(numbers):
        rest = len(numbers) - index - 1
        candidate = ", ".join([*shown, number]) + (f" +{rest}" if rest else "")
        if len(candidate) > 64:
            return ", ".join(shown) + f" +{len(numbers) - len(shown)}"
        shown.append(number)
    return ", ".join(shown)


def _tell_about_family(group: FamilyTransfer, by: User, kind: str, users: list[User]) -> None:
    numbers = list(
        Transfer.objects.filter(family_transfer=group)
        .order_by("case__number")
        .values_list("case__number", flat=True)
    )
    _tell(
        users,
        by,
        kind,
        reverse("transfers:family_detail", args=[group.pk]),
        _numbers_label(numbers),
    )


def consent_covers(case: Case, unit: Unit) -> bool:
    """Within the same agency nothing new is disclosed; to another agency the person's
    consent to information sharing must name it (deny by default)."""
    current = case.supervising_unit
    if current is not None and current.agency_id == unit.agency_id:
        return True
    from tirek.privacy.models import Purpose
    from tirek.privacy.selectors import consent_covers as covers

    return bool(covers(case.person, Purpose.INFORMATION_SHARING, unit.agency))


def normalise_sections(sections: list[str]) -> list[str]:
    unknown = sorted(set(sections) - SHAREABLE_SECTIONS)
    if unknown:
        raise ValidationError(
            {
                "sections": _("These sections cannot be shared before acceptance: %s")
                % ", ".join(unknown)
            }
        )
    chosen = set(sections) | {Section.CORE}
    return [s for s in Section.LABELS if s in chosen]


def pending_for(case: Case) -> Transfer | None:
    return (
        Transfer.objects.filter(case=case, status=TransferStatus.REQUESTED)
        .select_related("to_unit__agency", "requested_by")
        .first()
    )


@transaction.atomic
def transfer_request(
    *,
    by: User,
    case: Case,
    to_unit: Unit,
    reason: str,
    sections: list[str],
    legal_basis: str = "",
    request: HttpRequest | None = None,
    notify_parties: bool = True,
) -> Transfer:
    """Ask ``to_unit`` to take the case over, sharing the basic information and
    ``sections`` until it answers. Without the person's consent a legal basis is needed,
    recorded by the case's supervisor (an audited override, as for referrals). The
    receiving unit's supervisors are notified (unless ``notify_parties`` is false: a
    family's request notifies once for all its members)."""
    if not policy.can_manage(by, case):
        raise PermissionDenied(_("Only the case manager or the supervisor may transfer the case."))
    if not case.is_open:
        raise Refused(_("A closed case cannot be transferred."))
    reason, legal_basis = reason.strip(), legal_basis.strip()
    errors: dict[str, str] = {}
    if to_unit.pk == case.supervising_unit_id:
        errors["to_unit"] = _("The case is already in this unit.")
    if not reason:
        errors["reason"] = _("Say why the case moves.")
    elif len(reason) > 2000:
        errors["reason"] = _("Keep it under 2000 characters.")
    if len(legal_basis) > 2000:
        errors["legal_basis"] = _("Keep it under 2000 characters.")
    if errors:
        raise ValidationError(errors)
    shared = normalise_sections(sections)
    visible = policy.sections_for(by, case)
    not_visible = [s for s in shared if s not in visible]
    if not_visible:
        raise ValidationError(
            {"sections": _("You cannot share sections you do not see: %s") % ", ".join(not_visible)}
        )
    covered = consent_covers(case, to_unit)
    if not covered:
        if not legal_basis:
            raise Refused(
                _(
                    "The person's consent does not cover sharing with the receiving agency. "
                    "Record the consent first, or ask the case's supervisor to record the "
                    "legal basis for the transfer."
                )
            )
        if not policy.is_supervisor_of(by, case):
            raise Refused(
                _("Only the case's supervisor may record a legal basis instead of consent.")
            )
    transfer = Transfer(
        case=case,
        from_unit_id=case.supervising_unit_id,
        from_region_id=case.region_id,
        to_unit=to_unit,
        to_region_id=to_unit.region_id,
        reason=reason,
        sections=shared,
        consent_covered=covered,
        legal_basis="" if covered else legal_basis,
        requested_by=by,
    )
    transfer.full_clean(exclude=["preview"], validate_constraints=False)
    with integrity_error_as(Conflict(_("A transfer of this case is already awaiting an answer."))):
        transfer.save()
    transfer.preview = access_services.grant_transfer_preview(
        case=case, unit=to_unit, sections=shared, by=by
    )
    transfer.save(update_fields=["preview"])
    _event(case, by, transfer, "requested", reason=reason[:300])
    record(
        actor=by,
        action=Action.CREATE,
        obj=transfer,
        request=request,
        detail={"case": case.pk, "to_unit": to_unit.pk, "sections": shared, "consent": covered},
    )
    record(
        actor=by,
        action=Action.PERMISSION_CHANGE,
        obj=case,
        request=request,
        detail={
            "transfer_preview": transfer.pk,
            "unit": to_unit.pk,
            "sections": shared,
            **({} if covered else {"consent_override": True}),
        },
    )
    if notify_parties:
        _tell_about(
            transfer, by, NotificationKind.TRANSFER_REQUESTED, receiving_supervisors(to_unit.pk)
        )
    return transfer


def _check_unanswered(locked: Transfer | FamilyTransfer, version: int) -> None:
    """The request still awaits an answer, at the version the user read; else Conflict."""
    if locked.version != version or locked.status != TransferStatus.REQUESTED:
        raise Conflict(stale_message())


def _lock(transfer: Transfer, version: int) -> Transfer:
    locked = (
        Transfer.objects.select_for_update()
        .select_related("case", "from_unit__agency", "to_unit__agency", "to_unit__region")
        .get(pk=transfer.pk)
    )
    _check_unanswered(locked, version)
    return locked


def _close(transfer: Transfer, status: str, by: User, **fields: Any) -> None:
    bump_version(
        Transfer, transfer.pk, status=status, decided_by=by, decided_at=timezone.now(), **fields
    )
    access_services.end_transfer_preview(transfer.preview_id)
    transfer.refresh_from_db()


def may_answer(user: User, transfer: Transfer) -> bool:
    """The receiving unit's supervisor (as the policy says)."""
    return policy.supervised_unit_id(user) == transfer.to_unit_id


def may_answer_alone(user: User, transfer: Transfer) -> bool:
    """May answer this request on its own page: not a case of a family's request."""
    return transfer.family_transfer_id is None and may_answer(user, transfer)


def _answered_with_family(transfer: Transfer, within_family: bool) -> None:
    """A case of a family's request is answered with the whole request, never alone: one
    child's answer would leave the family's request half answered and still waiting."""
    if transfer.family_transfer_id is not None and not within_family:
        raise Refused(
            _("This case is part of a family's transfer request: answer the family's request.")
        )


def _close_family_when_emptied(transfer: Transfer, by: User, request: HttpRequest | None) -> None:
    """After one case of a family's request was withdrawn on its own: when none of its
    cases waits any more, the family's request is withdrawn too (else it would wait for
    an answer with nothing left to answer)."""
    if transfer.family_transfer_id is None:
        return
    group = FamilyTransfer.objects.select_for_update().get(pk=transfer.family_transfer_id)
    waiting = Transfer.objects.filter(family_transfer=group, status=TransferStatus.REQUESTED)
    if group.status != TransferStatus.REQUESTED or waiting.exists():
        return
    _close_family(group, by, TransferStatus.WITHDRAWN, [transfer.pk], request)


def _close_family(
    group: FamilyTransfer,
    by: User,
    status: str,
    transfers: list[int],
    request: HttpRequest | None,
    *,
    changes: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """The family's request closed with ``status`` and audited, naming the transfers of
    its cases closed with it."""
    bump_version(
        FamilyTransfer,
        group.pk,
        status=status,
        decided_by=by,
        decided_at=timezone.now(),
        **(changes or {}),
    )
    record(
        actor=by,
        action=Action.UPDATE,
        obj=group,
        request=request,
        detail={"status": status, "transfers": transfers, **(detail or {})},
    )


@transaction.atomic
def transfer_withdraw(
    *,
    by: User,
    transfer: Transfer,
    version: int,
    request: HttpRequest | None = None,
    notify_parties: bool = True,
    within_family: bool = False,
) -> Transfer:
    """The requesting side takes the request back: one case of a family's request may be
    withdrawn on its own (``within_family``: as part of withdrawing the whole request)."""
    if not policy.can_manage(by, transfer.case):
        raise PermissionDenied(_("Only the case manager or the supervisor may withdraw it."))
    if transfer.family_transfer_id is not None and not within_family:
        # Lock the family's request first: two of its last cases withdrawn at once must
        # not each leave it waiting for the other.
        FamilyTransfer.objects.select_for_update().get(pk=transfer.family_transfer_id)
    transfer = _lock(transfer, version)
    _close(transfer, TransferStatus.WITHDRAWN, by)
    if not within_family:
        _close_family_when_emptied(transfer, by, request)
    _event(transfer.case, by, transfer, "withdrawn")
    record(
        actor=by,
        action=Action.UPDATE,
        obj=transfer,
        request=request,
        detail={"status": TransferStatus.WITHDRAWN, "case": transfer.case_id},
    )
    if notify_parties:
        # The requester (when someone else withdrew it) and those who were to answer it.
        _tell_about(
            transfer,
            by,
            NotificationKind.TRANSFER_WITHDRAWN,
            [transfer.requested_by, *receiving_supervisors(transfer.to_unit_id)],
        )
    return transfer


@transaction.atomic
def transfer_decline(
    *,
    by: User,
    transfer: Transfer,
    version: int,
    reason: str,
    request: HttpRequest | None = None,
    notify_parties: bool = True,
    within_family: bool = False,
) -> Transfer:
    if not may_answer(by, transfer):
        raise PermissionDenied(_("Only a supervisor of the receiving unit may answer."))
    _answered_with_family(transfer, within_family)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"decline_reason": _("Say why the transfer is declined.")})
    if len(reason) > 2000:
        raise ValidationError({"decline_reason": _("Keep it under 2000 characters.")})
    transfer = _lock(transfer, version)
    transfer.decline_reason = reason
    transfer.full_clean(exclude=["preview"], validate_constraints=False)
    _close(transfer, TransferStatus.DECLINED, by, decline_reason=reason)
    _event(transfer.case, by, transfer, "declined", reason=reason[:300])
    record(
        actor=by,
        action=Action.UPDATE,
        obj=transfer,
        request=request,
        detail={"status": TransferStatus.DECLINED, "case": transfer.case_id},
    )
    if notify_parties:
        _tell_about(transfer, by, NotificationKind.TRANSFER_DECLINED, [transfer.requested_by])
    return transfer


def keepable_members(transfer: Transfer) -> list[Any]:
    """The old team the receiving supervisor may keep (one row per person)."""
    seen: dict[int, Any] = {}
    for member in access_selectors.active_team(transfer.case):
        seen.setdefault(member.user_id, member)
    return list(seen.values())


def family_keepable_members(group: FamilyTransfer) -> list[Any]:
    """The old teams of the family's cases still awaiting an answer that the receiving
    supervisor may keep (one row per person, as on the first case they are on)."""
    waiting = group.transfers.filter(status=TransferStatus.REQUESTED).select_related("case")
    seen: dict[int, Any] = {}
    for transfer in waiting.order_by("pk"):
        for member in keepable_members(transfer):
            seen.setdefault(member.user_id, member)
    return list(seen.values())


@transaction.atomic
def transfer_accept(
    *,
    by: User,
    transfer: Transfer,
    version: int,
    case_manager: User,
    keep_user_ids: list[int] | None = None,
    request: HttpRequest | None = None,
    notify_parties: bool = True,
    within_family: bool = False,
) -> Transfer:
    """The receiving supervisor takes the case over: the case's unit, region and case
    manager change (its status, phase and journey dates do not), the old team leaves
    except those kept, their open plan responsibilities pass to the new case manager.
    A case of a family's request is taken over with the family's (``within_family``)."""
    if not may_answer(by, transfer):
        raise PermissionDenied(_("Only a supervisor of the receiving unit may answer."))
    _answered_with_family(transfer, within_family)
    if (
        not case_manager.is_active
        or not case_manager.has_role(Role.CASE_MANAGER)
        or case_manager.unit_id != transfer.to_unit_id
    ):
        raise ValidationError({"case_manager": _("Choose a case manager of the receiving unit.")})
    transfer = _lock(transfer, version)
    case = Case.objects.select_for_update().get(pk=transfer.case_id)
    if case.supervising_unit_id != transfer.from_unit_id or not case.is_open:
        raise Conflict(stale_message())
    team_ids = {m.user_id for m in keepable_members(transfer)}
    keep = sorted(set(keep_user_ids or []) & team_ids)
    if set(keep_user_ids or []) - team_ids:
        raise ValidationError({"keep": _("Only members of the current team can be kept.")})
    old_manager_id = case.case_manager_id
    bump_version(
        Case,
        case.pk,
        supervising_unit=transfer.to_unit,
        region_id=transfer.to_region_id,
        case_manager=case_manager,
        updated_at=timezone.now(),
    )
    keep_ids = set(keep) | {case_manager.pk}
    left = access_services.release_team_except(case=case, keep_user_ids=keep_ids, by=by)
    if not access_selectors.has_membership(case, case_manager, [Role.CASE_MANAGER]):
        access_services.grant_membership(
            case=case, user=case_manager, role=Role.CASE_MANAGER, by=by
        )
    moved = _move_open_responsibilities(case, left, case_manager)
    _close(transfer, TransferStatus.ACCEPTED, by, new_case_manager=case_manager, kept_members=keep)
    case.refresh_from_db()
    _event(
        case,
        by,
        transfer,
        "accepted",
        case_manager=case_manager.get_full_name() or case_manager.username,
    )
    record(
        actor=by,
        action=Action.UPDATE,
        obj=transfer,
        request=request,
        detail={"status": TransferStatus.ACCEPTED, "case": case.pk},
    )
    record(
        actor=by,
        action=Action.PERMISSION_CHANGE,
        obj=case,
        request=request,
        detail={
            "transfer": transfer.pk,
            "from_unit": transfer.from_unit_id,
            "to_unit": transfer.to_unit_id,
            "from_case_manager": old_manager_id,
            "to_case_manager": case_manager.pk,
            "team_released": left,
            "team_kept": keep,
            "responsibilities_moved": moved,
        },
    )
    if notify_parties:
        _tell_about(transfer, by, NotificationKind.TRANSFER_ACCEPTED, [transfer.requested_by])
    return transfer


def _move_open_responsibilities(case: Case, user_ids: list[int], to: User) -> int:
    """Open goals and interventions held by those who left go to the new case manager."""
    if not user_ids:
        return 0
    from tirek.plans.selectors import open_responsibilities

    goals, interventions = open_responsibilities(case, user_ids)
    return goals.update(responsible_user=to) + interventions.update(responsible_user=to)


# --- group arrivals (issue #17, part 2) ------------------------------------------------------


def _may_import_group(by: User) -> bool:
    from tirek.people.selectors import may_check_duplicates

    return bool(
        may_check_duplicates(by)
        and by.has_role(Role.CASE_MANAGER)
        and by.unit_id
        and policy.works_on_cases(by)
    )


def _identity(row: dict[str, Any]) -> Any:
    from datetime import date as date_type

    from tirek.people import matching

    born = row.get("birth_date")
    return matching.Identity(
        given=(row["given_name"],),
        family=(row["family_name"],),
        patronymic=(row["patronymic"],) if row.get("patronymic") else (),
        birth=matching.Birth(
            date_type.fromisoformat(born) if born else None, row.get("precision") or "day"
        ),
        sex="" if row.get("sex") == "unknown" else row.get("sex", ""),
        iin=row.get("iin", ""),
    )


def _check_rows(by: User, rows: list[dict[str, Any]]) -> int:
    """Run the duplicate check on every row at once and put each row's candidates on it
    (``row["candidates"]``: id, score, probable, visible, and a label only for a record
    the worker may open). Returns how many people on file were candidates."""
    from tirek.people.matching import PROBABLE
    from tirek.people.selectors import find_duplicates_many, unit_label

    found = find_duplicates_many([_identity(row) for row in rows])
    ids = {c.person.pk for candidates in found for c in candidates}
    visible = set(
        policy.visible_persons(by).filter(pk__in=sorted(ids)).values_list("pk", flat=True)
    )
    for row, candidates in zip(rows, found, strict=True):
        row["candidates"] = [
            {
                "id": c.person.pk,
                "score": round(c.score, 3),
                "probable": c.score >= PROBABLE,
                "visible": c.person.pk in visible,
                # Only what the worker may open is named; the rest says whom to ask.
                "label": (
                    f"{c.person.family_name} {c.person.given_name}, {c.person.birth_date or ''}"
                    if c.person.pk in visible
                    else ""
                ),
                "unit": unit_label(c.person.registered_by_unit),
            }
            for c in candidates
        ]
    return len(ids)


def _audit_check(by: User, rows: list[dict[str, Any]], candidates: int, kind: str,
                 request: HttpRequest | None) -> None:  # fmt: skip
    record(
        actor=by,
        action=Action.SEARCH,
        object_type="people.person",
        request=request,
        detail={
            "kind": kind,
            "rows": len(rows),
            "candidates": candidates,
            "probable": sum(needs_decision(r) for r in rows),
        },
    )


@transaction.atomic
def group_preview(by: User, upload: Any, *, request: HttpRequest | None = None) -> Any:
    """Check an uploaded group file and run the duplicate check on every row; the result
    is stored (replacing the worker's previous pending import) and nothing else is
    written. Raises ``group_import.FileRejected`` / ``ValidationError`` for a bad file."""
    from . import group_import
    from .models import GroupImport, GroupImportStatus

    if not _may_import_group(by):
        raise PermissionDenied(_("Only a case manager of a unit may register a group."))
    rows = group_import.parse(upload)
    # The same IIN twice in the file is two rows for one person.
    seen_iin: dict[str, int] = {}
    problems = []
    for row in rows:
        if row["iin"]:
            if row["iin"] in seen_iin:
                problems.append(
                    group_import._problem(
                        row["row"], "iin", _("the same IIN as row %d.") % seen_iin[row["iin"]]
                    )
                )
            seen_iin.setdefault(row["iin"], row["row"])
    if problems:
        raise group_import.FileRejected(problems)
    candidates = _check_rows(by, rows)
    GroupImport.objects.filter(created_by=by, status=GroupImportStatus.PENDING).delete()
    imp = GroupImport.objects.create(
        created_by=by, file_name=(getattr(upload, "name", "") or "")[:200], rows=rows
    )
    _audit_check(by, rows, candidates, "group_duplicate_check", request)
    return imp


class GroupChanged(Conflict):
    """The commit found people on file, registered since the report, who may be some of
    the group's people: nothing was written; ``rows`` are the spreadsheet rows concerned.
    ``group_recheck`` brings the report up to date."""

    def __init__(self, rows: list[int]) -> None:
        super().__init__(
            _(
                "Since the report was made, someone was registered who may be the person "
                "of rows %(rows)s. Nothing was registered: the report below now shows "
                "these matches; decide about them and register the group again."
            )
            % {"rows": ", ".join(str(r) for r in rows)}
        )
        self.rows = rows


@transaction.atomic
def group_recheck(by: User, imp: Any, *, request: HttpRequest | None = None) -> Any:
    """Run the duplicate check of a pending import again and store the new report (after
    ``GroupChanged``); nothing else is written."""
    from .models import GroupImport, GroupImportStatus

    if imp.created_by_id != by.pk or not _may_import_group(by):
        raise PermissionDenied(_("Only the worker who uploaded the group may register it."))
    locked = GroupImport.objects.select_for_update().get(pk=imp.pk)
    if locked.status != GroupImportStatus.PENDING:
        raise Conflict(_("This group has already been registered."))
    rows: list[dict[str, Any]] = locked.rows
    candidates = _check_rows(by, rows)
    GroupImport.objects.filter(pk=locked.pk).update(rows=rows)
    _audit_check(by, rows, candidates, "group_duplicate_recheck", request)
    locked.rows = rows
    return locked


def needs_decision(row: dict[str, Any]) -> bool:
    return any(c["probable"] for c in row.get("candidates", []))


@transaction.atomic
def group_commit(
    *,
    by: User,
    imp: Any,
    decisions: dict[int, dict[str, Any]],
    request: HttpRequest | None = None,
) -> dict[str, Any]:
    """Write the group: for each row, a new person (after a "new anyway" decision with
    its reason where someone on file probably is this person, recorded as a dismissal),
    or the existing person the worker linked; a case for everyone without an open one;
    the relationships within each family. One transaction: any error writes nothing.

    Under the registration lock, the duplicate check runs again for the rows to be
    registered: a probable match that the report did not show (someone registered since)
    refuses the whole group with ``GroupChanged``.

    ``decisions``: {row number: {"action": "link"|"new"|"skip", "person": id, "reason": …}}.
    """
    from tirek.cases.services import cases_open_many
    from tirek.people import services as people
    from tirek.people.models import Person
    from tirek.people.selectors import find_duplicates_many

    from . import group_import
    from .models import GroupImport, GroupImportStatus

    if imp.created_by_id != by.pk or not _may_import_group(by):
        raise PermissionDenied(_("Only the worker who uploaded the group may register it."))
    locked = GroupImport.objects.select_for_update().get(pk=imp.pk)
    if locked.status != GroupImportStatus.PENDING:
        raise Conflict(_("This group has already been registered."))
    rows: list[dict[str, Any]] = locked.rows
    problems: list[dict[str, Any]] = []
    for row in rows:
        decision = decisions.get(row["row"], {})
        action = decision.get("action", "")
        if needs_decision(row) and action not in ("link", "new", "skip"):
            problems.append(
                group_import._problem(row["row"], None, _("decide about the match first."))
            )
        if action == "link":
            allowed = {c["id"] for c in row["candidates"] if c["visible"]}
            if decision.get("person") not in allowed:
                problems.append(
                    group_import._problem(row["row"], None, _("choose a record you may open."))
                )
        if action == "new" and needs_decision(row) and len(decision.get("reason", "").strip()) < 5:
            problems.append(
                group_import._problem(row["row"], None, _("say why this is a different person."))
            )
    if problems:
        raise group_import.FileRejected(problems)

    def action_of(row: dict[str, Any]) -> str:
        return str(decisions.get(row["row"], {}).get("action", "new"))

    new_rows = [r for r in rows if action_of(r) == "new"]
    people.registration_lock()
    changed = []
    for row, found in zip(new_rows, find_duplicates_many([_identity(r) for r in new_rows]),
                          strict=True):  # fmt: skip
        reported = {c["id"] for c in row["candidates"] if c["probable"]}
        if any(c.probable and c.person.pk not in reported for c in found):
            changed.append(row["row"])
    if changed:
        raise GroupChanged(changed)

    linked_ids = [int(decisions[r["row"]]["person"]) for r in rows if action_of(r) == "link"]
    linked_people = Person.objects.in_bulk(linked_ids)
    try:
        registered = people.people_create_many(
            by=by,
            people=[
                people.NewPerson(
                    given_name=row["given_name"],
                    family_name=row["family_name"],
                    patronymic=row.get("patronymic", ""),
                    sex=row.get("sex") or "unknown",
                    birth_date=date.fromisoformat(row["birth_date"])
                    if row.get("birth_date")
                    else None,
                    birth_date_precision=row.get("precision") or "day",
                    iin=row.get("iin", ""),
                    dismissed=tuple(
                        (c["id"], c["score"]) for c in row["candidates"] if c["probable"]
                    ),
                    dismiss_reason=str(decisions.get(row["row"], {}).get("reason", "")),
                )
                for row in new_rows
            ],
            request=request,
        )
    except people.RowsInvalid as exc:
        raise group_import.FileRejected(
            [
                group_import._problem(new_rows[index]["row"], None, " ".join(error.messages))
                for index, error in exc.rows.items()
            ]
        ) from exc
    people_by_row: dict[int, Person] = dict(
        zip((r["row"] for r in new_rows), registered, strict=True)
    )
    for row in rows:
        if action_of(row) == "link":
            people_by_row[row["row"]] = linked_people[int(decisions[row["row"]]["person"])]
    created = [p.pk for p in registered]
    linked = [p.pk for p in (linked_people[pk] for pk in linked_ids)]
    with_open_case = set(
        Case.objects.filter(person_id__in=linked_ids)
        .exclude(status="closed")
        .values_list("person_id", flat=True)
    )
    to_open = [
        people_by_row[r["row"]]
        for r in rows
        if r["row"] in people_by_row and people_by_row[r["row"]].pk not in with_open_case
    ]
    cases = [c.pk for c in cases_open_many(by=by, people=to_open, request=request)]
    relationships = _group_relationships(by, rows, people_by_row, set(created), request)
    result = {
        "created": created,
        "linked": linked,
        "cases": cases,
        "relationships": relationships,
    }
    GroupImport.objects.filter(pk=locked.pk).update(
        status=GroupImportStatus.COMMITTED, committed_at=timezone.now(), result=result
    )
    record(
        actor=by,
        action=Action.CREATE,
        obj=locked,
        request=request,
        detail={
            "group_import": locked.pk,
            "people": len(created),
            "linked": linked,  # the people already on file, by id
            "cases": cases,  # by id: the DPO finds the arrival by any of its cases
            "relationships": relationships,
        },
    )
    return result


def _group_relationships(
    by: User,
    rows: list[dict[str, Any]],
    people_by_row: dict[int, Any],
    created: set[int],
    request: HttpRequest | None,
) -> int:
    """Each row's link to its family's head. Between two people this import registered
    (each with the worker's own new case) the links are written together, audited as
    ``people.services.relationship_create`` audits them — its access checks would only
    confirm what the import just created; a link to someone already on file goes through
    that service and its checks."""
    from tirek.audit.services import Pending, record_many
    from tirek.people import services as people
    from tirek.people.models import Relationship

    from . import group_import

    heads = {
        r["family_group"]: r for r in rows if r["family_group"] and r["relationship"] == "head"
    }
    new_links: list[Relationship] = []
    count = 0
    for row in rows:
        head = heads.get(row["family_group"])
        if head is None or head is row or row["row"] not in people_by_row:
            continue
        if head["row"] not in people_by_row:
            continue
        link = group_import.relationship_of(row, head)
        if link is None:
            continue
        side = {"row": people_by_row[row["row"]], "head": people_by_row[head["row"]]}
        person, relative = side[link[0]], side[link[1]]
        if person.pk in created and relative.pk in created:
            new_links.append(
                Relationship(person=person, relative=relative, kind=link[2], created_by=by)
            )
        else:
            try:
                people.relationship_create(
                    by=by, person=person, relative=relative, kind=link[2], request=request
                )
            except (ValidationError, PermissionDenied) as exc:
                message = " ".join(getattr(exc, "messages", [])) or _(
                    "you may not record this person's family."
                )
                raise group_import.FileRejected(
                    [group_import._problem(row["row"], "relationship", message)]
                ) from exc
        count += 1
    new_links = Relationship.objects.bulk_create(new_links, batch_size=500)
    record_many(
        actor=by,
        request=request,
        entries=[
            Pending(
                Action.CREATE,
                obj=rel,
                detail={"person": rel.person_id, "relative": rel.relative_id, "kind": rel.kind},
            )
            for rel in new_links
        ],
    )
    return count


# --- a whole family (issue #17, part 1) -----------------------------------------------------


@dataclass
class FamilyMemberOption:
    """One member on the family transfer form: ``label`` is what the family page shows the
    requester (the full name only if they may open the record, else initials); ``cases``
    are the member's cases the requester may transfer, with whether the person's consent
    covers the receiving agency (known once the unit is chosen)."""

    label: str
    cases: list[Case]
    held_elsewhere: bool = False  # a case the requester may not transfer (nothing more said)

    @property
    def included(self) -> bool:
        return bool(self.cases)


def family_options(by: User, family: Any) -> list[FamilyMemberOption]:
    """Each member of ``family`` as the requester sees them, with the open cases they may
    transfer (no other transfer awaiting an answer). A member with none is listed as not
    included, with no more than the family page shows."""
    from tirek.families.selectors import member_rows

    rows = member_rows(by, family)
    case_ids = [case.pk for row in rows for case, _sections in row.cases]
    pending = set(
        Transfer.objects.filter(case_id__in=case_ids, status=TransferStatus.REQUESTED).values_list(
            "case_id", flat=True
        )
    )
    options = []
    for row in rows:
        mine = [
            case
            for case, _sections in row.cases
            if case.is_open and case.pk not in pending and policy.can_manage(by, case)
        ]
        options.append(
            FamilyMemberOption(
                label=row.name,
                cases=mine,
                held_elsewhere=bool(row.other_cases) or len(mine) < len(row.cases),
            )
        )
    return options


def _member_label(case: Case) -> str:
    return f"{case.number}"


@transaction.atomic
def family_transfer_request(
    *,
    by: User,
    family: Any,
    to_unit: Unit,
    reason: str,
    sections: list[str],
    legal_bases: dict[int, str] | None = None,
    request: HttpRequest | None = None,
) -> FamilyTransfer:
    """Ask ``to_unit`` to take over every member's case that ``by`` may transfer, in one
    request: one transfer per case (``transfer_request``: its checks, preview, timeline
    event and audit entries), with the consent or a legal basis checked per member
    (``legal_bases``: case id → basis). Any member's refusal refuses the whole request,
    naming the case; nothing is written then."""
    options = family_options(by, family)
    cases = [case for option in options for case in option.cases]
    if not cases:
        raise Refused(_("No member of this family has a case you may transfer."))
    legal_bases = legal_bases or {}
    group = FamilyTransfer(
        family=family,
        to_unit=to_unit,
        reason=reason.strip(),
        sections=normalise_sections(sections),
        not_included=sum(not option.included for option in options),
        requested_by=by,
    )
    group.full_clean(exclude=["family", "to_unit", "requested_by"])
    group.save()
    transfers = []
    for case in cases:
        try:
            transfer = transfer_request(
                by=by,
                case=case,
                to_unit=to_unit,
                reason=reason,
                sections=sections,
                legal_basis=legal_bases.get(case.pk, ""),
                request=request,
                notify_parties=False,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                raise ValidationError(
                    {
                        field: [f"{_member_label(case)}: {m}" for m in errors]
                        for field, errors in exc.message_dict.items()
                    }
                ) from exc
            raise ValidationError([f"{_member_label(case)}: {m}" for m in exc.messages]) from exc
        except (Refused, Conflict) as exc:
            raise type(exc)(f"{_member_label(case)}: {exc}") from exc
        transfers.append(transfer)
    Transfer.objects.filter(pk__in=[t.pk for t in transfers]).update(family_transfer=group)
    record(
        actor=by,
        action=Action.CREATE,
        obj=group,
        request=request,
        detail={
            "family": family.pk,
            "to_unit": to_unit.pk,
            "transfers": [t.pk for t in transfers],
            "cases": [c.pk for c in cases],
            "not_included": group.not_included,
        },
    )
    _tell_about_family(
        group, by, NotificationKind.TRANSFER_REQUESTED, receiving_supervisors(to_unit.pk)
    )
    return group


def _requester(group: FamilyTransfer) -> User:
    return User.objects.get(pk=group.requested_by_id)


def may_answer_family(user: User, group: FamilyTransfer) -> bool:
    return policy.supervised_unit_id(user) == group.to_unit_id


def _lock_family(group: FamilyTransfer, version: int) -> tuple[FamilyTransfer, list[Transfer]]:
    locked = FamilyTransfer.objects.select_for_update().get(pk=group.pk)
    _check_unanswered(locked, version)
    members = list(
        Transfer.objects.filter(family_transfer=locked, status=TransferStatus.REQUESTED)
        .select_related("case")
        .order_by("pk")
    )
    if not members:  # each withdrawn on its own since
        raise Conflict(stale_message())
    return locked, members


def _settle_family(
    *,
    by: User,
    group: FamilyTransfer,
    version: int,
    step: Callable[..., Transfer],
    step_with: dict[str, Any] | Callable[[Transfer], dict[str, Any]],
    status: str,
    kind: str,
    request: HttpRequest | None,
    changes: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
    tell_receivers: bool = False,
) -> FamilyTransfer:
    """``step`` (with ``step_with``, or what it gives for each transfer) for every case of
    the request still awaiting an answer, each on its own (its timeline and audit entries,
    no notice); then the request closed with ``status``, audited, and its requester told
    once (and, with ``tell_receivers``, the receiving supervisors). The caller has checked
    who may."""
    locked, members = _lock_family(group, version)
    for transfer in members:
        step(
            by=by,
            transfer=transfer,
            version=transfer.version,
            request=request,
            notify_parties=False,
            within_family=True,
            **(step_with(transfer) if callable(step_with) else step_with),
        )
    _close_family(
        locked, by, status, [t.pk for t in members], request, changes=changes, detail=detail
    )
    locked.refresh_from_db()
    receivers = receiving_supervisors(locked.to_unit_id) if tell_receivers else []
    _tell_about_family(locked, by, kind, [_requester(locked), *receivers])
    return locked


def _check_answers_family(by: User, group: FamilyTransfer) -> None:
    if not may_answer_family(by, group):
        raise PermissionDenied(_("Only a supervisor of the receiving unit may answer."))


@transaction.atomic
def family_transfer_accept(
    *,
    by: User,
    group: FamilyTransfer,
    version: int,
    case_manager: User,
    keep_user_ids: list[int] | None = None,
    request: HttpRequest | None = None,
) -> FamilyTransfer:
    """The receiving supervisor takes every case of the request still awaiting an answer
    over at once (``transfer_accept`` for each: unit, region and case manager change, the
    old teams leave, open tasks move, each on its timeline and in the audit log). Those of
    ``keep_user_ids`` stay on the cases whose team they are on (e.g. the family's lawyer
    at a national agency)."""
    _check_answers_family(by, group)
    keep = set(keep_user_ids or [])
    if keep - {m.user_id for m in family_keepable_members(group)}:
        raise ValidationError({"keep": _("Only members of the current team can be kept.")})

    def accepting(transfer: Transfer) -> dict[str, Any]:
        on_team = {m.user_id for m in keepable_members(transfer)}
        return {"case_manager": case_manager, "keep_user_ids": sorted(keep & on_team)}

    return _settle_family(
        by=by,
        group=group,
        version=version,
        step=transfer_accept,
        step_with=accepting,
        status=TransferStatus.ACCEPTED,
        kind=NotificationKind.TRANSFER_ACCEPTED,
        request=request,
        changes={"new_case_manager": case_manager},
        detail={"case_manager": case_manager.pk, "team_kept": sorted(keep)},
    )


@transaction.atomic
def family_transfer_decline(
    *,
    by: User,
    group: FamilyTransfer,
    version: int,
    reason: str,
    request: HttpRequest | None = None,
) -> FamilyTransfer:
    """Decline every case of the request still awaiting an answer, with one reason."""
    _check_answers_family(by, group)
    return _settle_family(
        by=by,
        group=group,
        version=version,
        step=transfer_decline,
        step_with={"reason": reason},
        status=TransferStatus.DECLINED,
        kind=NotificationKind.TRANSFER_DECLINED,
        request=request,
        changes={"decline_reason": reason.strip()},
    )


def may_withdraw_family(user: User, group: FamilyTransfer) -> bool:
    """May withdraw the whole request: manages every case of it still awaiting an answer
    (the requesting side; each case's own request may be withdrawn on its own)."""
    waiting = set(
        Transfer.objects.filter(family_transfer=group, status=TransferStatus.REQUESTED).values_list(
            "case_id", flat=True
        )
    )
    managed = policy.managed_cases(user).filter(pk__in=waiting).count()
    return bool(waiting) and managed == len(waiting)


@transaction.atomic
def family_transfer_withdraw(
    *, by: User, group: FamilyTransfer, version: int, request: HttpRequest | None = None
) -> FamilyTransfer:
    """Withdraw every case of the request still awaiting an answer at once
    (``transfer_withdraw`` for each: its timeline and audit entries, no notice), then
    close the request; the requester and the receiving supervisors are told once."""
    if not may_withdraw_family(by, group):
        raise PermissionDenied(_("Only the case manager or the supervisor may withdraw it."))
    return _settle_family(
        by=by,
        group=group,
        version=version,
        step=transfer_withdraw,
        step_with={},
        status=TransferStatus.WITHDRAWN,
        kind=NotificationKind.TRANSFER_WITHDRAWN,
        request=request,
        tell_receivers=True,
    )
