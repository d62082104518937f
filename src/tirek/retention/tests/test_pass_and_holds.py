"""The daily pass, legal holds and the DPO's batch approval (services)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tirek.audit.models import AuditEntry
from tirek.people.models import Person
from tirek.retention import selectors, services
from tirek.retention.models import BatchStatus, DestructionBatch, LegalHold
from tirek.testing import World, logged_in_client

from .factories import closed_case, sibling_of

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _case_file_after_five_years(settings: Any) -> None:
    settings.TIREK_RETENTION = {"KZ": {"case_file": {"trigger": "closure", "years": 5}}}


def _entry(record_type: str = "case_file", today: date = TODAY) -> selectors.TypeDue:
    return selectors.due_for(record_type, today)


def test_due_now_and_due_soon_at_the_boundaries(world: World) -> None:
    due_today = closed_case(world, closed_on=date(2021, 6, 15))
    due_tomorrow = closed_case(world, closed_on=date(2021, 6, 16))
    in_thirty = closed_case(world, closed_on=date(2021, 7, 15))
    in_thirty_one = closed_case(world, closed_on=date(2021, 7, 16))
    still_open = closed_case(world, closed_on=None)
    entry = _entry()
    assert [d.number for d in entry.now] == [due_today.number]
    assert [d.number for d in entry.soon] == [due_tomorrow.number, in_thirty.number]
    numbers = {d.number for d in entry.now + entry.soon}
    assert in_thirty_one.number not in numbers and still_open.number not in numbers


def test_a_person_with_an_open_case_is_not_anonymised(world: World) -> None:
    old = closed_case(world, closed_on=date(2015, 1, 1))
    closed_case(world, closed_on=None, person=old.person)
    assert _entry().now == []


def test_the_pass_proposes_but_destroys_nothing(world: World) -> None:
    case = closed_case(world, closed_on=date(2020, 1, 1))
    summary = services.daily_pass(TODAY)
    assert summary["case_file"] == 1
    batch = DestructionBatch.objects.get(record_type="case_file")
    assert batch.status == BatchStatus.PROPOSED and batch.proposed_count == 1
    case.person.refresh_from_db()
    assert case.person.family_name == "Tulegenova"
    # Run again: the same batch is refreshed, not a second one made.
    services.daily_pass(TODAY)
    assert DestructionBatch.objects.filter(record_type="case_file").count() == 1


def _dpo(world: World) -> Any:
    return world.users.get("dpo") or world.staff("dpo", username="dpo")


def _approve(dpo: Any, batch: DestructionBatch, on_commit: Any) -> DestructionBatch:
    """Approve; the queued task runs when the approval commits (the worker's step)."""
    with on_commit(execute=True):
        queued = services.batch_approve(by=dpo, batch=batch)
    assert queued.status == BatchStatus.QUEUED
    return DestructionBatch.objects.get(pk=batch.pk)


def test_only_the_dpo_places_a_hold(world: World) -> None:
    case = closed_case(world, closed_on=date(2020, 1, 1))
    for role in ("admin", "supervisor", "case-manager"):
        with pytest.raises(PermissionDenied):
            services.hold_place(
                by=world.staff(role), case_number=case.number, scope="case",
                reason="Court proceedings", legal_basis="Art. 12",
            )  # fmt: skip
    assert not LegalHold.objects.exists()


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("case_number", {"case_number": "KZ-NOPE"}),
        ("reason", {"reason": "  "}),
        ("legal_basis", {"legal_basis": ""}),
        ("until", {"until": date(2000, 1, 1)}),
        ("scope", {"scope": "village"}),
    ],
)
def test_a_bad_hold_gets_a_message_and_changes_nothing(
    world: World, field: str, values: dict[str, Any]
) -> None:
    case = closed_case(world, closed_on=date(2020, 1, 1))
    good = {"case_number": case.number, "scope": "case", "reason": "Court", "legal_basis": "Law"}
    dpo = _dpo(world)
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.hold_place(by=dpo, **{**good, **values})
    assert field in exc.value.message_dict
    assert not LegalHold.objects.exists()
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("scope", ["case", "person", "family"])
def test_a_hold_stops_destruction_of_what_it_covers(
    world: World, scope: str, django_capture_on_commit_callbacks: Any
) -> None:
    held = closed_case(world, closed_on=date(2020, 1, 1))
    free = closed_case(world, closed_on=date(2020, 1, 1), given="Aigerim", family="Serikova")
    dpo = _dpo(world)
    # The family scope is placed on the sibling's case and still covers ``held``.
    target = held
    if scope == "family":
        sibling = sibling_of(held)
        target = closed_case(world, closed_on=None, person=sibling)
    services.hold_place(
        by=dpo, case_number=target.number, scope=scope, reason="Pending court case",
        legal_basis="Criminal Procedure Code",
    )  # fmt: skip
    services.daily_pass(TODAY)
    batch = DestructionBatch.objects.get(record_type="case_file", status="proposed")
    assert set(batch.items.values_list("case_id", flat=True)) == {free.pk}
    done = _approve(dpo, batch, django_capture_on_commit_callbacks)
    assert (done.status, done.destroyed_count, done.held_back_count) == ("done", 1, 0)
    held.person.refresh_from_db()
    assert held.person.family_name == "Tulegenova"
    assert Person.objects.get(pk=free.person_id).family_name == ""


