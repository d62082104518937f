from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from tirek.accounts.roles import Role
from tirek.core.exceptions import Refused
from tirek.testing import World, api_client, logged_in_client
from tirek.training import cascade, services
from tirek.training.models import Event

from .factories import attend, event, short_course


def _certify(coordinator, participant, pre=40, post=80):
    attend(coordinator, participant, days=5, pre=pre, post=post)
    return services.certificate_issue_for_participant(by=coordinator, participant=participant)


def _external(coordinator, ev, name):
    return services.participant_add(by=coordinator, event=ev, full_name=name)


@pytest.fixture
def tree(world: World) -> dict:
    """Master M → ToT E1 (A, B certified trainers; X external) → A delivers ToT E2
    (D certified; Y, Z external) → D delivers webinar E3 (staff S and external W).
    B never delivers."""
    coordinator = world.staff(Role.TRAINING_COORDINATOR)
    a, b, d = (
        world.staff(Role.TRAINER, username=n) for n in ("trainer-a", "trainer-b", "trainer-d")
    )
    s = world.staff(Role.CASE_MANAGER, username="learner-s")
    course = short_course()
    e1 = event(coordinator, course, title="E1")
    services.trainer_assign(by=coordinator, event=e1, external_name="Master M", is_master=True)
    for user in (a, b):
        _certify(coordinator, services.participant_add(by=coordinator, event=e1, user=user), 40, 80)
    attend(coordinator, _external(coordinator, e1, "X"), days=5, pre=50, post=70)

    e2 = event(coordinator, course, title="E2")
    services.trainer_assign(by=coordinator, event=e2, user=a)
    _certify(coordinator, services.participant_add(by=coordinator, event=e2, user=d), 30, 75)
    attend(coordinator, _external(coordinator, e2, "Y"), days=5, pre=40, post=70)
    _external(coordinator, e2, "Z")

    e3 = event(coordinator, course, title="E3", kind=Event.Kind.WEBINAR, days=1)
    services.trainer_assign(by=coordinator, event=e3, user=d)
    attend(
        coordinator, services.participant_add(by=coordinator, event=e3, user=s), 1, pre=50, post=60
    )
    _external(coordinator, e3, "W")
    return {"coordinator": coordinator, "a": a, "b": b, "d": d, "course": course, "e1": e1}


def test_it_counts_reach_generations_and_active_trainers_of_a_three_generation_tree(
    tree: dict,
) -> None:
    result = cascade.build()
    nodes = {n.name: n for n in result.nodes.values()}
    master = nodes["Master M"]
    a, b, d = (nodes[tree[k].username] for k in ("a", "b", "d"))
    assert [r.name for r in result.roots] == ["Master M"]
    assert master.children == sorted([a, b], key=lambda n: n.name)
    assert a.children == [d] and d.children == [] and b.children == []
    assert (master.generation, a.generation, b.generation, d.generation) == (1, 2, 2, 3)
    # E1: A, B, X → 3 direct; below: E2 (D, Y, Z) and E3 (S, W) → 5 indirect.
    assert (master.direct_count, master.indirect_count, master.total_count) == (3, 5, 8)
    assert (a.direct_count, a.indirect_count, a.total_count) == (3, 2, 5)
    assert (d.direct_count, d.indirect_count, d.total_count) == (2, 0, 2)
    assert (b.direct_count, b.total_count) == (0, 0)
    assert result.generations == 3
    assert (result.trainers, result.active_trainers) == (4, 3)
    gains = {row.generation: (row.participants, row.gain_mean) for row in result.by_generation}
    # Gains: E1 A 40, B 40, X 20 → 33.3; E2 D 45, Y 30 (Z untested) → 37.5; E3 S 10 → 10.
    assert gains == {
        1: (3, Decimal("33.3")),
        2: (3, Decimal("37.5")),
        3: (2, Decimal("10.0")),
    }


def test_it_needs_a_valid_trainer_certificate_to_deliver(world: World) -> None:
    coordinator = world.staff(Role.TRAINING_COORDINATOR)
    trainer = world.staff(Role.TRAINER)
    ev = event(coordinator, short_course())
    with pytest.raises(Refused):
        services.trainer_assign(by=coordinator, event=ev, user=trainer)
    assert not ev.trainers.exists()


def test_it_lets_only_a_coordinator_mark_a_master_trainer(world: World) -> None:
    coordinator = world.staff(Role.TRAINING_COORDINATOR)
    trainer = world.staff(Role.TRAINER)
    ev = event(coordinator, short_course())
    with pytest.raises(PermissionDenied):
        services.trainer_assign(by=trainer, event=ev, user=trainer, is_master=True)
    response = logged_in_client(trainer).post(
        f"/training/events/{ev.pk}/trainers/", {"username": trainer.username, "is_master": "on"}
    )
    assert response.status_code in (403, 404)
    assert not ev.trainers.exists()
    services.trainer_assign(by=coordinator, event=ev, user=trainer, is_master=True)
    assert ev.trainers.get().is_master


def test_it_cuts_a_cycle_instead_of_looping(tree: dict) -> None:
    coordinator, a, e1 = tree["coordinator"], tree["a"], tree["e1"]
    # Bad data: D now delivers E1 too, so A's trainer event is "under" D.
    services.trainer_assign(by=coordinator, event=e1, user=tree["d"])
    result = cascade.build()
    assert result.generations >= 1
    assert all(n.total_count >= n.direct_count for n in result.nodes.values())
    assert a.username in {n.name for n in result.nodes.values()}


def test_it_draws_the_tree_for_coordinators_only(tree: dict, world: World) -> None:
    page = logged_in_client(tree["coordinator"]).get("/training/cascade/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Master M" in body and "trainer-d" in body
    assert body.index("Master M") < body.index("trainer-a") < body.index("trainer-d")
    for role in (Role.TRAINER, Role.CASE_MANAGER, Role.ADMIN):
        assert logged_in_client(world.staff(role)).get("/training/cascade/").status_code == 403
    api = api_client(tree["coordinator"]).get("/api/v1/training/cascade")
    assert api.status_code == 200
    assert api.json()["generations"] == 3
    assert api.json()["roots"][0]["total"] == 8
    assert api_client(tree["a"]).get("/api/v1/training/cascade").status_code == 403


def test_it_escapes_names_and_shortens_long_event_lists_in_the_tree(world: World) -> None:
    coordinator = world.staff(Role.TRAINING_COORDINATOR)
    course = short_course()
    for i in range(5):
        ev = event(coordinator, course, title=f"Событие {i}")
        services.trainer_assign(
            by=coordinator, event=ev, external_name="<b>Мастер</b>", is_master=True
        )
    body = logged_in_client(coordinator).get("/training/cascade/").content.decode()
    assert "&lt;b&gt;Мастер&lt;/b&gt;" in body and "<b>Мастер" not in body
    assert "и ещё 2" in body
    assert body.count("Событие") == 3
