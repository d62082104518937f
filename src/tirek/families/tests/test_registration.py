"""Registration of a returning family in one go (issue 16, part 1): one form, the
duplicate check for every member, relationships, one case per member, all or nothing."""

from __future__ import annotations

from datetime import date

import pytest

from tirek.accounts.roles import Role
from tirek.audit.models import AuditEntry
from tirek.cases.models import Case
from tirek.families.models import Family, FamilyMember
from tirek.people.models import DuplicateDismissal, Person, Relationship
from tirek.testing import World, logged_in_client

from .helpers import CHILD1, CHILD2, MOTHER, form_data

pytestmark = pytest.mark.django_db


def _members(*rows: tuple[str, dict]) -> list[dict]:
    return [{"role": role, **fields} for role, fields in rows]


FAMILY = _members(("mother", MOTHER), ("child", CHILD1), ("child", CHILD2))


def _nothing_written() -> None:
    assert Person.objects.count() == 0
    assert Case.objects.count() == 0
    assert Family.objects.count() == 0
    assert Relationship.objects.count() == 0


def test_a_mother_and_two_children_are_registered_with_cases_and_relationships(
    world: World,
) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    colleague = world.staff(Role.CASE_MANAGER)
    client = logged_in_client(manager)
    assert client.get("/families/register/").status_code == 200
    response = client.post("/families/register/", form_data(FAMILY, case_manager=str(colleague.pk)))
    assert response.status_code == 302
    family = Family.objects.get()
    assert response["Location"] == f"/families/{family.pk}/"
    members = list(FamilyMember.objects.filter(family=family).select_related("person"))
    assert [m.role for m in members] == ["mother", "child", "child"]
    mother, first, second = (m.person for m in members)
    cases = Case.objects.filter(person__in=[mother, first, second])
    assert cases.count() == 3
    assert {c.case_manager_id for c in cases} == {colleague.pk}
    rel = set(Relationship.objects.values_list("person_id", "relative_id", "kind"))
    assert rel == {
        (first.pk, mother.pk, "mother"),
        (second.pk, mother.pk, "mother"),
        (first.pk, second.pk, "sibling"),
    }
    assert AuditEntry.objects.filter(object_type="families.family", action="create").exists()
    # The chosen case manager opens the family page; the registrar too.
    assert logged_in_client(colleague).get(f"/families/{family.pk}/").status_code == 200


@pytest.mark.parametrize(
    "members, field",
    [
        ([], "form"),
        (_members(("mother", MOTHER), ("child", CHILD1), ("child", CHILD1)), "member"),
        (
            _members(("mother", MOTHER), ("child", {**CHILD1, "birth_date": date(1990, 1, 1)})),
            "member",
        ),
        (_members(("mother", {**MOTHER, "given_name": "Диль\u200bназ"})), "field"),
        (_members(("mother", {**MOTHER, "family_name": "\u202e\u200b"})), "field"),
        (_members(("mother", {**MOTHER, "birth_date": "2999-01-01"})), "field"),
        (_members(("mother", {**MOTHER, "given_name": "Ай\x00ша"})), "field"),
    ],
    ids=[
        "no-members",
        "same-member-twice",
        "child-older-than-mother",
        "zero-width-space",
        "only-invisible",
        "born-in-the-future",
        "nul",
    ],
)
def test_bad_input_is_a_form_error_and_writes_nothing(
    world: World, members: list[dict], field: str
) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    response = logged_in_client(manager).post(
        "/families/register/", form_data(members, case_manager=str(manager.pk))
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="errorlist' in body or 'role="alert"' in body
    if field == "member":
        assert 'data-testid="member-error"' in body
    if field == "form":
        assert 'data-testid="form-error"' in body
    _nothing_written()


def test_a_probable_match_needs_a_decision_before_anything_is_written(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    on_file = Person.objects.create(**CHILD1, sex="female", created_by=manager)
    from tirek.people.keys import refresh_keys

    refresh_keys(on_file)
    client = logged_in_client(manager)
    data = form_data(FAMILY, case_manager=str(manager.pk))
    response = client.post("/families/register/", data)
    assert response.status_code == 200
    assert 'data-testid="candidate"' in response.content.decode()
    assert Person.objects.count() == 1 and Family.objects.count() == 0
    # "Different person" without a reason: still nothing.
    data["m-1-decision"] = "different"
    response = client.post("/families/register/", data)
    assert response.status_code == 200 and Family.objects.count() == 0
    # The same person: the record on file joins the family, no second record.
    data["m-1-decision"] = f"same:{on_file.pk}"
    response = client.post("/families/register/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Person.objects.count() == 3
    assert FamilyMember.objects.filter(person=on_file).exists()
    assert Case.objects.filter(person=on_file).count() == 1


def test_a_different_person_with_a_reason_is_registered_and_the_decision_kept(
    world: World,
) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    other = world.staff(Role.CASE_MANAGER)
    on_file = Person.objects.create(**CHILD1, sex="female", created_by=other)
    from tirek.people.keys import refresh_keys

    refresh_keys(on_file)
    data = form_data(FAMILY, case_manager=str(manager.pk))
    data["m-1-decision"] = "different"
    data["m-1-dismiss_reason"] = "Другие родители, другое место рождения"
    response = logged_in_client(manager).post("/families/register/", data)
    assert response.status_code == 302
    assert Person.objects.count() == 4
    assert DuplicateDismissal.objects.filter(candidate=on_file).count() == 1


def test_roles_that_do_not_register_may_not_register_a_family(world: World) -> None:
    for role in (Role.SCHOOL_LIAISON, Role.COMMUNITY_WORKER, Role.DPO):
        user = world.staff(role)
        client = logged_in_client(user)
        assert client.get("/families/register/").status_code == 403
        assert client.post("/families/register/", form_data(FAMILY)).status_code == 403
    _nothing_written()
