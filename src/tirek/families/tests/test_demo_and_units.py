"""The demo family (issue 16) and the mahalla / community level of the region tree."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError

from tirek.access import policy
from tirek.accounts import demo_org
from tirek.accounts.models import User
from tirek.cases.models import Case
from tirek.families import demo, selectors
from tirek.families.models import Family, FamilyMember
from tirek.organisations.models import Region
from tirek.organisations.services import region_add
from tirek.plans.models import PlanStatus
from tirek.testing import World, logged_in_client

pytestmark = pytest.mark.django_db


def test_the_demo_holds_a_mother_with_three_children_and_a_community_worker() -> None:
    out = io.StringIO()
    demo_org.load(out)
    demo.load(out)
    demo.load(out)  # idempotent
    family = Family.objects.get(label=demo.LABEL)
    roles = list(FamilyMember.objects.filter(family=family).values_list("role", flat=True))
    assert roles == ["mother", "child", "child", "child"]
    cases = list(Case.objects.filter(person__family_memberships__family=family))
    assert len(cases) == 4
    plan = selectors.plan_of(family)
    assert plan is not None and plan.status == PlanStatus.APPROVED
    worker = User.objects.get(username=demo.WORKER)
    assert worker.region is not None and worker.region.kind == Region.Kind.COMMUNITY
    assert worker.region.parent is not None and worker.region.parent.kind == Region.Kind.DISTRICT
    assert [t.title for t in selectors.my_open_tasks(worker)] == [
        "Навестить семью дома и поговорить с учителями обеих школ"
    ]
    for case in cases:
        assert policy.sections_for(worker, case) == {"core", "family"}
    page = logged_in_client(worker).get(f"/families/{family.pk}/")
    assert page.status_code == 200
    assert family.shared_goals.startswith("Жить вместе")  # what the family works towards
    assert family.shared_goals in page.content.decode()


def test_a_community_sits_under_a_district_and_nothing_under_it(world: World) -> None:
    with pytest.raises(ValidationError):
        region_add(code="kz-mahalla-x", kind=Region.Kind.COMMUNITY, parent=world.karaganda,
                   names={"ru": "Махалля"})  # fmt: skip
    district = region_add(
        code="kz-karaganda-d1", kind=Region.Kind.DISTRICT, parent=world.karaganda,
        names={"ru": "Район"},
    )  # fmt: skip
    mahalla = region_add(
        code="kz-karaganda-d1-m1", kind=Region.Kind.COMMUNITY, parent=district,
        names={"ru": "Махалля"},
    )  # fmt: skip
    assert mahalla.path.startswith(world.karaganda.path)  # the tree's subtree filters hold it
    with pytest.raises(ValidationError):
        region_add(code="kz-below", kind=Region.Kind.DISTRICT, parent=mahalla, names={"ru": "x"})
    assert not Region.objects.filter(code__in=["kz-mahalla-x", "kz-below"]).exists()
