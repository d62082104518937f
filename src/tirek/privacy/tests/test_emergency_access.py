from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from tirek.access import policy
from tirek.access.policy import ROLE_SECTIONS, Section
from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.cases.models import CaseEvent, EventKind
from tirek.cases.tests.factories import notes_in_every_section, open_case, secret
from tirek.core.exceptions import Refused
from tirek.core.ratelimit import RateLimited
from tirek.privacy import services
from tirek.privacy.models import EmergencyAccess
from tirek.testing import World, api_client, logged_in_client

REASON = "Ребёнок поступил в приёмный покой без сопровождения, нужны сведения о здоровье."


# Written down from DESIGN.md section 4 ("only roles that act in emergencies"), not taken
# from the policy: the roles that carry a case's safety decisions.
ACT_IN_EMERGENCIES = {Role.CASE_MANAGER, Role.SOCIAL_WORKER, Role.PSYCHOLOGIST, Role.SUPERVISOR}


def _outsider(world: World, role: str = Role.SOCIAL_WORKER) -> Any:
    """Someone of the case's region who is not on the team: an NGO worker in Karaganda."""
    return world.staff(role, agency=world.ngo, unit=None)


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_it_lets_only_roles_that_act_in_emergencies_break_the_glass(
    world: World, role: str
) -> None:
    case = open_case(world.staff(Role.CASE_MANAGER))
    user = _outsider(world, role)
    if role not in ACT_IN_EMERGENCIES:
        with pytest.raises(PermissionDenied):
            services.emergency_access_open(by=user, case_id=case.pk, justification=REASON)
        assert not EmergencyAccess.objects.exists()
        return
    services.emergency_access_open(by=user, case_id=case.pk, justification=REASON)
    # Read access with the role's own sections (and protected identity still applies).
    expected = set(ROLE_SECTIONS[role])
    if role in policy.PROTECTED_FROM:
        expected -= policy.PROTECTED_SECTIONS
    assert policy.sections_for(user, case) == expected
    assert policy.visible_cases(user).filter(pk=case.pk).exists()
    for section in Section.ALL:
        in_sql = policy.cases_with_section(user, section).filter(pk=case.pk).exists()
        assert in_sql is (section in expected)
    # ...but it never lets one write or manage.
    assert policy.sections_for(user, case, include_emergency=False) == frozenset()
    assert not policy.can_manage(user, case)


def test_it_needs_a_real_justification(world: World, settings: Any) -> None:
    settings.EMERGENCY_JUSTIFICATION_MIN_LENGTH = 30
    case = open_case(world.staff(Role.CASE_MANAGER))
    user = _outsider(world)
    for text in ("", "   ", "срочно", "x" * 29, "a" * 2001):
        with pytest.raises(ValidationError):
            services.emergency_access_open(by=user, case_id=case.pk, justification=text)
    assert not EmergencyAccess.objects.exists()


def test_it_opens_for_a_limited_time_with_audit_timeline_and_notice_to_the_dpo(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMERGENCY_ACCESS_HOURS = 4
    settings.DPO_NOTIFY_EMAIL = "dpo@example.org"
    manager = world.staff(Role.CASE_MANAGER)
    case = open_case(manager)
    notes_in_every_section(case, manager)
    user = _outsider(world)
    client = logged_in_client(user)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    with pytest.raises(Http404):
        services.emergency_access_open(by=user, case_id=case.pk + 100, justification=REASON)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/privacy/emergency/open/",
            {"case_number": case.number.lower(), "justification": REASON},
        )
    assert response.status_code == 302
    access = EmergencyAccess.objects.get()
    assert (
        timedelta(hours=3, minutes=59) < access.expires_at - access.granted_at <= timedelta(hours=4)
    )
    page = client.get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="emergency-banner"' in body
    body = client.get(f"/cases/{case.pk}/sections/notes/").content.decode()
    assert secret(Section.SOCIAL) in body and secret(Section.PSYCHOLOGICAL) not in body
    assert AuditEntry.objects.filter(
        action=Action.EMERGENCY_ACCESS, object_id=str(case.pk)
    ).exists()
    read = AuditEntry.objects.filter(actor=user, action=Action.READ, object_id=str(case.pk)).first()
    assert read is not None and read.detail.get("emergency") is True
    assert CaseEvent.objects.filter(case=case, kind=EventKind.EMERGENCY_ACCESS).exists()
    team_view = logged_in_client(manager).get(f"/cases/{case.pk}/sections/timeline/")
    team_view = team_view.content.decode()
    assert "Экстренный доступ" in team_view
    assert len(mail.outbox) == 1
    assert case.number in mail.outbox[0].body
    assert case.person.family_name not in mail.outbox[0].body
    # Writing is still refused.
    assert client.get(f"/cases/{case.pk}/notes/new/").status_code == 403
    # When the time is up, the case is gone again.
    EmergencyAccess.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert not policy.visible_cases(user).filter(pk=case.pk).exists()


