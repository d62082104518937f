"""Writing and verifying the audit log."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from .models import CHAIN_COUNT, Action, AuditChain, AuditEntry
from .sealing import chain_seal, entry_fields, entry_mac

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from tirek.accounts.models import User

# Who did it: a user (signed in or not), or the name of a process or of a username that
# signed in with nothing (``"retention-pass"``, a failed login's username), or nobody.
Actor: TypeAlias = "User | AnonymousUser | str | None"

Row = TypeVar("Row", bound=models.Model)


def client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    # REMOTE_ADDR is what the server saw; behind a proxy, configure it to set this.
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def _lock_a_chain() -> AuditChain:
    """Lock the head of any chain nobody else holds; wait only if all are busy."""
    if connection.features.has_select_for_update_skip_locked:
        free = AuditChain.objects.select_for_update(skip_locked=True).order_by("?").first()
        if free is not None:
            return free
    chain = AuditChain.objects.select_for_update().order_by("?").first()
    if chain is None:  # first use: create the heads
        AuditChain.objects.bulk_create(
            [AuditChain(id=i, seal=chain_seal(i, 0, "")) for i in range(CHAIN_COUNT)],
            ignore_conflicts=True,
        )
        chain = AuditChain.objects.select_for_update().order_by("?").first()
    assert chain is not None
    return chain


def _object_ref(obj: models.Model | None, object_type: str, object_id: object) -> tuple[str, str]:
    if obj is not None:
        return obj._meta.label_lower, str(obj.pk)
    return object_type, "" if object_id is None else str(object_id)


def _actor_ref(actor: Actor) -> tuple[int | None, str]:
    """The user id an entry keeps (a signed-in user only) and the name it shows."""
    user = actor if isinstance(actor, models.Model) and actor.is_authenticated else None
    if user is not None:
        return user.pk, user.get_username()[:150]
    return None, str(actor or "")[:150]


def _sealed_entry(
    *,
    chain: AuditChain,
    seq: int,
    prev_mac: str,
    at: datetime,
    actor: tuple[int | None, str],
    action: str | Action,
    object_ref: tuple[str, str],
    ip: str,
    detail: dict[str, Any],
) -> AuditEntry:
    """Entry ``seq`` of ``chain`` (not saved yet), sealed over the entry before it."""
    actor_id, actor_name = actor
    otype, oid = object_ref
    fields = entry_fields(
        chain=chain.id,
        seq=seq,
        at_iso=at.astimezone(UTC).isoformat(),
        actor_id=actor_id,
        actor_name=actor_name,
        action=str(action),
        object_type=otype[:64],
        object_id=oid[:64],
        ip=ip,
        detail=detail,
        prev_mac=prev_mac,
    )
    return AuditEntry(
        chain=chain.id,
        seq=seq,
        at=at,
        actor_id=actor_id,
        actor_name=actor_name,
        action=fields["action"],
        object_type=fields["object_type"],
        object_id=fields["object_id"],
        ip=ip,
        detail=detail,
        prev_mac=prev_mac,
        mac=entry_mac(fields),
    )


def _move_head(chain: AuditChain, last: AuditEntry) -> None:
    """The chain now ends with ``last``: its head and seal follow."""
    chain.seq, chain.head_mac = last.seq, last.mac
    chain.seal = chain_seal(chain.id, last.seq, last.mac)
    chain.save(update_fields=["seq", "head_mac", "seal"])


def record(
    *,
    actor: Actor,
    action: str | Action,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: object = None,
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Runs inside the caller's transaction when there is one,
    so the entry commits (or rolls back) with the change it records."""
    at = timezone.now()
    with transaction.atomic():
        chain = _lock_a_chain()
        entry = _sealed_entry(
            chain=chain,
            seq=chain.seq + 1,
            prev_mac=chain.head_mac,
            at=at,
            actor=_actor_ref(actor),
            action=action,
            object_ref=_object_ref(obj, object_type, object_id),
            ip=client_ip(request),
            detail=detail or {},
        )
        entry.save(force_insert=True)
        _move_head(chain, entry)
    return entry


def save_recorded(
    obj: Row,
    *,
    actor: Actor,
    action: str | Action = Action.CREATE,
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
) -> Row:
    """Validate and save ``obj`` and record the write (a creation unless ``action`` says
    otherwise): the steps of most use cases, in the caller's transaction."""
    obj.full_clean()
    obj.save()
    record(actor=actor, action=action, obj=obj, request=request, detail=detail)
    return obj


@dataclass(frozen=True)
class Pending:
    """One entry for ``record_many``: what ``record`` takes, without the actor and request
    (the same for the whole batch)."""

    action: str | Action
    obj: models.Model | None = None
    object_type: str = ""
    object_id: object = None
    detail: dict[str, Any] = field(default_factory=dict)


def record_many(
    *,
    actor: Actor,
    entries: Sequence[Pending],
    request: HttpRequest | None = None,
) -> list[AuditEntry]:
    """Append several entries by one actor in one go (a bulk registration): one chain is
    locked once, the entries take its next sequence numbers in order, each sealed over
    the one before as ``record`` seals them, inserted together, and the head moves once.
    ``verify`` cannot tell them from entries written one by one."""
    if not entries:
        return []
    actor_ref = _actor_ref(actor)
    ip = client_ip(request)
    at = timezone.now()
    rows: list[AuditEntry] = []
    with transaction.atomic():
        chain = _lock_a_chain()
        seq, prev_mac = chain.seq, chain.head_mac
        for pending in entries:
            seq += 1
            row = _sealed_entry(
                chain=chain,
                seq=seq,
                prev_mac=prev_mac,
                at=at,
                actor=actor_ref,
                action=pending.action,
                object_ref=_object_ref(pending.obj, pending.object_type, pending.object_id),
                ip=ip,
                detail=pending.detail,
            )
            rows.append(row)
            prev_mac = row.mac
        AuditEntry.objects.bulk_create(rows, batch_size=500)
        _move_head(chain, rows[-1])
    return rows


