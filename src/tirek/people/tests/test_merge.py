"""Merging two records of one person: asked by a registering worker, decided by the
supervisor of their unit; everything follows the kept record."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.cases.models import Case
from tirek.core.exceptions import Conflict, Refused
from tirek.people import services
from tirek.people.models import IdentityDocument, MergeState, Person, PersonNameKey, Relationship
from tirek.testing import World, logged_in_client

from .helpers import open_case, register


@pytest.fixture
def pair(world: World) -> dict:
    manager = world.staff(Role.CASE_MANAGER)
    supervisor = world.staff(Role.SUPERVISOR)
    kept = register(manager, "Хадиджа", "Исмаилова", birth_date=date(2015, 4, 4))
    duplicate = register(
        manager, "Khadija", "Ismailova", birth_date=date(2015, 4, 4), iin="", patronymic="Ahmedovna"
    )
    mother = register(manager, "Амина", "Исмаилова", birth_date=date(1990, 1, 1))
    Relationship.objects.create(person=duplicate, relative=mother, kind="mother")
    services.document_add(
        by=manager, person=duplicate, doc_type="foreign_birth_record", country="IQ"
    )
    case = open_case(manager, duplicate)
    return {
        "manager": manager,
        "supervisor": supervisor,
        "kept": kept,
        "duplicate": duplicate,
        "mother": mother,
        "case": case,
    }


def test_it_moves_names_documents_relatives_and_cases_on_approval(pair: dict) -> None:
    kept, duplicate = pair["kept"], pair["duplicate"]
    merge = services.merge_request_create(
        by=pair["manager"], kept=kept, duplicate=duplicate, reason="одна девочка"
    )
    services.merge_request_decide(
        by=pair["supervisor"], merge=merge, approve=True, note="проверено"
    )
    merge.refresh_from_db()
    duplicate.refresh_from_db()
    kept.refresh_from_db()
    assert merge.state == MergeState.APPROVED and merge.decided_by == pair["supervisor"]
    assert duplicate.merged_into == kept
    assert {(n.kind, n.value) for n in kept.names.all()} >= {
        ("given", "Khadija"),
        ("family", "Ismailova"),
    }
    assert kept.patronymic == "Ahmedovna"  # filled in from the duplicate
    assert IdentityDocument.objects.get().person == kept
    assert Relationship.objects.get(relative=pair["mother"]).person == kept
    assert Case.objects.get(pk=pair["case"].pk).person == kept
    assert not PersonNameKey.objects.filter(person=duplicate).exists()
    assert AuditEntry.objects.filter(
        action=Action.UPDATE, object_id=str(duplicate.pk), detail__merged_into=kept.pk
    ).exists()


def test_it_rejects_without_changing_either_record(pair: dict) -> None:
    merge = services.merge_request_create(
        by=pair["manager"], kept=pair["kept"], duplicate=pair["duplicate"], reason="?"
    )
    services.merge_request_decide(
        by=pair["supervisor"], merge=merge, approve=False, note="разные девочки"
    )
    pair["duplicate"].refresh_from_db()
    assert pair["duplicate"].merged_into is None
    assert Case.objects.get().person == pair["duplicate"]
    with pytest.raises(Conflict):
        services.merge_request_decide(by=pair["supervisor"], merge=merge, approve=True)


def test_it_needs_a_supervisor_of_the_requester_s_unit_who_did_not_ask(
    world: World, pair: dict
) -> None:
    merge = services.merge_request_create(
        by=pair["manager"], kept=pair["kept"], duplicate=pair["duplicate"], reason="x"
    )
    with pytest.raises(PermissionDenied):
        services.merge_request_decide(by=pair["manager"], merge=merge, approve=True)
    other_unit = world.staff(Role.SUPERVISOR, agency=world.centre_almaty)
    with pytest.raises(PermissionDenied):
        services.merge_request_decide(by=other_unit, merge=merge, approve=True)
    assert logged_in_client(other_unit).get(f"/people/merges/{merge.pk}/").status_code == 404
    asker = world.staff(Role.SUPERVISOR)
    own = services.merge_request_create(
        by=asker, kept=register(asker, "А", "Б"), duplicate=register(asker, "A", "B"), reason="x"
    )
    with pytest.raises(Refused):
        services.merge_request_decide(by=asker, merge=own, approve=True)
    assert Person.objects.filter(merged_into__isnull=False).count() == 0


def test_it_refuses_to_merge_two_open_cases(pair: dict) -> None:
    open_case(pair["manager"], pair["kept"])
    merge = services.merge_request_create(
        by=pair["manager"], kept=pair["kept"], duplicate=pair["duplicate"], reason="x"
    )
    with pytest.raises(Refused):
        services.merge_request_decide(by=pair["supervisor"], merge=merge, approve=True)
    pair["duplicate"].refresh_from_db()
    assert pair["duplicate"].merged_into is None


def test_it_asks_only_about_records_the_worker_may_open(world: World, pair: dict) -> None:
    stranger = register(world.staff(Role.CASE_MANAGER), "Хадиджа", "Исмаилова")
    with pytest.raises(ValidationError):
        services.merge_request_create(
            by=pair["manager"], kept=pair["kept"], duplicate=stranger, reason="x"
        )
    with pytest.raises(PermissionDenied):
        services.merge_request_create(
            by=world.staff(Role.PSYCHOLOGIST),
            kept=pair["kept"],
            duplicate=pair["duplicate"],
            reason="x",
        )


def test_it_walks_the_supervisor_through_the_decision_on_screen(pair: dict) -> None:
    client = logged_in_client(pair["manager"])
    response = client.post(
        f"/people/{pair['kept'].pk}/merge/",
        {"duplicate_id": pair["duplicate"].pk, "reason": "одна девочка"},
    )
    assert response.status_code == 302
    boss = logged_in_client(pair["supervisor"])
    home = boss.get("/").content.decode()
    assert "1 запрос на объединение ждёт вашего решения" in home
    merge_id = boss.get("/people/merges/").context["merges"][0].pk
    page = boss.get(f"/people/merges/{merge_id}/").content.decode()
    assert "Khadija" in page and "Хадиджа" in page
    decided = boss.post(f"/people/merges/{merge_id}/", {"decision": "approve"})
    assert decided.status_code == 302 and decided["Location"] == f"/people/{pair['kept'].pk}/"
    pair["duplicate"].refresh_from_db()
    assert pair["duplicate"].merged_into == pair["kept"]