def test_a_hold_placed_after_the_proposal_holds_back_at_approval(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    case = closed_case(world, closed_on=date(2020, 1, 1))
    dpo = _dpo(world)
    services.daily_pass(TODAY)
    batch = DestructionBatch.objects.get(record_type="case_file", status="proposed")
    services.hold_place(
        by=dpo, case_number=case.number, scope="person", reason="Complaint", legal_basis="Law"
    )
    done = _approve(dpo, batch, django_capture_on_commit_callbacks)
    assert (done.destroyed_count, done.held_back_count) == (0, 1)
    case.person.refresh_from_db()
    assert case.person.family_name == "Tulegenova"


def test_lifting_a_hold_is_audited_and_lets_destruction_go_ahead(world: World) -> None:
    case = closed_case(world, closed_on=date(2020, 1, 1))
    dpo = _dpo(world)
    hold = services.hold_place(
        by=dpo, case_number=case.number, scope="case", reason="Appeal", legal_basis="Law"
    )
    assert selectors.held_case_ids() == {case.pk}
    with pytest.raises(ValidationError):
        services.hold_lift(by=dpo, hold=hold, reason="")
    services.hold_lift(by=dpo, hold=hold, reason="Appeal decided")
    assert selectors.held_case_ids() == set()
    actions = list(
        AuditEntry.objects.filter(object_type="retention.legalhold").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["create", "update"]
    for entry in AuditEntry.objects.filter(object_type="retention.legalhold"):
        assert "Tulegenova" not in str(entry.detail)


def test_a_hold_with_an_end_date_stops_holding_after_it(world: World) -> None:
    case = closed_case(world, closed_on=date(2020, 1, 1))
    hold = services.hold_place(
        by=_dpo(world), case_number=case.number, scope="case", reason="Inquiry",
        legal_basis="Law", until=timezone.localdate() + timedelta(days=1),
    )  # fmt: skip
    assert selectors.held_case_ids() == {case.pk}
    LegalHold.objects.filter(pk=hold.pk).update(until=timezone.localdate() - timedelta(days=1))
    assert selectors.held_case_ids() == set()


def test_approval_needs_the_dpo_and_happens_once(world: World) -> None:
    closed_case(world, closed_on=date(2020, 1, 1))
    services.daily_pass(TODAY)
    batch = DestructionBatch.objects.get(record_type="case_file", status="proposed")
    with pytest.raises(PermissionDenied):
        services.batch_approve(by=world.staff("admin"), batch=batch)
    with pytest.raises(PermissionDenied):
        services.batch_approve(by=world.staff("supervisor"), batch=batch)
    services.batch_approve(by=_dpo(world), batch=batch)
    with pytest.raises(ValidationError):
        services.batch_approve(by=_dpo(world), batch=batch)


def test_the_record_of_destruction_names_no_child(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    case = closed_case(world, closed_on=date(2020, 1, 1))
    number = case.number
    services.daily_pass(TODAY)
    batch = _approve(
        _dpo(world),
        DestructionBatch.objects.get(record_type="case_file", status="proposed"),
        django_capture_on_commit_callbacks,
    )
    report = services.describe(batch)
    assert report["destroyed"] == 1 and report["rule"] == {
        "trigger": "closure",
        "years": 5,
        "days": 0,
    }
    text = str(report) + str(list(AuditEntry.objects.values_list("detail", flat=True)))
    assert "Tulegenova" not in text and "Dana" not in text
    case.refresh_from_db()
    assert case.number != number and case.number.startswith("ANON-")


def test_approval_queues_and_a_hold_placed_before_the_run_is_respected(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    case = closed_case(world, closed_on=date(2020, 1, 1))
    dpo = _dpo(world)
    services.daily_pass(TODAY)
    batch = DestructionBatch.objects.get(record_type="case_file", status="proposed")
    with django_capture_on_commit_callbacks() as queued:  # approved; the worker not yet run
        services.batch_approve(by=dpo, batch=batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.QUEUED and batch.done_at is None
    case.person.refresh_from_db()
    assert case.person.family_name == "Tulegenova"  # nothing destroyed in the request
    services.hold_place(
        by=dpo, case_number=case.number, scope="case", reason="Court", legal_basis="Law"
    )
    for callback in queued:  # the worker's turn
        callback()
    batch.refresh_from_db()
    assert (batch.status, batch.destroyed_count, batch.held_back_count) == ("done", 0, 1)
    case.person.refresh_from_db()
    assert case.person.family_name == "Tulegenova"


def test_a_failed_run_is_shown_to_the_dpo_and_running_again_skips_whoever_is_done(
    world: World, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tirek.retention import erasure, tasks
    from tirek.retention.models import Anonymisation

    first = closed_case(world, closed_on=date(2020, 1, 1))
    second = closed_case(world, closed_on=date(2020, 1, 1), given="Aigerim", family="Serikova")
    dpo = _dpo(world)
    services.daily_pass(TODAY)
    batch = DestructionBatch.objects.get(record_type="case_file", status="proposed")
    real = erasure.anonymise_people

    def broken(person_ids: Any) -> list[int]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(erasure, "anonymise_people", broken)
    with django_capture_on_commit_callbacks(execute=True):
        services.batch_approve(by=dpo, batch=batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    assert "disk full" in batch.failure and batch.attempts == 3  # retried, then given up
    page = logged_in_client(dpo).get(f"/retention/batches/{batch.pk}/").content.decode()
    assert 'data-status="failed"' in page and "disk full" in page and 'data-testid="retry"' in page

    # One person was anonymised meanwhile (say, by an earlier interrupted run).
    monkeypatch.setattr(erasure, "anonymise_people", real)
    real([first.person_id])
    Anonymisation.objects.create(person_id=first.person_id, batch=batch)
    calls: list[set[int]] = []

    def counting(person_ids: Any) -> list[int]:
        calls.append(set(person_ids))
        return real(person_ids)

    monkeypatch.setattr(erasure, "anonymise_people", counting)
    with django_capture_on_commit_callbacks(execute=True):
        services.batch_retry(by=dpo, batch=batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and batch.failure == ""
    assert calls == [{second.person_id}]
    assert Person.objects.get(pk=second.person_id).family_name == ""
    # Running the task again for a batch done changes nothing.
    assert tasks.carry_out_batch.call(batch.pk) == "skipped"


def test_group_arrival_previews_go_thirty_days_after_the_upload(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from tirek.transfers.models import GroupImport, GroupImportStatus

    worker = world.staff("case-manager", username="importer")
    row = [{"row": 2, "family_name": "Tulegenova", "given_name": "Dana", "iin": "900101400123"}]
    old = timezone.now() - timedelta(days=31)
    pending = GroupImport.objects.create(created_by=worker, rows=row, created_at=old)
    registered = GroupImport.objects.create(
        created_by=worker, rows=row, created_at=old, status=GroupImportStatus.COMMITTED,
        result={"created": [1], "cases": [2]},
    )  # fmt: skip
    recent = GroupImport.objects.create(
        created_by=worker, rows=row, created_at=timezone.now() - timedelta(days=29)
    )
    assert services.daily_pass()["group_imports"] == 2
    _approve(
        _dpo(world),
        DestructionBatch.objects.get(record_type="group_imports", status="proposed"),
        django_capture_on_commit_callbacks,
    )
    assert not GroupImport.objects.filter(pk=pending.pk).exists()
    registered.refresh_from_db()
    assert registered.rows == [] and registered.result == {"created": [1], "cases": [2]}
    assert GroupImport.objects.get(pk=recent.pk).rows == row