def test_it_refuses_emergency_access_to_a_case_one_already_sees(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    case = open_case(manager)
    with pytest.raises(Refused):
        services.emergency_access_open(by=manager, case_id=case.pk, justification=REASON)


def test_it_limits_how_many_times_a_day_one_breaks_the_glass(world: World, settings: Any) -> None:
    settings.EMERGENCY_ACCESS_LIMIT_PER_DAY = 2
    manager = world.staff(Role.CASE_MANAGER)
    cases = [open_case(manager) for _ in range(3)]
    user = _outsider(world)
    for case in cases[:2]:
        services.emergency_access_open(by=user, case_id=case.pk, justification=REASON)
    with pytest.raises(RateLimited):
        services.emergency_access_open(by=user, case_id=cases[2].pk, justification=REASON)
    response = api_client(user).post(
        f"/api/v1/cases/{cases[2].pk}/emergency-access",
        json.dumps({"justification": REASON}),
        content_type="application/json",
    )
    assert response.status_code == 429


def test_it_opens_emergency_access_through_the_api(world: World) -> None:
    case = open_case(world.staff(Role.CASE_MANAGER))
    user = _outsider(world, Role.PSYCHOLOGIST)
    client = api_client(user)
    url = f"/api/v1/cases/{case.pk}/emergency-access"
    short = client.post(url, json.dumps({"justification": "надо"}), content_type="application/json")
    assert short.status_code == 422
    missing = client.post(
        f"/api/v1/cases/{case.pk + 50}/emergency-access",
        json.dumps({"justification": REASON}),
        content_type="application/json",
    )
    assert missing.status_code == 404
    opened = client.post(
        url, json.dumps({"justification": REASON}), content_type="application/json"
    )
    assert opened.status_code == 201
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 200
    dpo = api_client(world.staff(Role.DPO))
    assert (
        dpo.post(
            url, json.dumps({"justification": REASON}), content_type="application/json"
        ).status_code
        == 403
    )


def test_it_has_the_dpo_review_every_emergency_access(world: World) -> None:
    case = open_case(world.staff(Role.CASE_MANAGER))
    user = _outsider(world)
    access = services.emergency_access_open(by=user, case_id=case.pk, justification=REASON)
    dpo = world.staff(Role.DPO)
    client = logged_in_client(dpo)
    home = client.get("/").content.decode()
    assert "Экстренные доступы на проверку" in home
    listing = client.get("/privacy/emergency/").content.decode()
    assert case.number in listing and case.person.family_name not in listing
    detail = client.get(f"/privacy/emergency/{access.pk}/")
    assert detail.status_code == 200
    assert case.person.given_name not in detail.content.decode()  # the DPO reads no case data
    no_comment = client.post(
        f"/privacy/emergency/{access.pk}/",
        {"version": 1, "outcome": "not_justified", "comment": ""},
    )
    assert no_comment.status_code == 422
    done = client.post(
        f"/privacy/emergency/{access.pk}/",
        {
            "version": 1,
            "outcome": "not_justified",
            "comment": "Ребёнок не поступал; беседа с руководителем.",
        },
    )
    assert done.status_code == 302
    stale = client.post(f"/privacy/emergency/{access.pk}/", {"version": 1, "outcome": "justified"})
    assert stale.status_code == 409
    access.refresh_from_db()
    assert (access.outcome, access.reviewed_by) == ("not_justified", dpo)
    # Nobody else reviews, and the case manager cannot open the review list.
    assert (
        logged_in_client(world.staff(Role.SUPERVISOR)).get("/privacy/emergency/").status_code == 403
    )
    with pytest.raises(PermissionDenied):
        services.emergency_access_review(by=user, access=access, version=2, outcome="justified")


def test_it_refuses_a_stale_review_through_the_api(world: World) -> None:
    case = open_case(world.staff(Role.CASE_MANAGER))
    access = services.emergency_access_open(
        by=_outsider(world), case_id=case.pk, justification=REASON
    )
    client = api_client(world.staff(Role.DPO))
    pending = client.get("/api/v1/emergency-accesses").json()
    assert [a["id"] for a in pending] == [access.pk]
    url = f"/api/v1/emergency-accesses/{access.pk}/review"
    first = client.post(
        url, json.dumps({"version": 1, "outcome": "justified"}), content_type="application/json"
    )
    assert first.status_code == 200
    second = client.post(
        url,
        json.dumps({"version": 1, "outcome": "not_justified", "comment": "x"}),
        content_type="application/json",
    )
    assert second.status_code == 409
    assert client.get("/api/v1/emergency-accesses").json() == []
    assert api_client(_outsider(world)).get("/api/v1/emergency-accesses").status_code == 403
