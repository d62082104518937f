"""The demo loaders of referrals (40), conferences (41) and interviews (50) on the demo
cases, and every coordination page opened by the demo people who use it."""

from __future__ import annotations

import io

import pytest

from tirek.access.policy import sections_for, visible_cases
from tirek.accounts import demo_org
from tirek.accounts.models import User
from tirek.conferences import demo as conference_demo
from tirek.conferences.models import ActionItem, Conference
from tirek.interviews import demo as interview_demo
from tirek.interviews.models import Interview, InterviewStatus
from tirek.referrals import demo as referral_demo
from tirek.referrals.models import Provider, Referral, ReferralStatus, Service
from tirek.testing import logged_in_client


@pytest.fixture
def demo(db: None) -> dict[str, User]:
    from tirek.cases import demo as case_demo

    out = io.StringIO()
    demo_org.load(out)
    case_demo.load(out)
    for _ in range(2):  # idempotent
        referral_demo.load(out)
        conference_demo.load(out)
        interview_demo.load(out)
    return {u.username: u for u in User.objects.filter(username__startswith="demo-")}


def test_the_demo_has_a_pending_referral_to_the_school_for_a_protected_child(
    demo: dict[str, User],
) -> None:
    liaison = demo["demo-school-liaison"]
    pending = Referral.objects.get(to_user=liaison, status=ReferralStatus.SENT)
    assert pending.case.protected_identity
    assert pending.sections == ["core", "education"]
    assert not visible_cases(liaison).filter(pk=pending.case_id).exists()
    assert sections_for(liaison, pending.case) == frozenset()
    assert Referral.objects.count() == 4
    assert Provider.objects.count() == 7 and Service.objects.count() == 11


def test_the_demo_conference_and_interviews(demo: dict[str, User]) -> None:
    conference = Conference.objects.get()
    assert conference.cases.count() == 2 and conference.status == "held"
    assert ActionItem.objects.filter(owner=demo["demo-school-liaison"]).exists()
    held = Interview.objects.get(status=InterviewStatus.HELD)
    repeat = Interview.objects.get(status=InterviewStatus.REQUESTED)
    assert held.recorded and held.follow_up
    assert repeat.is_repeat and repeat.needs_approval
    assert repeat.matter_id == held.matter_id


@pytest.mark.parametrize(
    "username",
    [
        "demo-case-manager",
        "demo-supervisor",
        "demo-psychologist",
        "demo-social-worker",
        "demo-school-liaison",
        "demo-health-worker",
        "demo-interviewer",
        "demo-lawyer",
        "demo-admin",
        "demo-dpo",
    ],
)
def test_every_coordination_page_opens_for_the_demo_people(
    demo: dict[str, User], username: str
) -> None:
    user = demo[username]
    client = logged_in_client(user)
    for url in ("/", "/referrals/", "/referrals/?box=outgoing", "/services/", "/notifications/"):
        assert client.get(url).status_code == 200, url
    for provider in Provider.objects.all():
        assert client.get(f"/services/providers/{provider.pk}/").status_code == 200
    allowed = {200, 404}
    for referral in Referral.objects.all():
        assert client.get(f"/referrals/{referral.pk}/").status_code in allowed
        assert client.get(f"/referrals/case/{referral.case_id}/").status_code in allowed
    for conference in Conference.objects.all():
        response = client.get(f"/conferences/{conference.pk}/")
        assert response.status_code in allowed
        if response.status_code == 200:
            pdf = client.get(f"/conferences/{conference.pk}/minutes.pdf")
            assert pdf.status_code in allowed
    for url in ("/conferences/", "/interviews/"):
        assert client.get(url).status_code == 200, url
    for interview in Interview.objects.all():
        assert client.get(f"/interviews/{interview.pk}/").status_code in allowed
        assert client.get(f"/interviews/case/{interview.case_id}/").status_code in allowed
        new = client.get(f"/interviews/case/{interview.case_id}/new/?matter={interview.matter_id}")
        assert new.status_code in allowed


def test_the_directory_management_pages(demo: dict[str, User]) -> None:
    admin = logged_in_client(demo["demo-admin"])
    provider = Provider.objects.first()
    assert provider is not None
    service = provider.services.first()
    assert admin.get("/services/providers/new/").status_code == 200
    assert admin.get(f"/services/providers/{provider.pk}/edit/").status_code == 200
    assert admin.get(f"/services/providers/{provider.pk}/services/new/").status_code == 200
    assert admin.get(f"/services/{service.pk}/edit/").status_code == 200
    saved = admin.post(
        f"/services/{service.pk}/edit/",
        {
            "version": service.version,
            "category": service.category,
            "name": service.name,
            "description": "Обновлено",
            "capacity": "4",
            "waiting_days": "2",
            "default_role": service.default_role,
            "is_active": "on",
        },
    )
    assert saved.status_code == 302
    service.refresh_from_db()
    assert service.capacity == 4 and service.description == "Обновлено"
    # A case manager is no coordinator.
    manager = logged_in_client(demo["demo-case-manager"])
    assert manager.get("/services/providers/new/").status_code == 403
    assert manager.get(f"/services/{service.pk}/edit/").status_code == 403
