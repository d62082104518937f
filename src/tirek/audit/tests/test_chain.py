"""The audit log is tamper-evident: `tirek audit verify` finds any change made behind
Tirek's back, directly in the database."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction

from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditChain, AuditEntry
from tirek.audit.services import record, verify
from tirek.testing import World


def _verify() -> str:
    out, err = StringIO(), StringIO()
    call_command("audit", "verify", stdout=out, stderr=err)
    return out.getvalue()


def _tampered() -> str:
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", stdout=StringIO(), stderr=err)
    return err.getvalue()


@pytest.fixture
def log(world: World) -> list[AuditEntry]:
    """A log with 60 entries by two people."""
    worker = world.staff(Role.CASE_MANAGER, username="worker")
    return [
        record(
            actor=worker, action=Action.READ, object_type="cases.case", object_id=n, detail={"n": n}
        )
        for n in range(60)
    ]


def _busiest_chain() -> int:
    counts = Counter(AuditEntry.objects.values_list("chain", flat=True))
    chain, count = counts.most_common(1)[0]
    assert count >= 3
    return chain


def _entries(chain: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(chain=chain).order_by("seq"))


def test_it_verifies_an_untouched_log(log: list[AuditEntry]) -> None:
    total = AuditEntry.objects.count()
    assert f"{total}" in _verify()
    assert verify().ok


def test_it_verifies_an_empty_log(db: None) -> None:
    assert verify().ok
    _verify()


@pytest.mark.parametrize(
    "change",
    [
        {"actor_name": "somebody-else"},
        {"action": Action.LOGIN},
        {"object_id": "999"},
        {"ip": "10.9.8.7"},
        {"detail": {"n": -1}},
    ],
)
def test_it_detects_a_changed_field(log: list[AuditEntry], change: dict) -> None:
    middle = log[30]
    AuditEntry.objects.filter(pk=middle.pk).update(**change)
    assert f"id {middle.pk}" in _tampered()


def test_it_detects_a_changed_time(log: list[AuditEntry]) -> None:
    middle = log[30]
    AuditEntry.objects.filter(pk=middle.pk).update(at=middle.at - timedelta(days=3))
    assert "changed" in _tampered()


def test_it_detects_a_deleted_entry_in_the_middle(log: list[AuditEntry]) -> None:
    chain = _busiest_chain()
    victim = _entries(chain)[1]
    AuditEntry.objects.filter(pk=victim.pk).delete()
    assert "missing" in _tampered()


def test_it_detects_a_deleted_last_entry(log: list[AuditEntry]) -> None:
    chain = _busiest_chain()
    AuditEntry.objects.filter(pk=_entries(chain)[-1].pk).delete()
    assert f"chain {chain}" in _tampered()


def test_it_detects_a_forged_entry_appended(log: list[AuditEntry]) -> None:
    chain = _busiest_chain()
    last = _entries(chain)[-1]
    AuditEntry.objects.create(
        chain=chain,
        seq=last.seq + 1,
        at=last.at,
        actor_name="worker",
        action=Action.READ,
        object_type="cases.case",
        object_id="1",
        prev_mac=last.mac,
        mac="0" * 64,
    )
    assert _tampered()


def test_it_detects_a_forged_entry_slipped_in_with_a_renumbered_tail(log: list[AuditEntry]) -> None:
    # The forger shifts later entries up by one to make room: the links break.
    chain = _busiest_chain()
    entries = _entries(chain)
    for entry in reversed(entries[1:]):
        AuditEntry.objects.filter(pk=entry.pk).update(seq=entry.seq + 1)
    AuditEntry.objects.create(
        chain=chain,
        seq=entries[1].seq,
        at=entries[1].at,
        actor_name="nobody",
        action=Action.READ,
        prev_mac=entries[0].mac,
        mac=entries[1].mac,
    )
    assert _tampered()


def test_it_detects_a_rewound_chain_head(log: list[AuditEntry]) -> None:
    chain = _busiest_chain()
    AuditChain.objects.filter(pk=chain).update(seq=1)
    assert "head" in _tampered()


def test_it_detects_a_whole_chain_wiped(log: list[AuditEntry]) -> None:
    chain = _busiest_chain()
    AuditEntry.objects.filter(chain=chain).delete()
    AuditChain.objects.filter(pk=chain).delete()
    assert f"chain {chain}" in _tampered()


def test_it_rolls_an_entry_back_with_the_change_it_records(world: World) -> None:
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        record(actor="system", action=Action.UPDATE, object_type="cases.case", object_id=1)
        raise RuntimeError("the change failed")
    assert AuditEntry.objects.count() == before
    assert verify().ok


@pytest.mark.django_db(transaction=True)
def test_it_keeps_a_valid_log_when_many_requests_write_at_once(world: World) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the concurrent chains matter on PostgreSQL")
    threads, per_thread = 8, 25
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def write(number: int) -> None:
        try:
            start.wait()
            for n in range(per_thread):
                with transaction.atomic():
                    record(
                        actor=f"writer-{number}", action=Action.READ, object_type="t", object_id=n
                    )
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=write, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors
    written = AuditEntry.objects.filter(object_type="t")
    assert written.count() == threads * per_thread
    assert len(set(written.values_list("chain", flat=True))) > 1  # writers spread over chains
    report = verify()
    assert report.ok, report.problems


def test_a_batch_recorded_at_once_verifies_between_single_entries(
    log: list[AuditEntry],
) -> None:
    from tirek.audit.services import Pending, record_many

    worker = log[0].actor
    batch = record_many(
        actor=worker,
        entries=[
            Pending(Action.CREATE, object_type="people.person", object_id=n, detail={"n": n})
            for n in range(40)
        ],
    )
    record(actor=worker, action=Action.READ, object_type="cases.case", object_id=1)
    assert len(batch) == 40 and len({e.chain for e in batch}) == 1
    assert [e.seq for e in batch] == list(range(batch[0].seq, batch[0].seq + 40))
    assert verify().ok
    assert record_many(actor=worker, entries=[]) == []
    # a batch entry changed afterwards is caught like any other
    victim = AuditEntry.objects.get(chain=batch[0].chain, seq=batch[20].seq)
    AuditEntry.objects.filter(pk=victim.pk).update(detail={"n": -1})
    assert f"id {victim.pk}" in _tampered()


def test_a_batch_rolls_back_with_the_change_it_records(world: World) -> None:
    from tirek.audit.services import Pending, record_many

    worker = world.staff(Role.CASE_MANAGER, username="bulk")
    with pytest.raises(RuntimeError), transaction.atomic():
        record_many(actor=worker, entries=[Pending(Action.CREATE, object_type="x", object_id=1)])
        raise RuntimeError
    assert not AuditEntry.objects.filter(actor_name="bulk").exists()
    assert verify().ok
