"""The access matrix: every role × every relation to a case × every case page and
endpoint. Nobody sees what the policy denies; a denied case is a 404 (never a 403, never
a hint); lists never include it; the sections shown are the role's, with
protected identity applied. The expected sections come from the table written down by
hand from DESIGN.md in ``tirek.access.tests.expected``, never from the policy's own table.

Relations:
- team: on the case team in that role (for roles that do no casework, a stray
  membership written straight to the database, which must grant nothing);
- unit: in the case's supervising unit (the supervisor relation for a supervisor;
  for any other role, a colleague of the unit who is not on the team);
- agency: same agency, no unit, not on the team;
- region: staff of another region's centre and unit;
- none: an unrelated agency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest

from tirek.access import policy
from tirek.access.policy import Section
from tirek.access.tests.expected import (
    ADULTS_ONLY,
    DESIGN_SECTIONS,
    HIDDEN_WHEN_PROTECTED,
    design_sections,
)
from tirek.accounts.models import User
from tirek.accounts.roles import CASEWORK_ROLES, Role
from tirek.cases.case_page import TABS
from tirek.cases.models import Case, CaseTeamMember, ContactNote
from tirek.privacy import services as privacy
from tirek.privacy.models import GivenBy, Purpose
from tirek.testing import World, api_client, logged_in_client

from .factories import notes_in_every_section, open_case, secret

ROLES = [r.value for r in Role]
RELATIONS = ["team", "unit", "agency", "region", "none"]
MATRIX = [
    pytest.param(role, relation, id=f"{role}-{relation}")
    for role in ROLES
    for relation in RELATIONS
]


@dataclass
class Cell:
    user: User
    case: Case
    notes: dict[str, ContactNote]
    visible: bool
    sections: frozenset[str]
    manages: bool


def expected(role: str, relation: str, protected: bool = True) -> tuple[bool, frozenset[str]]:
    if role in ADULTS_ONLY:  # the matrix's case is a child's
        return False, frozenset()
    if relation == "team" and role in CASEWORK_ROLES:
        return True, design_sections(role, protected=protected)
    if relation == "unit" and role == Role.SUPERVISOR:
        return True, DESIGN_SECTIONS[Role.SUPERVISOR]
    return False, frozenset()


def build(world: World, role: str, relation: str) -> Cell:
    manager = world.staff(Role.CASE_MANAGER)
    case = open_case(manager)
    privacy.consent_record(
        by=manager,
        person=case.person,
        purposes=[Purpose.CASE_MANAGEMENT],
        given_by=GivenBy.GUARDIAN,
        valid_from=case.opened_at.date(),
    )
    notes = notes_in_every_section(case, manager)
    if relation == "team":
        # A supervisor on the team sits in another unit, so the team is the only relation.
        unit = world.unit_almaty if role == Role.SUPERVISOR else "default"
        agency = world.centre_almaty if role == Role.SUPERVISOR else None
        user = world.staff(role, agency=agency, unit=unit)
        CaseTeamMember.objects.create(case=case, user=user, role=role, added_by=manager)
    elif relation == "unit":
        user = world.staff(role, agency=world.centre, unit=world.unit)
    elif relation == "agency":
        user = world.staff(role, agency=world.centre, unit=None)
    elif relation == "region":
        user = world.staff(role, agency=world.centre_almaty, unit=world.unit_almaty)
    else:
        user = world.staff(role, agency=world.ngo, unit=None)
    visible, sections = expected(role, relation)
    # Managing the case: a case manager on the team, or the supervisor of its unit (a
    # supervisor of another unit sitting on the team reads but does not manage).
    manages = (relation, role) in {("team", Role.CASE_MANAGER), ("unit", Role.SUPERVISOR)}
    return Cell(user, case, notes, visible, sections, manages)


def _ok_or_404(visible: bool) -> int:
    return 200 if visible else 404


@pytest.mark.parametrize(("role", "relation"), MATRIX)
def test_it_applies_the_policy_to_every_page(world: World, role: str, relation: str) -> None:
    cell = build(world, role, relation)
    client = logged_in_client(cell.user)
    case = cell.case

    # Lists: only casework roles have the page; a hidden case is never listed or found.
    for url in ("/cases/", f"/cases/?q={case.number}", f"/cases/?q={case.person.family_name}"):
        response = client.get(url)
        if role not in CASEWORK_ROLES:
            assert response.status_code == 403
            continue
        assert response.status_code == 200
        # The search box echoes the query, so look for the row's link, not the number.
        assert (f'href="/cases/{case.pk}/"' in response.content.decode()) is cell.visible, url

    detail = client.get(f"/cases/{case.pk}/")
    assert detail.status_code == _ok_or_404(cell.visible)
    body = detail.content.decode()
    assert case.person.given_name in body if cell.visible else case.number not in body
    notes = client.get(f"/cases/{case.pk}/sections/notes/")
    assert notes.status_code == _ok_or_404(cell.visible)
    for section in Section.ALL:
        assert (secret(section) in notes.content.decode()) is (section in cell.sections), section
    # Each section of the case page: a tab and a page only for those who may see it.
    for tab in TABS:
        opens = bool(tab.sections & cell.sections)
        url = f"/cases/{case.pk}/sections/{tab.name}/"
        assert client.get(url).status_code == _ok_or_404(opens), url
        assert (f'href="{url}"' in body) is (opens and tab.name != "overview"), url
    assert ('data-testid="return-history"' in body) is (Section.RETURN_HISTORY in cell.sections)
    assert ('data-testid="risk"' in body) is (Section.PLAN in cell.sections)

    edit = client.get(f"/cases/{case.pk}/edit/")
    assert edit.status_code == (200 if cell.manages else 403 if cell.visible else 404)
    assert client.get(f"/cases/{case.pk}/team/").status_code == _ok_or_404(cell.visible)
    assert client.get(f"/cases/{case.pk}/notes/new/").status_code == _ok_or_404(cell.visible)
    transfer = client.get(f"/transfers/case/{case.pk}/")
    assert transfer.status_code == (200 if cell.manages else 403 if cell.visible else 404)

    consent_page = client.get(f"/privacy/consents/person/{case.person_id}/new/")
    records_consent = Section.FAMILY in cell.sections
    if cell.visible or role == Role.DPO:
        assert consent_page.status_code == (200 if records_consent else 403)
    else:
        assert consent_page.status_code == 404

    for section, note in cell.notes.items():
        attachment = note.attachments.get()
        response = client.get(f"/cases/attachments/{attachment.pk}/")
        assert response.status_code == (200 if section in cell.sections else 404), section


@pytest.mark.parametrize(("role", "relation"), MATRIX)
def test_it_applies_the_policy_to_every_endpoint(world: World, role: str, relation: str) -> None:
    cell = build(world, role, relation)
    client = api_client(cell.user)
    case = cell.case

    for query in ("", f"?q={case.number}", f"?q={case.person.family_name}", "?limit=100"):
        listed = client.get(f"/api/v1/cases{query}")
        assert listed.status_code == 200
        ids = [item["id"] for item in listed.json()["items"]]
        assert (case.pk in ids) is cell.visible, query

    detail = client.get(f"/api/v1/cases/{case.pk}")
    assert detail.status_code == _ok_or_404(cell.visible)
    if cell.visible:
        data = detail.json()
        assert set(data["sections"]) == set(cell.sections)
        assert (data["risk_level"] is not None) is (Section.PLAN in cell.sections)
        assert (data["return_history"] is not None) is (Section.RETURN_HISTORY in cell.sections)
    else:
        assert detail["Content-Type"] == "application/problem+json"

    patch = client.patch(
        f"/api/v1/cases/{case.pk}",
        {"version": case.version, "phase": "monitoring"},
        content_type="application/json",
    )
    assert patch.status_code == (200 if cell.manages else 403 if cell.visible else 404)
    case.refresh_from_db()
    assert (case.phase == "monitoring") is cell.manages

    assert client.get(f"/api/v1/cases/{case.pk}/team").status_code == _ok_or_404(cell.visible)
    notes = client.get(f"/api/v1/cases/{case.pk}/notes?limit=100")
    assert notes.status_code == _ok_or_404(cell.visible)
    if cell.visible:
        assert {n["section"] for n in notes.json()["items"]} == set(cell.sections)

    consents = client.get(f"/api/v1/consents?person_id={case.person_id}")
    assert consents.status_code == _ok_or_404(cell.visible or role == Role.DPO)


@pytest.mark.parametrize(("role", "relation"), MATRIX)
def test_it_answers_the_same_in_sql_and_in_python(world: World, role: str, relation: str) -> None:
    cell = build(world, role, relation)
    user, case = cell.user, cell.case
    assert policy.visible_cases(user).filter(pk=case.pk).exists() is cell.visible
    assert policy.sections_for(user, case) == cell.sections
    assert policy.sections_for_many(user, [case])[case.pk] == cell.sections
    for section in Section.ALL:
        in_sql = policy.cases_with_section(user, section).filter(pk=case.pk).exists()
        assert in_sql is (section in cell.sections), section


@pytest.mark.parametrize("protected", [True, False])
@pytest.mark.parametrize("role", sorted(HIDDEN_WHEN_PROTECTED))
def test_it_hides_identity_from_school_and_health_even_when_granted(
    world: World, role: str, protected: bool
) -> None:
    """A referral may grant extra sections; protected identity still wins for these roles."""
    manager = world.staff(Role.CASE_MANAGER)
    case = open_case(manager, protected_identity=protected)
    notes_in_every_section(case, manager)
    user = world.staff(role)
    CaseTeamMember.objects.create(
        case=case,
        user=user,
        role=role,
        sections=[Section.RETURN_HISTORY, Section.FAMILY, Section.SECURITY],
    )
    sections = policy.sections_for(user, case)
    assert (Section.RETURN_HISTORY in sections) is not protected
    assert (Section.FAMILY in sections) is not protected
    assert Section.SECURITY not in sections  # never to a welfare role
    body = logged_in_client(user).get(f"/cases/{case.pk}/sections/notes/").content.decode()
    assert (secret(Section.RETURN_HISTORY) in body) is not protected
    assert secret(Section.SECURITY) not in body
    for section in Section.ALL:
        in_sql = policy.cases_with_section(user, section).filter(pk=case.pk).exists()
        assert in_sql is (section in sections)


@pytest.mark.parametrize("legal_basis", ["", "Постановление следователя № 12"])
def test_it_shares_welfare_sections_with_law_enforcement_only_on_a_legal_basis(
    world: World, legal_basis: str
) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    case = open_case(manager)
    interviewer = world.staff(Role.INTERVIEWER)
    CaseTeamMember.objects.create(
        case=case,
        user=interviewer,
        role=Role.INTERVIEWER,
        sections=[Section.PSYCHOLOGICAL],
        legal_basis=legal_basis,
    )
    granted = bool(legal_basis)
    assert policy.can_see(interviewer, case, Section.PSYCHOLOGICAL) is granted
    assert policy.can_see(interviewer, case, Section.SECURITY)
    in_sql = policy.cases_with_section(interviewer, Section.PSYCHOLOGICAL).filter(pk=case.pk)
    assert in_sql.exists() is granted


def test_it_denies_everything_to_a_user_who_also_holds_the_administrator_role(
    world: World,
) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    both = world.staff(Role.CASE_MANAGER, roles=[Role.CASE_MANAGER, Role.ADMIN])
    case = open_case(manager)
    CaseTeamMember.objects.create(case=case, user=both, role=Role.CASE_MANAGER)
    assert not policy.visible_cases(both).exists()
    assert logged_in_client(both).get(f"/cases/{case.pk}/").status_code == 404


def test_it_forgets_a_membership_once_removed_or_the_role_is_withdrawn(world: World) -> None:
    from tirek.accounts.services import user_set_roles
    from tirek.cases import services

    manager = world.staff(Role.CASE_MANAGER)
    psychologist = world.staff(Role.PSYCHOLOGIST)
    social = world.staff(Role.SOCIAL_WORKER)
    case = open_case(
        manager, team=[(psychologist, Role.PSYCHOLOGIST), (social, Role.SOCIAL_WORKER)]
    )
    member = CaseTeamMember.objects.get(case=case, user=psychologist)
    services.team_member_remove(by=manager, case=case, member=member)
    assert logged_in_client(psychologist).get(f"/cases/{case.pk}/").status_code == 404
    user_set_roles(user=social, roles=[Role.TRAINER])
    social = User.objects.get(pk=social.pk)
    assert not policy.visible_cases(social).exists()


def _without_tokens(content: bytes) -> str:
    # CSRF tokens are masked afresh on every response; everything else must be equal.
    return re.sub(r'(X-CSRFToken": "|value=")[A-Za-z0-9]{32,}', "TOKEN", content.decode())


def _problem(response: Any) -> dict[str, Any]:
    data = response.json()
    data.pop("instance", None)
    return data


def test_it_answers_a_hidden_case_exactly_like_a_missing_one_and_records_the_attempt(
    world: World,
) -> None:
    from tirek.audit.models import Action, AuditEntry

    manager = world.staff(Role.CASE_MANAGER)
    case = open_case(manager)
    outsider = world.staff(Role.CASE_MANAGER, agency=world.centre_almaty, unit=world.unit_almaty)
    client = api_client(outsider)
    hidden = client.get(f"/api/v1/cases/{case.pk}")
    missing = client.get(f"/api/v1/cases/{case.pk + 1000}")
    assert hidden.status_code == missing.status_code == 404
    assert _problem(hidden) == _problem(missing)
    browser = logged_in_client(outsider)
    page_hidden = browser.get(f"/cases/{case.pk}/")
    page_missing = browser.get(f"/cases/{case.pk + 1000}/")
    assert page_hidden.status_code == page_missing.status_code == 404
    hidden_page = _without_tokens(page_hidden.content).replace(f"/cases/{case.pk}/", "URL")
    missing_page = _without_tokens(page_missing.content).replace(f"/cases/{case.pk + 1000}/", "URL")
    assert hidden_page == missing_page
    denied = AuditEntry.objects.filter(actor=outsider, action=Action.DENIED)
    assert {(e.object_id, e.detail["exists"]) for e in denied} == {
        (str(case.pk), True),
        (str(case.pk + 1000), False),
    }
