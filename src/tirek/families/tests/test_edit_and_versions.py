"""Changing a family after registration (details, members with their relationships)
with optimistic versions, and the family plan's approved versions and decisions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.cases.models import Case
from tirek.families import services
from tirek.families.models import Family, FamilyMember, MemberRole
from tirek.people.models import Household, Person, Relationship
from tirek.testing import World, logged_in_client

from .helpers import register_family

pytestmark = pytest.mark.django_db


def _details(family: Family, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "form": "details",
        "version": family.version,
        "label": family.label,
        "guardianship": family.guardianship,
        "shared_goals": family.shared_goals,
        "household_label": "",
        "household_locality": "",
    }
    data.update(changes)
    return data


def _member(family: Family, role: str) -> FamilyMember:
    return FamilyMember.objects.filter(family=family, role=role).order_by("position").first()


def test_the_case_manager_changes_the_details_audited_and_shown(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    family = register_family(manager)
    client = logged_in_client(manager)
    assert client.get(f"/families/{family.pk}/edit/").status_code == 200
    response = client.post(
        f"/families/{family.pk}/edit/",
        _details(
            family,
            guardianship="Бабушка — опекун по решению органа опеки",
            shared_goals="Жить вместе в Караганде; дети ходят в школу",
            household_label="Дом бабушки",
            household_locality="Караганда",
        ),
    )
    assert response.status_code == 302
    family.refresh_from_db()
    assert family.version == 2
    assert family.guardianship.startswith("Бабушка")
    assert family.household is not None and family.household.locality == "Караганда"
    page = client.get(f"/families/{family.pk}/").content.decode()
    assert "Жить вместе в Караганде" in page and "Дом бабушки" in page
    entry = AuditEntry.objects.get(
        actor=manager, action=Action.UPDATE, object_type="families.family"
    )
    assert entry.detail["changed"] == ["guardianship", "shared_goals"]
    assert entry.detail["household"] is True


def test_a_stale_form_is_refused_and_changes_nothing(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    family = register_family(manager)
    client = logged_in_client(manager)
    stale = _details(family, shared_goals="Первая версия")
    assert client.post(f"/families/{family.pk}/edit/", stale).status_code == 302
    second = dict(stale, shared_goals="Вторая версия, с устаревшей формы")
    response = client.post(f"/families/{family.pk}/edit/", second)
    assert response.status_code == 409
    assert 'role="alert"' in response.content.decode()
    family.refresh_from_db()
    assert family.shared_goals == "Первая версия" and family.version == 2
    # The members' forms carry the version too.
    child = _member(family, MemberRole.CHILD)
    response = client.post(
        f"/families/{family.pk}/edit/",
        {"form": "member-remove", "version": 1, "member": child.pk},
    )
    assert response.status_code == 409
    assert FamilyMember.objects.filter(pk=child.pk).exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"label": ""},
        {"label": "Семья\x07"},
        {"shared_goals": "x" * 2001},
        {"household_locality": "Караганда"},  # a place without a household
        {"label": "Семья\u200b Б"},  # an invisible character
        {"version": "abc"},
    ],
)
def test_bad_details_get_a_message_and_change_nothing(world: World, changes: dict) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    family = register_family(manager)
    response = logged_in_client(manager).post(
        f"/families/{family.pk}/edit/", _details(family, **changes)
    )
    assert response.status_code == 400
    assert "errorlist" in response.content.decode() or 'role="alert"' in response.content.decode()
    before = Family.objects.get(pk=family.pk)
    assert (before.label, before.version, before.household_id) == (family.label, 1, None)
    assert not Household.objects.exists()


def test_a_family_the_user_may_not_see_is_a_404_and_a_viewer_may_not_change_it(
    world: World,
) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    family = register_family(manager)
    other = world.staff(Role.CASE_MANAGER, agency=world.centre_almaty)
    client = logged_in_client(other)
    assert client.get(f"/families/{family.pk}/edit/").status_code == 404
    assert client.post(f"/families/{family.pk}/edit/", _details(family)).status_code == 404
    assert client.get("/families/999999/edit/").status_code == 404
    assert AuditEntry.objects.filter(
        actor=other, action=Action.DENIED, object_type="families.family"
    ).exists()
    # A community worker sees the family, not its editing.
    worker = world.staff(Role.COMMUNITY_WORKER)
    services.community_worker_add(by=manager, family=family, user=worker)
    worker_client = logged_in_client(worker)
    assert worker_client.get(f"/families/{family.pk}/").status_code == 200
    assert worker_client.get(f"/families/{family.pk}/edit/").status_code == 403
    response = worker_client.post(
        f"/families/{family.pk}/edit/", _details(family, shared_goals="не их дело")
    )
    assert response.status_code == 403
    family.refresh_from_db()
    assert family.shared_goals == "" and family.version == 1


def test_a_relative_on_file_joins_with_relationships_and_a_member_leaves(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    family = register_family(manager)
    child = _member(family, MemberRole.CHILD)
    grandmother = Person.objects.create(
        given_name="Бибигуль", family_name="Сапарова", sex="female",
        birth_date=date(1960, 1, 5), created_by=manager,
    )  # fmt: skip
    Relationship.objects.create(
        person=child.person, relative=grandmother, kind="grandparent", created_by=manager
    )
    stranger = Person.objects.create(
        given_name="Иван", family_name="Чужой", sex="male", birth_date=date(1970, 1, 1)
    )
    client = logged_in_client(manager)
    form = client.get(f"/families/{family.pk}/edit/").content.decode()
    assert f'value="{grandmother.pk}"' in form and f'value="{stranger.pk}"' not in form
    # Someone not offered (not related, not the user's to open): refused, nothing written.
    refused = client.post(
        f"/families/{family.pk}/edit/",
        {"form": "member-add", "version": 1, "person": stranger.pk, "role": "relative"},
    )
    assert refused.status_code == 400 and "errorlist" in refused.content.decode()
    # A grandmother born after a child: a clear message.
    too_young = client.post(
        f"/families/{family.pk}/edit/",
        {"form": "member-add", "version": 1, "person": grandmother.pk, "role": "child"},
    )
    assert too_young.status_code == 400
    assert FamilyMember.objects.filter(family=family).count() == 3
    added = client.post(
        f"/families/{family.pk}/edit/",
        {"form": "member-add", "version": 1, "person": grandmother.pk, "role": "grandparent"},
    )
    assert added.status_code == 302
    assert FamilyMember.objects.filter(family=family, person=grandmother).exists()
    # The other child now has her as grandparent too (the first one already had).
    other_child = (
        FamilyMember.objects.filter(family=family, role=MemberRole.CHILD).exclude(pk=child.pk).get()
    )
    assert Relationship.objects.filter(
        person=other_child.person, relative=grandmother, kind="grandparent"
    ).exists()
    assert Relationship.objects.filter(person=child.person, relative=grandmother).count() == 1
    family.refresh_from_db()
    assert family.version == 2
    # The second child leaves: the record, case and relationships stay.
    response = client.post(
        f"/families/{family.pk}/edit/",
        {"form": "member-remove", "version": 2, "member": other_child.pk},
    )
    assert response.status_code == 302
    assert not FamilyMember.objects.filter(pk=other_child.pk).exists()
    assert Case.objects.filter(person=other_child.person).exists()
    assert Relationship.objects.filter(person=other_child.person).exists()
    details = [
        e.detail
        for e in AuditEntry.objects.filter(actor=manager, object_type="families.family").order_by(
            "id"
        )
    ]
    assert any(d.get("member_added") == grandmother.pk for d in details)
    assert any(d.get("member_removed") == other_child.person_id for d in details)


def test_the_last_member_stays(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    family = register_family(manager)
    client = logged_in_client(manager)
    members = list(FamilyMember.objects.filter(family=family).order_by("position"))
    for version, member in enumerate(members[:-1], start=1):
        response = client.post(
            f"/families/{family.pk}/edit/",
            {"form": "member-remove", "version": version, "member": member.pk},
        )
        assert response.status_code == 302
    # The last one: the manager still manages the family through it, and it stays.
    last = members[-1]
    response = client.post(
        f"/families/{family.pk}/edit/",
        {"form": "member-remove", "version": len(members), "member": last.pk},
    )
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    assert FamilyMember.objects.filter(family=family).count() == 1


def test_the_family_plan_keeps_its_approved_versions_and_decisions(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    supervisor = world.staff(Role.SUPERVISOR)
    family = register_family(manager)
    worker = world.staff(Role.COMMUNITY_WORKER)
    services.community_worker_add(by=manager, family=family, user=worker)
    goal = services.goal_add(by=manager, family=family, area="housing", title="Жильё для семьи")
    due = timezone.localdate() + timedelta(days=10)
    services.task_add(by=manager, goal=goal, title="Навестить семью", owner=worker, due_date=due)
    services.plan_submit(by=manager, family=family)
    services.plan_decide(by=supervisor, family=family, approve=True, comment="Согласовано")
    # A revision: a second goal, submitted, returned, then approved.
    services.goal_add(by=manager, family=family, area="income", title="Работа для матери")
    services.plan_submit(by=manager, family=family)
    services.plan_decide(by=supervisor, family=family, approve=False, comment="Уточнить сроки")
    services.plan_submit(by=manager, family=family)
    services.plan_decide(by=supervisor, family=family, approve=True)
    client = logged_in_client(manager)
    page = client.get(f"/families/{family.pk}/").content.decode()
    assert page.count('data-testid="plan-version-link"') == 2
    assert page.count('data-decision="submitted"') == 3
    assert page.count('data-decision="returned"') == 1 and "Уточнить сроки" in page
    first = client.get(f"/families/{family.pk}/plan/versions/1/").content.decode()
    assert "Жильё для семьи" in first and "Работа для матери" not in first
    assert "Навестить семью" in first
    second = client.get(f"/families/{family.pk}/plan/versions/2/").content.decode()
    assert "Работа для матери" in second
    assert client.get(f"/families/{family.pk}/plan/versions/3/").status_code == 404
    assert AuditEntry.objects.filter(actor=supervisor, detail__version=2).exists()
    # The community worker sees their own tasks, not the plan's versions or decisions.
    worker_client = logged_in_client(worker)
    worker_page = worker_client.get(f"/families/{family.pk}/").content.decode()
    assert "plan-history" not in worker_page and "Уточнить сроки" not in worker_page
    assert worker_client.get(f"/families/{family.pk}/plan/versions/1/").status_code == 404
    # Someone who may not see the family: 404.
    other = world.staff(Role.CASE_MANAGER, agency=world.centre_almaty)
    assert logged_in_client(other).get(f"/families/{family.pk}/plan/versions/1/").status_code == 404
