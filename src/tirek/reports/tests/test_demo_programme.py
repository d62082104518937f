"""The demo programme (issue #15): it loads, the same every time, and fills the dashboards."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tirek.accounts import demo_org
from tirek.accounts.models import Competency, StaffCompetency, User
from tirek.cases.models import Case, CaseStatus, CaseTeamMember
from tirek.core.registry import demo_loaders
from tirek.interviews.models import Interview, InterviewStatus, Readiness
from tirek.reports import demo_programme, outputs
from tirek.reports.periods import Period
from tirek.reports.tables import HIDDEN
from tirek.testing import logged_in_client


class _Undo(Exception):
    pass


def _load_the_rest_of_the_demo() -> None:
    demo_org.load(StringIO())
    for order, loader in demo_loaders:
        if order < 65:
            loader(StringIO())


def _fingerprint() -> list[Any]:
    generated = Case.objects.filter(case_manager__username__startswith=demo_programme.STAFF_PREFIX)
    return list(
        generated.order_by("number").values_list(
            "number",
            "person__given_name",
            "person__family_name",
            "person__birth_date",
            "opened_at",
            "status",
            "region__code",
            "closed_at",
        )
    ) + [
        generated.filter(assessments__isnull=False).count(),
        generated.filter(referrals__isnull=False).count(),
    ]


@pytest.mark.django_db
def test_it_generates_the_same_programme_every_time_and_only_once() -> None:
    _load_the_rest_of_the_demo()
    try:
        with transaction.atomic():
            demo_programme.load(StringIO())
            first = _fingerprint()
            raise _Undo
    except _Undo:
        pass
    assert not demo_programme.loaded()
    demo_programme.load(StringIO())
    assert _fingerprint() == first
    out = StringIO()
    demo_programme.load(out)
    assert "already loaded" in out.getvalue()
    assert _fingerprint() == first

    cases = Case.objects.filter(case_manager__username__startswith=demo_programme.STAFF_PREFIX)
    children = cases.filter(person__birth_date__year__gte=2008)
    assert children.count() == demo_programme.CHILDREN
    assert {c.opened_at.year for c in cases} == {2024, 2025, 2026}
    assert cases.values("region").distinct().count() >= 6
    assert set(cases.values_list("status", flat=True)) >= {
        CaseStatus.REGISTERED,
        CaseStatus.ACTIVE,
        CaseStatus.CLOSED,
    }
    # Nobody signs in as the generated colleagues.
    assert not any(
        u.has_usable_password()
        for u in User.objects.filter(username__startswith=demo_programme.STAFF_PREFIX)
    )


@pytest.mark.django_db
def test_the_ministry_dashboard_shows_real_numbers_after_the_demo() -> None:
    _load_the_rest_of_the_demo()
    demo_programme.load(StringIO())
    analyst = User.objects.get(username="demo-me-analyst")
    page = logged_in_client(analyst).get(reverse("reports:country"))  # this year
    assert page.status_code == 200
    kpi = r'<span class="kpi-value"[^>]*>\s*([^<]*?)\s*</span>'
    tiles = re.findall(kpi, page.content.decode())
    with_a_number = [t for t in tiles if t and t != HIDDEN and re.search(r"\d", t)]
    assert len(with_a_number) >= 10, tiles
    # The demo's other loaders open a dozen cases today, whose 72 hours have not passed:
    # the national share assessed on time is still shown (issue 15).
    initial = re.search(
        r'href="#ind-initial_assessment_on_time">\s*<span class="kpi-value"[^>]*>\s*([^<]*?)\s*<',
        page.content.decode(),
    )
    assert initial is not None and re.fullmatch(r"\d+([.,]\d)?\s*%", initial.group(1)), initial


def _load_the_whole_demo() -> None:
    demo_org.load(StringIO())
    for _order, loader in demo_loaders:
        loader(StringIO())


def _tile(content: str, code: str) -> str:
    found = re.search(
        rf'href="#ind-{code}">\s*<span class="kpi-value"[^>]*>\s*([^<]*?)\s*<', content
    )
    assert found is not None, code
    return found.group(1)


@pytest.mark.django_db
def test_every_step_the_programme_produces_shows_a_number_on_the_dashboards() -> None:
    """Issue #15: interviews, incidents and transfers were never produced by the demo, and
    the "assessed and planned" tile hid large groups; each now shows a number, this year
    and last, on the ministry's and the training dashboards and in the donor report."""
    _load_the_whole_demo()
    analyst = User.objects.get(username="demo-me-analyst")
    client = logged_in_client(analyst)
    year = timezone.localdate().year
    for period in (year, year - 1):
        country = client.get(reverse("reports:country"), {"year": period})
        assert country.status_code == 200
        content = country.content.decode()
        for code in (
            "assessed_and_planned",
            "plans_reviewed_on_time",
            "interviews_per_child",
            "stigma_incidents",
            "transfers_in",
            "transfers_out",
        ):
            tile = _tile(content, code)
            assert tile != HIDDEN and re.search(r"[1-9]", tile), (period, code, tile)
    training = client.get(reverse("reports:training")).content.decode()
    tile = _tile(training, "staff_competent")
    assert re.fullmatch(r"\d+([.,]\d)?\s*%", tile) and tile != "0 %", tile
    # The donor report's key figures are the same published values.
    report = outputs.collect("ministry", analyst, period=Period(year))
    shown = {s.indicator.code: s.headline.display() for s in report.sections}
    assert all(
        shown[code] != HIDDEN
        for code in ("assessed_and_planned", "interviews_per_child", "stigma_incidents")
    ), shown


@pytest.mark.django_db
def test_the_programme_interviews_children_only_with_the_safeguards() -> None:
    _load_the_whole_demo()
    generated = Interview.objects.filter(
        case__case_manager__username__startswith=demo_programme.STAFF_PREFIX
    ).select_related("case__person", "interviewer")
    held = [i for i in generated if i.status == InterviewStatus.HELD]
    assert len(held) >= 30
    assert {i.kind for i in held} == {"forensic", "social"}
    assert generated.exclude(status=InterviewStatus.HELD).exists()  # open and cancelled too
    for interview in held:
        started = interview.started_at
        assert started is not None and interview.readiness == Readiness.READY
        assert interview.readiness_at is not None and interview.readiness_at < started
        assert interview.child_friendly_room and interview.support_person
        # A certified interviewer, on the team of the case when questioning the child.
        assert StaffCompetency.objects.filter(
            user=interview.interviewer,
            competency=Competency.CHILD_INTERVIEWING,
            granted_at__lt=started,
            expires_at__gt=started,
        ).exists()
        assert CaseTeamMember.objects.filter(
            case=interview.case, user=interview.interviewer, added_at__lt=started
        ).exists()
        assert (started.date() - interview.case.person.birth_date).days < 18 * 366
        if interview.is_repeat:
            assert interview.repeat_justification and interview.repeat_approved_at
            earlier = interview.matter.interviews.filter(requested_at__lt=interview.requested_at)
            assert earlier.filter(status=InterviewStatus.HELD).exists()
    assert any(i.is_repeat for i in held)
    # A child the psychologist judged not ready was not questioned.
    assert not generated.filter(readiness=Readiness.NOT_READY, status=InterviewStatus.HELD).exists()
