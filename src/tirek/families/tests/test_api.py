"""/api/v1/families: paged like the other lists, the policy per member, 404 problem
details for a family the user may not see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tirek.accounts.roles import Role
from tirek.families import services
from tirek.testing import World, api_client

from .helpers import register_family

pytestmark = pytest.mark.django_db


def test_the_family_api_lists_and_reads_as_the_page_does(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    worker = world.staff(Role.COMMUNITY_WORKER, agency=world.ministry, unit=None)
    family = register_family(manager)
    services.community_worker_add(by=manager, family=family, user=worker)
    goal = services.goal_add(by=manager, family=family, area="housing", title="Жильё")
    due = timezone.localdate() + timedelta(days=3)
    services.task_add(by=manager, goal=goal, title="Визит", owner=worker, due_date=due)
    services.task_add(by=manager, goal=goal, title="Заявление", owner=manager, due_date=due)
    api = api_client(manager)
    listed = api.get("/api/v1/families?limit=500").json()
    assert listed["count"] == 1 and listed["limit"] == 100
    assert listed["items"][0]["id"] == family.pk and listed["items"][0]["members"] == 3
    body = api.get(f"/api/v1/families/{family.pk}").json()
    assert [m["role"] for m in body["members"]] == ["mother", "child", "child"]
    assert all(len(m["cases"]) == 1 for m in body["members"])
    assert len(body["goals"]) == 1 and len(body["tasks"]) == 2
    theirs = api_client(worker).get(f"/api/v1/families/{family.pk}").json()
    assert theirs["goals"] == [] and [t["title"] for t in theirs["tasks"]] == ["Визит"]
    assert all(m["cases"][0]["sections"] == ["core", "family"] for m in theirs["members"])
    stranger = api_client(world.staff(Role.CASE_MANAGER))
    for url in (f"/api/v1/families/{family.pk}", "/api/v1/families/99999999"):
        response = stranger.get(url)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/problem+json")
    assert stranger.get("/api/v1/families").json()["count"] == 0
    assert stranger.get("/api/v1/families/0").status_code == 422
    assert stranger.get("/api/v1/families?offset=-1").status_code == 422
