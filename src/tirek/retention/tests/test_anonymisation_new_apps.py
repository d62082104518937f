"""Anonymisation reaches the apps of issues 16 and 17: a child and their mother, both due,
with records in families, justice, incidents, transfers and documents and in two
group-arrival previews; afterwards no text column and no encrypted value names either of
them, and the indicators (incidents and transfers included) are those of before."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from django.utils import timezone

from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.cases.models import Case
from tirek.documents.models import PsychologicalRelease, recipient_key
from tirek.families import services as family_services
from tirek.families.models import (
    Family,
    FamilyGoal,
    FamilyMember,
    FamilyPlan,
    FamilyPlanDecision,
    FamilyPlanVersion,
    FamilyTask,
)
from tirek.incidents.models import Incident, IncidentAction
from tirek.justice.models import (
    Condition,
    ContactEvent,
    LegalStatus,
    LegalUpdate,
    SupportRecord,
)
from tirek.organisations.models import Unit
from tirek.people.keys import refresh_keys
from tirek.people.models import Person
from tirek.retention import services
from tirek.retention.models import DestructionBatch
from tirek.transfers.models import FamilyTransfer, GroupImport, GroupImportStatus, Transfer

from .test_anonymisation import (
    FAMILY,
    GIVEN,
    IIN,
    PATRONYMIC,
    PLANTED,
    _decrypted_holding,
    _indicators,
    _load_demo,
    _plant_text,
    _richest_case,
    _rows_about,
    _text_columns_holding,
)

pytestmark = pytest.mark.django_db

M_FAMILY, M_GIVEN, M_IIN = "Серикбосынова", "Айгеримжан", "850101400321"
M_PLANTED = f"{M_GIVEN} {M_FAMILY} {M_IIN}"
NEEDLES = (FAMILY, GIVEN, PATRONYMIC, IIN, M_FAMILY, M_GIVEN, M_IIN)


def _last_year(month: int, day: int) -> datetime:
    return timezone.make_aware(datetime(timezone.now().year - 1, month, day, 10))


def _close(case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(
        status="closed", opened_at=_last_year(2, 10), closed_at=_last_year(11, 20)
    )


def _records_in_new_apps(child_case: Case, mother_case: Case, manager: User) -> int:
    """Returns the incident's id."""
    year = timezone.now().year - 1
    on = date(year, 5, 4)
    family = Family.objects.create(
        label=f"Семья {FAMILY}", guardianship=M_PLANTED, shared_goals=M_PLANTED,
        created_by=manager,
    )  # fmt: skip
    FamilyMember.objects.create(family=family, person=child_case.person, role="child")
    FamilyMember.objects.create(family=family, person=mother_case.person, role="mother")
    plan = FamilyPlan.objects.create(family=family, comment=PLANTED)
    goal = FamilyGoal.objects.create(plan=plan, area="housing", title=M_PLANTED)
    FamilyTask.objects.create(
        goal=goal, title=PLANTED, owner=manager, due_date=on, created_by=manager
    )
    # The approved version freezes the goal and task titles (the JSON keeps the IINs
    # readable for the column scan); the approval comments name the mother.
    FamilyPlanVersion.objects.create(
        plan=plan, number=1, snapshot=family_services.snapshot(family), approved_by=manager,
        approved_at=_last_year(5, 10), comment=M_PLANTED,
    )  # fmt: skip
    FamilyPlanDecision.objects.create(
        plan=plan, decision="approved", by=manager, comment=M_PLANTED, version_number=1
    )
    # Justice: the mother's file on her (adult) case, the contact on the child's.
    LegalStatus.objects.create(
        case=mother_case, status="custody", institution=M_PLANTED, contact=M_PLANTED,
        start_date=on, note=M_PLANTED, recorded_by=manager,
    )  # fmt: skip
    condition = Condition.objects.create(case=mother_case, text=M_PLANTED, recorded_by=manager)
    LegalUpdate.objects.create(
        case=mother_case, kind="changed", on_date=on, condition=condition,
        legal_basis=M_PLANTED, note=M_PLANTED, recorded_by=manager,
    )  # fmt: skip
    SupportRecord.objects.create(
        case=mother_case, kind="training", provider=M_PLANTED, start_date=on,
        outcome=M_PLANTED, recorded_by=manager,
    )  # fmt: skip
    ContactEvent.objects.create(
        case=child_case, kind="visit", status="held", on_date=on, with_whom=M_PLANTED,
        accompanied_by=PLANTED, child_reaction=PLANTED, recorded_by=manager,
    )  # fmt: skip
    incident = Incident.objects.create(
        kind="bullying", place="school", occurred_on=on, reported_by=M_PLANTED,
        description=PLANTED, child_account=PLANTED, account_trusted_adult=M_PLANTED,
        account_consent=True, outcome=PLANTED, region=child_case.region,
        unit=child_case.supervising_unit, recorded_by=manager,
    )  # fmt: skip
    incident.cases.add(child_case)
    IncidentAction.objects.create(
        incident=incident, description=PLANTED, owner=manager, due_date=on, created_by=manager
    )
    other_unit = Unit.objects.exclude(pk=child_case.supervising_unit_id).first()
    assert other_unit is not None
    family_transfer = FamilyTransfer.objects.create(
        family=family, to_unit=other_unit, reason=M_PLANTED, status="declined",
        decline_reason=M_PLANTED, requested_by=manager, requested_at=_last_year(6, 1),
        decided_at=_last_year(6, 3), decided_by=manager,
    )  # fmt: skip
    Transfer.objects.create(
        case=child_case, from_unit=child_case.supervising_unit, from_region=child_case.region,
        to_unit=other_unit, to_region=other_unit.region, reason=PLANTED, legal_basis=PLANTED,
        status="declined", decline_reason=M_PLANTED, requested_by=manager,
        requested_at=_last_year(6, 1), decided_at=_last_year(6, 3), decided_by=manager,
        family_transfer=family_transfer,
    )  # fmt: skip
    recipient = f"Суд, {PLANTED}"
    PsychologicalRelease.objects.create(
        case=child_case, purpose="court", recipient=recipient,
        recipient_key=recipient_key(recipient), released_by=manager,
    )  # fmt: skip
    # The group list that registered the mother, and another worker's pending one in which
    # the child is a probable match.
    row = {"row": 2, "family_group": "1", "relationship": "head", "family_name": M_FAMILY,
           "given_name": M_GIVEN, "patronymic": "", "sex": "female", "birth_date": "1985-01-01",
           "precision": "day", "iin": M_IIN, "candidates": []}  # fmt: skip
    GroupImport.objects.create(
        created_by=manager, file_name=f"{M_FAMILY}.csv", status=GroupImportStatus.COMMITTED,
        rows=[row], committed_at=_last_year(1, 5),
        result={"created": [mother_case.person_id], "linked": [], "cases": [mother_case.pk],
                "relationships": 0},
    )  # fmt: skip
    other_worker = User.objects.exclude(pk=manager.pk).filter(is_active=True).first()
    assert other_worker is not None
    child_row = {**row, "row": 3, "family_name": FAMILY, "given_name": GIVEN, "iin": IIN,
                 "candidates": [{"id": child_case.person_id, "score": 0.99, "probable": True,
                                 "visible": True, "label": f"{FAMILY} {GIVEN}", "unit": ""}]}  # fmt: skip
    stranger = {**row, "row": 4, "family_name": "Омарова", "given_name": "Сая", "iin": ""}
    GroupImport.objects.create(
        created_by=other_worker, file_name=f"{FAMILY} g2.csv", rows=[child_row, stranger]
    )
    return incident.pk


