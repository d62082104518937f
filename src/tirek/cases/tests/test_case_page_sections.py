"""The case page's sections: a fragment for htmx, a whole page for a plain link, each load
audited as a read, a section the viewer may not see a 404 recorded as denied."""

from __future__ import annotations

from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.testing import World, logged_in_client, today

from .factories import open_case


def test_it_sends_htmx_only_the_section_and_a_link_the_whole_page(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    case = open_case(manager)
    client = logged_in_client(manager)
    url = f"/cases/{case.pk}/sections/timeline/"
    fragment = client.get(url, HTTP_HX_REQUEST="true")
    whole = client.get(url)
    assert fragment.status_code == whole.status_code == 200
    assert "<html" not in fragment.content.decode()
    assert 'data-testid="timeline"' in fragment.content.decode()
    assert 'data-testid="case-summary"' not in fragment.content.decode()
    page = whole.content.decode()
    assert "<html" in page and 'data-testid="case-summary"' in page
    assert 'data-tab="timeline" aria-current="page"' in page
    assert fragment["Vary"].endswith("HX-Request") or "HX-Request" in fragment["Vary"]
    # A restore from the browser's history needs the whole page again.
    restored = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert 'data-testid="case-summary"' in restored.content.decode()
    assert client.get(f"/cases/{case.pk}/sections/no-such-tab/").status_code == 404


def test_each_section_load_is_an_audited_read_and_a_closed_one_a_denied_read(
    world: World,
) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    school = world.staff(Role.SCHOOL_LIAISON)
    case = open_case(manager, team=[(school, Role.SCHOOL_LIAISON)])
    logged_in_client(manager).get(f"/cases/{case.pk}/sections/plan/", HTTP_HX_REQUEST="true")
    read = AuditEntry.objects.filter(actor=manager, action=Action.READ, object_id=str(case.pk))
    assert read.get().detail == {"section": "plan", "view": "plan"}
    client = logged_in_client(school)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-tab="notes"' in page and 'data-tab="plan"' not in page
    assert 'data-tab="family"' not in page and 'data-testid="deadlines"' not in page
    for closed in ("plan", "family", "referrals", "interviews"):
        assert client.get(f"/cases/{case.pk}/sections/{closed}/").status_code == 404
    denied = AuditEntry.objects.filter(actor=school, action=Action.DENIED)
    assert sorted(e.detail["section"] for e in denied) == ["family", "plan", "plan", "plan"]


def test_the_summary_shows_age_phase_deadlines_alerts_and_case_manager(world: World) -> None:
    from datetime import date

    from tirek.cases.tests.factories import person

    manager = world.staff(Role.CASE_MANAGER)
    manager.first_name, manager.last_name = "Айгуль", "Серикова"
    manager.save(update_fields=["first_name", "last_name"])
    child = person(birth_date=date(2015, 3, 1))
    case = open_case(manager, person=child)
    page = logged_in_client(manager).get(f"/cases/{case.pk}/").content.decode()
    assert child.full_name in page
    years = today().year - 2015 - ((today().month, today().day) < (3, 1))
    assert f"{child.full_name}</a>, {years} " in page
    assert 'data-testid="phase"' in page
    assert "Серикова" in page
    assert 'data-testid="deadlines"' in page  # the initial assessment is due
    assert "Нет действующего согласия на ведение случая." in page  # an open alert
