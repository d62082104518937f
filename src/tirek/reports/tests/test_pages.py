"""Dashboards: who may open them, what they show, and that they show no small cell."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from tirek.access.policy import visible_cases
from tirek.accounts.roles import Role
from tirek.reports.tables import HIDDEN
from tirek.testing import api_client, logged_in_client

from .checks import assert_page_has_no_small_count, page_cells
from .factories import fixture_b


@pytest.mark.parametrize(
    ("role", "url_name", "status"),
    [
        (Role.ME_ANALYST, "reports:country", 200),
        (Role.ME_ANALYST, "reports:training", 200),
        (Role.ME_ANALYST, "reports:unit", 403),
        (Role.SUPERVISOR, "reports:unit", 200),
        (Role.SUPERVISOR, "reports:country", 403),
        (Role.TRAINING_COORDINATOR, "reports:training", 200),
        (Role.TRAINING_COORDINATOR, "reports:country", 403),
        (Role.CASE_MANAGER, "reports:country", 403),
        (Role.DPO, "reports:country", 403),
        (Role.ADMIN, "reports:country", 403),
        (Role.CASE_MANAGER, "reports:exports", 403),
        (Role.DPO, "reports:exchange", 403),
        (Role.SUPERVISOR, "reports:exchange", 403),
    ],
)
def test_it_opens_each_dashboard_only_to_its_audience(world, role, url_name, status) -> None:
    client = logged_in_client(world.staff(role))
    assert client.get(reverse(url_name)).status_code == status


def test_it_sends_anonymous_visitors_to_sign_in(db, client) -> None:
    response = client.get(reverse("reports:country"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (Role.ME_ANALYST, True),
        (Role.SUPERVISOR, True),
        (Role.TRAINING_COORDINATOR, True),
        (Role.DPO, False),
        (Role.CASE_MANAGER, False),
    ],
)
def test_it_shows_the_indicators_link_to_those_who_may_open_it(world, role, shown) -> None:
    html = logged_in_client(world.staff(role)).get("/").content.decode()
    assert (f'href="{reverse("reports:index")}"' in html) is shown


def test_it_takes_each_user_to_their_own_dashboard(world) -> None:
    analyst = logged_in_client(world.staff(Role.ME_ANALYST))
    assert analyst.get(reverse("reports:index"))["Location"] == reverse("reports:country")
    supervisor = logged_in_client(world.staff(Role.SUPERVISOR))
    assert supervisor.get(reverse("reports:index"))["Location"] == reverse("reports:unit")
    coordinator = logged_in_client(world.staff(Role.TRAINING_COORDINATOR))
    assert coordinator.get(reverse("reports:index"))["Location"] == reverse("reports:training")
    assert logged_in_client(world.staff(Role.DPO)).get(reverse("reports:index")).status_code == 403


def test_it_never_lets_the_analyst_open_a_case(world) -> None:
    cases = fixture_b(world)
    analyst = world.staff(Role.ME_ANALYST)
    assert not visible_cases(analyst).exists()
    case = cases.add(opened=cases.manager.date_joined)
    client = logged_in_client(analyst)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert api_client(analyst).get(f"/api/v1/cases/{case.pk}").status_code == 404
    # Nor does any dashboard name a person.
    html = client.get(reverse("reports:country"), {"year": 2024}).content.decode()
    assert case.person.family_name not in html and case.number not in html


def test_it_shows_the_national_figures_with_small_cells_hidden(world) -> None:
    fixture_b(world)
    client = logged_in_client(world.staff(Role.ME_ANALYST))
    response = client.get(reverse("reports:country"), {"year": 2024, "by": "age_band"})
    html = response.content.decode()
    assert response.status_code == 200
    assert assert_page_has_no_small_count(html) > 20
    assert HIDDEN in html
    kpis = [text for kind, text in page_cells(html) if kind == "count"]
    assert "18" in kpis  # people registered in 2024
    # Every chart is an accessible image next to its data table.
    assert html.count('<svg class="chart"') == html.count(
        'class="table report-table"'
    ) - html.count("table-scroll cross")
    assert 'role="img"' in html and "<title id=" in html
    assert "style=" not in html.split("<main", 1)[1]  # CSP: no inline styles


def test_it_shows_one_region_and_its_figures_only(world) -> None:
    fixture_b(world)
    client = logged_in_client(world.staff(Role.ME_ANALYST))
    html = client.get(
        reverse("reports:country"), {"year": 2024, "region": "kz-almaty", "by": "sex"}
    ).content.decode()
    assert_page_has_no_small_count(html)
    counts = [text for kind, text in page_cells(html) if kind == "count"]
    assert counts[0] == "5"  # registered in Almaty: five girls
    assert "18" not in counts


def test_it_shows_the_supervisor_their_unit_only(world) -> None:
    fixture_b(world)
    supervisor = world.staff(Role.SUPERVISOR, agency=world.centre_almaty)
    html = (
        logged_in_client(supervisor).get(reverse("reports:unit"), {"year": 2024}).content.decode()
    )
    counts = [text for kind, text in page_cells(html) if kind == "count"]
    assert counts[0] == "5"
    assert_page_has_no_small_count(html)


@pytest.mark.parametrize(
    "query",
    [
        {"year": "abc"},
        {"year": "1900"},
        {"year": "99999999999999999999"},
        {"region": "<script>alert(1)</script>"},
        {"region": "x" * 5000, "by": "y" * 5000},
        {"by": "person__family_name"},
        {"year": "2024\x00"},
    ],
)
def test_it_answers_odd_filters_with_the_default_view(world, query) -> None:
    client = logged_in_client(world.staff(Role.ME_ANALYST))
    response = client.get(reverse("reports:country"), query)
    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()


def test_it_prints_without_the_filters(world) -> None:
    client = logged_in_client(world.staff(Role.ME_ANALYST))
    html = client.get(reverse("reports:country")).content.decode()
    assert "reports/reports.css" in html
    css = (Path(__file__).resolve().parent.parent / "static/reports/reports.css").read_text()
    assert "@media print" in css and ".filters" in css.split("@media print", 1)[1]