def test_anonymisation_reaches_families_justice_incidents_transfers_and_group_imports(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TIREK_RETENTION = {"KZ": {"case_file": {"trigger": "closure", "years": 0, "days": 1}}}
    settings.TIREK_SDC_THRESHOLD = 2
    _load_demo()
    child_case = _richest_case()
    child = child_case.person
    manager = child_case.case_manager
    _close(child_case)
    Case.objects.filter(person=child).exclude(pk=child_case.pk).update(status="closed")
    Person.objects.filter(pk=child.pk).update(
        given_name=GIVEN, family_name=FAMILY, patronymic=PATRONYMIC, iin=IIN
    )
    refresh_keys(Person.objects.get(pk=child.pk))
    mother = Person.objects.create(
        given_name=M_GIVEN, family_name=M_FAMILY, iin=M_IIN, sex="female",
        birth_date=date(1985, 1, 1),
    )  # fmt: skip
    refresh_keys(mother)
    mother_case = Case.objects.create(
        number="KZ-MOTHER-1", person=mother, status="closed", case_manager=manager,
        supervising_unit=child_case.supervising_unit, region=child_case.region,
        opened_at=_last_year(2, 10), closed_at=_last_year(11, 20),
    )  # fmt: skip
    case_ids = list(Case.objects.filter(person=child).values_list("pk", flat=True))
    # Whatever the demo already holds about them carries their names too.
    for person, ids in ((child, case_ids), (mother, [mother_case.pk])):
        for queryset in _rows_about(person, ids):
            _plant_text(queryset)
    incident_id = _records_in_new_apps(Case.objects.get(pk=child_case.pk), mother_case, manager)
    assert _text_columns_holding(M_FAMILY) and _decrypted_holding(M_GIVEN)
    assert _decrypted_holding(GIVEN)
    analyst = User.objects.get(username="demo-me-analyst")
    before = _indicators(analyst)

    services.daily_pass()
    batch = DestructionBatch.objects.get(record_type="case_file", status="proposed")
    assert {*case_ids, mother_case.pk} <= set(batch.items.values_list("case_id", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        services.batch_approve(by=User.objects.get(username="demo-dpo"), batch=batch)

    for needle in NEEDLES:
        found = _text_columns_holding(needle) + _decrypted_holding(needle)
        assert found == [], f"{needle}: {found}"

    # The facts indicators need stay.
    incident = Incident.objects.get(pk=incident_id)
    assert (incident.kind, incident.place, incident.region_id) == (
        "bullying",
        "school",
        child_case.region_id,
    )
    assert incident.actions.get().due_date.year == timezone.now().year - 1
    status = LegalStatus.objects.get(case=mother_case)
    assert (status.status, status.start_date.month) == ("custody", 5)
    transfer = Transfer.objects.get(case=child_case)
    assert (transfer.status, transfer.from_unit_id) == ("declined", child_case.supervising_unit_id)
    family = Family.objects.get(members__person=mother)
    assert family.members.count() == 2 and family.plan.goals.get().area == "housing"
    # The approved version keeps its structure (the version page still lists the goal and
    # its task, their area and due date), not their titles nor the owner's name.
    [frozen] = family.plan.versions.get().snapshot["goals"]
    assert (frozen["area"], frozen["title"]) == ("housing", "")
    [task] = frozen["tasks"]
    assert (task["title"], task["owner"], task["owner_id"]) == ("", "", manager.pk)
    assert task["due_date"].startswith(str(timezone.now().year - 1))
    assert LegalUpdate.objects.get(case=mother_case).kind == "changed"
    assert FamilyTransfer.objects.get(family=family).status == "declined"
    # A registered import keeps its result and loses its preview; the pending one keeps
    # the stranger's row untouched.
    # Both lose the uploaded file's name (it named them).
    registered = GroupImport.objects.get(status=GroupImportStatus.COMMITTED, file_name="")
    assert registered.rows == [] and registered.result["created"] == [mother.pk]
    pending = GroupImport.objects.get(status=GroupImportStatus.PENDING, file_name="")
    assert pending.rows[0]["given_name"] == "" and pending.rows[0]["candidates"][0]["label"] == ""
    assert pending.rows[1]["given_name"] == "Сая"
    assert _indicators(analyst) == before


def test_a_parent_anonymised_alone_is_no_longer_named_on_the_childs_contacts(world: Any) -> None:
    from tirek.people.models import Relationship
    from tirek.retention import erasure

    from .factories import closed_case

    mother_case = closed_case(world, closed_on=date(2020, 1, 1), given="Saule", family="Abisheva")
    child_case = closed_case(world, closed_on=None, given="Nurlan", family="Abishev")
    stranger_case = closed_case(world, closed_on=None, given="Dana", family="Omarova")
    Relationship.objects.create(
        person=child_case.person, relative=mother_case.person, kind="mother"
    )
    manager = child_case.case_manager
    on = date(2024, 3, 1)
    for case in (child_case, stranger_case):
        ContactEvent.objects.create(
            case=case, kind="visit", status="held", on_date=on, with_whom="Saule Abisheva",
            child_reaction="Calm", recorded_by=manager,
        )  # fmt: skip
    erasure.anonymise_people([mother_case.person_id])
    assert ContactEvent.objects.get(case=child_case).with_whom == ""
    assert ContactEvent.objects.get(case=child_case).child_reaction == "Calm"  # the child's
    # Not a relative: someone else called Saule Abisheva is left alone.
    assert ContactEvent.objects.get(case=stranger_case).with_whom == "Saule Abisheva"


def test_a_family_the_person_was_taken_out_of_loses_the_texts_naming_them(world: Any) -> None:
    """The mother is taken out of the family (the membership is deleted), then anonymised:
    the family's texts written while she belonged to it, and the contact on her child's
    case that names her, go all the same; a family she never belonged to keeps its own."""
    from tirek.retention import erasure

    from .factories import closed_case

    mother_case = closed_case(world, closed_on=date(2020, 1, 1), given="Saule", family="Abisheva")
    child_case = closed_case(world, closed_on=None, given="Nurlan", family="Abishev")
    other_case = closed_case(world, closed_on=None, given="Dana", family="Omarova")
    manager = child_case.case_manager
    named = "Saule Abisheva"
    family = Family.objects.create(
        label=f"Family of {named}", guardianship=f"{named} until 2024",
        shared_goals=f"Nurlan lives with {named} again", created_by=manager,
    )  # fmt: skip
    FamilyMember.objects.create(family=family, person=child_case.person, role="child")
    gone = FamilyMember.objects.create(family=family, person=mother_case.person, role="mother")
    plan = FamilyPlan.objects.create(family=family, comment=f"Agreed with {named}")
    goal = FamilyGoal.objects.create(plan=plan, area="contact", title=f"Visits to {named}")
    FamilyTask.objects.create(
        goal=goal, title=f"Call {named}", owner=manager, due_date=date(2024, 3, 1),
        created_by=manager,
    )  # fmt: skip
    FamilyPlanVersion.objects.create(
        plan=plan, number=1, snapshot=family_services.snapshot(family), approved_by=manager,
        approved_at=timezone.now(), comment=f"{named} agreed",
    )  # fmt: skip
    FamilyPlanDecision.objects.create(plan=plan, decision="approved", by=manager, comment=named)
    ContactEvent.objects.create(
        case=child_case, kind="visit", status="held", on_date=date(2024, 3, 1),
        with_whom=named, child_reaction="Calm", recorded_by=manager,
    )  # fmt: skip
    unrelated = Family.objects.create(
        label="Family O", shared_goals=f"Meet {named} from the council", created_by=manager
    )
    FamilyMember.objects.create(family=unrelated, person=other_case.person, role="child")

    supervisor = world.staff(Role.SUPERVISOR)
    family_services.member_remove(by=supervisor, family=family, version=family.version, member=gone)
    assert not FamilyMember.objects.filter(person=mother_case.person).exists()
    erasure.anonymise_people([mother_case.person_id])

    family.refresh_from_db()
    assert (family.label, family.guardianship, family.shared_goals) == (f"#{family.pk}", "", "")
    plan.refresh_from_db()
    assert plan.comment == "" and FamilyGoal.objects.get(plan=plan).title == ""
    assert FamilyTask.objects.get(goal__plan=plan).title == ""
    version = FamilyPlanVersion.objects.get(plan=plan)
    assert version.comment == "" and named not in str(version.snapshot)
    assert version.snapshot["goals"][0]["area"] == "contact"
    assert FamilyPlanDecision.objects.get(plan=plan).comment == ""
    assert ContactEvent.objects.get(case=child_case).with_whom == ""
    # The child stays a member; the family nobody anonymised is untouched.
    assert list(family.members.values_list("person_id", flat=True)) == [child_case.person_id]
    unrelated.refresh_from_db()
    assert (unrelated.label, unrelated.shared_goals) == (
        "Family O",
        f"Meet {named} from the council",
    )
