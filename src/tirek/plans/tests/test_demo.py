"""The demo loader (order 30) on the demo cases: assessments, plans, a review, a closure."""

from __future__ import annotations

from io import StringIO

from tirek.accounts import demo_org
from tirek.assessments.models import Assessment
from tirek.cases.models import CaseStatus
from tirek.core.registry import demo_loaders
from tirek.plans import demo
from tirek.plans.deadlines import Step
from tirek.plans.models import FollowUp, Plan, PlanStatus, Review
from tirek.plans.selectors import journey


def test_it_does_nothing_without_demo_cases(db: None) -> None:
    out = StringIO()
    demo.load(out)
    assert "skipped" in out.getvalue()
    assert not Assessment.objects.exists()


def test_it_loads_case_work_on_the_demo_cases_once(db: None) -> None:
    out = StringIO()
    demo_org.load(out)
    for order, loader in demo_loaders:
        if order < 30:
            loader(out)
    demo.load(out)
    assert "ready on" in out.getvalue()
    approved = Plan.objects.filter(status=PlanStatus.APPROVED, approved_number=2).get()
    series = Assessment.objects.filter(case=approved.case, kind="comprehensive").order_by(
        "assessed_on"
    )
    education = [a.scores.get(domain="education").score for a in series]
    assert len(education) == 3 and education == sorted(education, reverse=True)  # improving
    assert Review.objects.filter(case=approved.case).exists()
    assert Plan.objects.filter(status=PlanStatus.SUBMITTED).exists()  # waits for the supervisor
    closed = FollowUp.objects.values_list("case", flat=True).distinct().get()
    follow_ups = FollowUp.objects.filter(case_id=closed)
    assert sorted(f.months for f in follow_ups) == [6, 12]
    case = follow_ups[0].case
    assert case.status == CaseStatus.CLOSED and journey(case).step == Step.FOLLOW_UP
    count = Assessment.objects.count()
    again = StringIO()
    demo.load(again)
    assert "already loaded" in again.getvalue() and Assessment.objects.count() == count
