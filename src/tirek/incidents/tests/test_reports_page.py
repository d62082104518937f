"""The ministry's incident aggregates through the reports pages (issue 16, part 4): the
country dashboard shows stigma incidents by type, region and quarter under the same
disclosure control as every indicator — a small cell hidden, a larger one shown."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import translation

from tirek.accounts.roles import Role
from tirek.cases.tests.factories import open_case
from tirek.incidents import services
from tirek.incidents.models import IncidentType
from tirek.reports.tables import HIDDEN
from tirek.reports.tests.checks import assert_page_has_no_small_count, page_cells
from tirek.testing import World, logged_in_client, today

pytestmark = pytest.mark.django_db


def _panel(html: str) -> str:
    start = html.index('data-indicator="stigma_incidents"')
    return html[start : html.index("</section>", start)]


def _rows(panel: str) -> dict[str, str]:
    """The breakdown table's lines: label → the published cell's text."""
    body = panel[panel.index("<tbody>") : panel.index("</tbody>")]
    rows = {}
    for label, cells in re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>', body, re.S):
        rows[label.strip()] = [text for kind, text in page_cells(cells) if kind == "count"][0]
    return rows


@pytest.fixture
def incidents(world: World) -> date:
    manager = world.staff(Role.CASE_MANAGER)
    case = open_case(manager)
    day = today() - timedelta(days=1)
    if day.year != today().year:  # the first of January: stay in this year
        day = today()
    for kind, n in (("bullying", 8), ("hate_speech", 2), ("service_refused", 3)):
        for _ in range(n):
            services.incident_record(
                by=manager, cases=[case.pk], kind=kind, place="school", occurred_on=day,
                reported_by="Классный руководитель",
            )  # fmt: skip
    return day


def test_the_country_dashboard_shows_incidents_by_type_with_small_cells_hidden(
    world: World, incidents: date
) -> None:
    client = logged_in_client(world.staff(Role.ME_ANALYST))
    response = client.get("/reports/country/", {"year": incidents.year, "by": "incident_type"})
    assert response.status_code == 200
    html = response.content.decode()
    assert_page_has_no_small_count(html)
    with translation.override("ru"):
        labels = {kind: str(label) for kind, label in IncidentType.choices}
    rows = _rows(_panel(html))
    assert rows[labels["bullying"]] == "8"  # a cell of 8 incidents: shown
    assert rows[labels["hate_speech"]] == HIDDEN  # 2: hidden
    assert rows[labels["service_refused"]] == HIDDEN  # 3: hidden
    assert rows[labels["violence"]] in ("0", "—", HIDDEN)


def test_by_quarter_and_region_the_same_control_applies(world: World, incidents: date) -> None:
    client = logged_in_client(world.staff(Role.ME_ANALYST))
    for by in ("quarter", "region"):
        html = client.get("/reports/country/", {"year": incidents.year, "by": by}).content.decode()
        panel = _panel(html)
        assert_page_has_no_small_count(panel)
        counts = [text for kind, text in page_cells(panel) if kind == "count"]
        assert "13" in counts, by  # all thirteen in one quarter and one region


def test_the_incident_aggregates_stay_closed_to_casework_roles(world: World) -> None:
    for role in (Role.CASE_MANAGER, Role.SCHOOL_LIAISON, Role.PROBATION_OFFICER):
        client = logged_in_client(world.staff(role))
        assert client.get("/reports/country/", {"by": "incident_type"}).status_code == 403
