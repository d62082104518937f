"""The justice (order 90) and incidents (91) demo loaders on the demo family."""

from __future__ import annotations

from io import StringIO

from tirek.access import policy
from tirek.access.policy import Section
from tirek.accounts import demo_org
from tirek.accounts.models import User
from tirek.core.registry import demo_loaders
from tirek.incidents import demo as incidents_demo
from tirek.incidents.models import Incident
from tirek.justice import demo
from tirek.justice.models import Condition, ContactEvent, LegalStatus, Status
from tirek.reports import demo_programme


def test_it_does_nothing_without_the_demo_mother(db: None) -> None:
    out = StringIO()
    demo.load(out)
    assert "skipped" in out.getvalue()
    assert not LegalStatus.objects.exists()


def test_it_loads_the_mother_on_probation_a_contact_visit_and_a_school_incident(
    db: None,
) -> None:
    out = StringIO()
    demo_org.load(out)
    for order, loader in demo_loaders:
        if order < 90:
            loader(out)
    demo.load(out)
    incidents_demo.load(out)
    assert "Demo justice pathway ready" in out.getvalue(), out.getvalue()
    assert "Demo incidents ready" in out.getvalue(), out.getvalue()
    status = LegalStatus.objects.select_related("case__person").first()
    assert status is not None and status.status == Status.PROBATION
    assert status.next_review is not None
    mother = status.case
    assert (mother.person.family_name, mother.person.given_name) == ("Жаксылыкова", "Гульнар")
    assert Condition.objects.filter(case=mother, review_date__isnull=False).count() == 2
    probation = User.objects.get(username="demo-probation-officer")
    assert policy.can_see(probation, mother, Section.SECURITY)
    contact = ContactEvent.objects.get()
    assert not policy.visible_cases(probation).filter(pk=contact.case_id).exists()
    # The one incident of the demo family (the demo programme's people have their own).
    incident = Incident.objects.exclude(
        cases__case_manager__username__startswith=demo_programme.STAFF_PREFIX
    ).get()
    liaison = User.objects.get(username="demo-school-liaison")
    assert incident.recorded_by == liaison and incident.place == "school"
    assert not policy.can_see(liaison, mother, Section.SECURITY)
    count = LegalStatus.objects.count()
    again = StringIO()
    demo.load(again)
    assert "already loaded" in again.getvalue() and LegalStatus.objects.count() == count
