"""What an outside attack tried on people: IIN probing, invisible characters in names,
duplicate registration (issue 10)."""

from __future__ import annotations

from datetime import date

from tirek.accounts.roles import Role
from tirek.testing import World, api_client

from .helpers import open_case, register

IIN = "140214501002"


def _child_with_iin(world: World, *team_roles: str) -> tuple[object, dict[str, object]]:
    manager = world.staff(Role.CASE_MANAGER)
    person = register(
        manager, "Мухаммад", "Каримов", birth_date=date(2014, 2, 14), sex="male", iin=IIN
    )
    members = {role: world.staff(role) for role in team_roles}
    open_case(manager, person, team=[(user, role) for role, user in members.items()])
    return person, {"manager": manager, **members}


def test_school_and_health_roles_cannot_confirm_an_iin_by_searching_for_it(world: World) -> None:
    person, users = _child_with_iin(world, Role.SCHOOL_LIAISON, Role.HEALTH_WORKER, Role.LAWYER)
    for role in (Role.SCHOOL_LIAISON, Role.HEALTH_WORKER):
        client = api_client(users[role])
        by_name = client.get("/api/v1/persons", {"q": "Каримов"}).json()
        assert [p["id"] for p in by_name["items"]] == [person.pk]  # they may see the child
        by_iin = client.get("/api/v1/persons", {"q": IIN}).json()
        assert by_iin["items"] == [] and by_iin["count"] == 0
        nobody = client.get("/api/v1/persons", {"q": "990101300123"}).json()
        assert by_iin == nobody  # the same answer as no match
    for role in ("manager", Role.LAWYER):
        found = api_client(users[role]).get("/api/v1/persons", {"q": IIN}).json()
        assert [p["id"] for p in found["items"]] == [person.pk]