def record_list(
    *,
    actor: Actor,
    object_type: str,
    rows: Iterable[models.Model],
    request: HttpRequest | None = None,
    kind: str = "list",
    action: str | Action = Action.READ,
    **detail: Any,
) -> AuditEntry:
    """One entry for a list, a search or a form that shows personal data of several
    records: which records were shown (their ids, first 100), never what was typed."""
    ids = [row.pk for row in rows]
    return record(
        actor=actor,
        action=action,
        object_type=object_type,
        request=request,
        detail={"kind": kind, "shown": len(ids), "ids": ids[:100], **detail},
    )


# Where a page drawn by several apps keeps the records its parts show (``shown``).
_SHOWN = "_tirek_audit_shown"


@dataclass
class _Shown:
    """The records of one kind a page showed, and the cases they belong to."""

    ids: set[int] = field(default_factory=set)
    cases: set[int] = field(default_factory=set)

    def detail(self, kind: str) -> dict[str, Any]:
        detail: dict[str, Any] = {
            "kind": kind,
            "shown": len(self.ids),
            "ids": sorted(self.ids)[:100],
        }
        if self.cases:
            detail["cases"] = sorted(self.cases)[:100]
        return detail


def shown(
    request: HttpRequest, object_type: str, ids: Iterable[int], cases: Iterable[int] = ()
) -> None:
    """Note that the page being drawn shows these records of ``object_type`` (of these
    ``cases``, when they are not cases themselves: the DPO finds them by case); inside
    ``page_reads`` they are recorded when the page is done (elsewhere: not at all)."""
    found: dict[str, _Shown] = request.__dict__.setdefault(_SHOWN, {})
    records = found.setdefault(object_type, _Shown())
    records.ids.update(ids)
    records.cases.update(cases)


@contextmanager
def page_reads(request: HttpRequest, kind: str) -> Iterator[None]:
    """Around a page whose parts come from several apps ("my work"): each part notes what
    it shows (``shown``), and once all are drawn the page leaves one entry per kind of
    record, as ``record_list`` writes them, all appended together. A page that showed
    nobody's data leaves none."""
    request.__dict__[_SHOWN] = {}
    yield
    found: dict[str, _Shown] = request.__dict__.pop(_SHOWN)
    record_many(
        actor=request.user,
        request=request,
        entries=[
            Pending(action=Action.READ, object_type=object_type, detail=records.detail(kind))
            for object_type, records in sorted(found.items())
            if records.ids
        ],
    )


def my_work_reads(request: HttpRequest) -> AbstractContextManager[None]:
    """The "my work" page's reads (a scope the page is drawn in)."""
    return page_reads(request, "my work")


@dataclass
class VerifyReport:
    entries: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _stored_fields(entry: AuditEntry) -> dict[str, Any]:
    return entry_fields(
        chain=entry.chain,
        seq=entry.seq,
        at_iso=entry.at.astimezone(UTC).isoformat(),
        actor_id=entry.actor_id,
        actor_name=entry.actor_name,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        ip=entry.ip,
        detail=entry.detail,
        prev_mac=entry.prev_mac,
    )


def verify() -> VerifyReport:
    """Walk every chain and report each changed, inserted or deleted entry."""
    report = VerifyReport()
    heads = {c.id: c for c in AuditChain.objects.all()}
    chain_ids = set(heads) | set(AuditEntry.objects.values_list("chain", flat=True).distinct())
    if chain_ids:
        # The heads are created together at first use, so a missing one means a chain
        # was wiped with its head.
        chain_ids |= set(range(CHAIN_COUNT))
    for chain_id in sorted(chain_ids):
        head = heads.get(chain_id)
        expected_seq, prev_mac = 1, ""
        for entry in AuditEntry.objects.filter(chain=chain_id).order_by("seq").iterator(2000):
            report.entries += 1
            where = f"chain {chain_id}, entry #{entry.seq} (id {entry.pk})"
            if entry.seq != expected_seq:
                report.problems.append(
                    f"{where}: entries #{expected_seq}..#{entry.seq - 1} are missing (deleted)"
                )
            elif entry.prev_mac != prev_mac:
                report.problems.append(f"{where}: does not link to the entry before it (inserted)")
            if entry_mac(_stored_fields(entry)) != entry.mac:
                report.problems.append(f"{where}: content does not match its seal (changed)")
            expected_seq, prev_mac = entry.seq + 1, entry.mac
        last_seq = expected_seq - 1
        if head is None:
            report.problems.append(f"chain {chain_id}: its sealed head is missing")
        elif head.seal != chain_seal(chain_id, head.seq, head.head_mac):
            report.problems.append(f"chain {chain_id}: the head's seal is broken (changed)")
        elif (head.seq, head.head_mac) != (last_seq, prev_mac):
            report.problems.append(
                f"chain {chain_id}: the head says #{head.seq} but the last entry is #{last_seq} "
                "(entries deleted from the end, or added outside Tirek)"
            )
    return report
