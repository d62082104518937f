"""Case summaries for a court, a commission or a receiving unit (issue 17 part 3, issue 11
part 5): who may produce one and with which sections, the psychologist's release, bad
input, the disclosure in the audit log, and the encrypted archive with its one-time
password.

Expected sections come from DESIGN.md section 2 as written down by hand in
``tirek.access.tests.expected``, minus law-enforcement information, which never goes into
a summary."""

from __future__ import annotations

import io
import json
from typing import Any

import pypdf
import pytest
import pyzipper
from django.test import Client
from django.utils import translation

from tirek.access.policy import Section
from tirek.access.tests.expected import design_sections
from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.cases.models import CaseTeamMember
from tirek.cases.tests.factories import secret
from tirek.documents.models import PsychologicalRelease
from tirek.testing import logged_in_client

from .conftest import Setting

S = Section
SUMMARY_URL = "/documents/cases/{}/summary/"
COURT = "Karaganda District Court"


def _post(client: Client, case_id: int, **fields: Any) -> Any:
    data: dict[str, Any] = {
        "purpose": "receiving_unit",
        "purpose_other": "",
        "recipient": "Centre Almaty",
        "sections": [S.CORE],
        "language": "en",
    }
    data.update(fields)
    return client.post(SUMMARY_URL.format(case_id), data)


def _open(client: Client, response: Any) -> str:
    """Download the archive the password page offers and return the PDF's text."""
    assert response.status_code == 200, response.content[:2000]
    assert response["Cache-Control"] == "no-store"
    password = response.context["password"]
    download = client.get(f"/documents/summaries/{response.context['token']}/")
    assert download.status_code == 200
    assert download["Cache-Control"] == "no-store"
    archive = pyzipper.AESZipFile(io.BytesIO(download.content))
    [name] = archive.namelist()
    with pytest.raises(RuntimeError):
        archive.read(name)  # no password, no content
    archive.setpassword(password.encode())
    reader = pypdf.PdfReader(io.BytesIO(archive.read(name)))
    return "\n".join(page.extract_text() for page in reader.pages)


def _choices(client: Client, case_id: int) -> set[str]:
    response = client.get(SUMMARY_URL.format(case_id))
    assert response.status_code == 200
    return {value for value, _label in response.context["form"].fields["sections"].choices}


def _disclosures() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=Action.DISCLOSURE))


def _nothing_produced() -> None:
    assert _disclosures() == []


def _headings_in(text: str) -> set[str]:
    with translation.override("en"):
        return {s for s in S.ALL if str(S.LABELS[s]) in text}


# --- who may produce which sections ----------------------------------------------------


@pytest.mark.parametrize(
    "role",
    [
        Role.CASE_MANAGER,
        Role.PSYCHOLOGIST,
        Role.SOCIAL_WORKER,
        Role.LAWYER,
        Role.SCHOOL_LIAISON,
        Role.HEALTH_WORKER,
        Role.INTERVIEWER,
        Role.RELIGIOUS_COUNSELLOR,
        Role.SUPERVISOR,
    ],
)
def test_each_team_role_summarises_exactly_its_sections(setting: Setting, role: str) -> None:
    user = setting.supervisor if role == Role.SUPERVISOR else setting.team[role]
    expected = design_sections(role, protected=True) - {S.SECURITY}
    client = logged_in_client(user)
    assert _choices(client, setting.case.pk) == expected
    # A receiving unit's summary of everything offered carries those sections' notes only.
    text = _open(client, _post(client, setting.case.pk, sections=sorted(expected)))
    assert {s for s in S.ALL if secret(s) in text} == expected
    assert _headings_in(text) == expected


def test_school_liaison_only_core_education_and_incidents(setting: Setting) -> None:
    client = logged_in_client(setting.team[Role.SCHOOL_LIAISON])
    assert _choices(client, setting.case.pk) == {
        S.CORE,
        S.EDUCATION,
        S.INCIDENTS,
    }  # incidents: issue 16
    response = _post(client, setting.case.pk, sections=[S.CORE, S.EDUCATION, S.HEALTH])
    assert response.status_code == 422
    assert response.context["form"].errors["sections"]
    _nothing_produced()


@pytest.mark.parametrize("who", ["other_unit", "same_unit_colleague", "admin", "dpo"])
def test_anyone_off_the_team_gets_404(setting: Setting, who: str) -> None:
    world = setting.world
    user: User = {
        "other_unit": lambda: world.staff(Role.CASE_MANAGER, agency=world.centre_almaty),
        "same_unit_colleague": lambda: world.staff(Role.CASE_MANAGER),
        "admin": lambda: world.staff(Role.ADMIN),
        "dpo": lambda: world.staff(Role.DPO),
    }[who]()
    client = logged_in_client(user)
    case_id = setting.case.pk
    assert client.get(SUMMARY_URL.format(case_id)).status_code == 404
    assert _post(client, case_id).status_code == 404
    assert client.post(f"/documents/cases/{case_id}/summary/releases/").status_code == 404
    _nothing_produced()


def test_administrator_with_a_casework_role_too_gets_404(setting: Setting) -> None:
    world = setting.world
    admin = world.staff(Role.CASE_MANAGER, roles=[Role.CASE_MANAGER, Role.ADMIN])
    # A stray membership written straight to the database: it must grant nothing.
    CaseTeamMember.objects.create(case=setting.case, user=admin, role=Role.CASE_MANAGER)
    assert logged_in_client(admin).get(SUMMARY_URL.format(setting.case.pk)).status_code == 404


# --- psychological notes: the release --------------------------------------------------


def test_court_summary_without_release_has_no_psychological_section(setting: Setting) -> None:
    client = logged_in_client(setting.team[Role.PSYCHOLOGIST])
    case_id = setting.case.pk
    refused = _post(client, case_id, purpose="court", recipient=COURT, sections=[S.PSYCHOLOGICAL])
    assert refused.status_code == 422
    assert refused.context["form"].errors["sections"]
    _nothing_produced()
    text = _open(
        client, _post(client, case_id, purpose="court", recipient=COURT, sections=[S.CORE, S.PLAN])
    )
    assert secret(S.PSYCHOLOGICAL) not in text
    assert _headings_in(text) == {S.CORE, S.PLAN}


def test_commission_and_other_also_need_the_release(setting: Setting) -> None:
    client = logged_in_client(setting.team[Role.PSYCHOLOGIST])
    for purpose, other in (("commission", ""), ("other", "Guardianship authority")):
        response = _post(
            client,
            setting.case.pk,
            purpose=purpose,
            purpose_other=other,
            recipient=COURT,
            sections=[S.PSYCHOLOGICAL],
        )
        assert response.status_code == 422
    _nothing_produced()


def test_receiving_unit_gets_psychological_notes_without_release(setting: Setting) -> None:
    client = logged_in_client(setting.team[Role.PSYCHOLOGIST])
    text = _open(client, _post(client, setting.case.pk, sections=[S.PSYCHOLOGICAL]))
    assert secret(S.PSYCHOLOGICAL) in text


def test_court_summary_with_release_carries_psychological_notes(setting: Setting) -> None:
    psychologist = logged_in_client(setting.team[Role.PSYCHOLOGIST])
    case_id = setting.case.pk
    released = psychologist.post(
        f"/documents/cases/{case_id}/summary/releases/",
        {"release-purpose": "court", "release-recipient": COURT},
    )
    assert released.status_code == 302
    release = PsychologicalRelease.objects.get()
    assert AuditEntry.objects.filter(
        action=Action.CREATE,
        object_type="documents.psychologicalrelease",
        object_id=str(release.pk),
    ).exists()
    # The same recipient, however it is spaced or capitalised; only for the court.
    recipient = "  karaganda district   COURT "
    text = _open(
        psychologist,
        _post(
            psychologist, case_id, purpose="court", recipient=recipient, sections=[S.PSYCHOLOGICAL]
        ),
    )
    assert secret(S.PSYCHOLOGICAL) in text
    assert (
        _post(
            psychologist, case_id, purpose="commission", recipient=COURT, sections=[S.PSYCHOLOGICAL]
        ).status_code
        == 422
    )
    assert (
        _post(
            psychologist,
            case_id,
            purpose="court",
            recipient="Another court",
            sections=[S.PSYCHOLOGICAL],
        ).status_code
        == 422
    )
    # The supervisor, who sees psychological notes, may now include them for that court.
    supervisor = logged_in_client(setting.supervisor)
    text = _open(
        supervisor,
        _post(supervisor, case_id, purpose="court", recipient=COURT, sections=[S.PSYCHOLOGICAL]),
    )
    assert secret(S.PSYCHOLOGICAL) in text
    [entry, _] = [e for e in _disclosures() if e.detail.get("psychological_release")]
    assert entry.detail["psychological_release"] == release.pk
    # Revoked: the court summary cannot carry them any more.
    revoke = psychologist.post(f"/documents/cases/{case_id}/summary/releases/{release.pk}/revoke/")
    assert revoke.status_code == 302
    assert (
        _post(
            supervisor, case_id, purpose="court", recipient=COURT, sections=[S.PSYCHOLOGICAL]
        ).status_code
        == 422
    )


@pytest.mark.parametrize("role", [Role.CASE_MANAGER, Role.SOCIAL_WORKER])
def test_only_a_psychologist_on_the_case_releases(setting: Setting, role: str) -> None:
    client = logged_in_client(setting.team[role])
    response = client.post(
        f"/documents/cases/{setting.case.pk}/summary/releases/",
        {"release-purpose": "court", "release-recipient": COURT},
    )
    assert response.status_code == 404
    assert not PsychologicalRelease.objects.exists()
    supervisor = logged_in_client(setting.supervisor)  # sees the notes, is not the psychologist
    response = supervisor.post(
        f"/documents/cases/{setting.case.pk}/summary/releases/",
        {"release-purpose": "court", "release-recipient": COURT},
    )
    assert response.status_code == 404
    assert not PsychologicalRelease.objects.exists()


# --- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"sections": []}, "sections"),
        ({"sections": ["nonsense"]}, "sections"),
        ({"sections": [S.SECURITY]}, "sections"),  # the case manager does not see it
        ({"sections": [S.PSYCHOLOGICAL]}, "sections"),  # nor this
        ({"purpose": "tribunal"}, "purpose"),
        ({"purpose": "other", "purpose_other": "  "}, "purpose_other"),
        ({"recipient": ""}, "recipient"),
        ({"recipient": "x" * 5000}, "recipient"),
        ({"language": "de"}, "language"),
    ],
)
def test_bad_input_gets_a_form_error_and_produces_nothing(
    setting: Setting, fields: dict[str, Any], field: str
) -> None:
    client = logged_in_client(setting.team[Role.CASE_MANAGER])
    response = _post(client, setting.case.pk, **fields)
    assert response.status_code == 422
    assert response.context["form"].errors[field]
    assert 'role="alert"' in response.content.decode() or "errorlist" in response.content.decode()
    _nothing_produced()


def test_huge_and_unknown_ids_are_404(setting: Setting) -> None:
    client = logged_in_client(setting.team[Role.PSYCHOLOGIST])
    for case_id in (10**30, 2**63, 999_999_999):
        assert client.get(SUMMARY_URL.format(case_id)).status_code == 404
        assert _post(client, case_id).status_code == 404
    revoke = f"/documents/cases/{setting.case.pk}/summary/releases/{10**30}/revoke/"
    assert client.post(revoke).status_code == 404
    assert (
        client.post(f"/documents/cases/{setting.case.pk}/summary/releases/5/revoke/").status_code
        == 302
    )
    assert client.get("/documents/summaries/" + "x" * 5000 + "/").status_code == 404
    _nothing_produced()


def test_bad_release_input_changes_nothing(setting: Setting) -> None:
    client = logged_in_client(setting.team[Role.PSYCHOLOGIST])
    url = f"/documents/cases/{setting.case.pk}/summary/releases/"
    for data in (
        {"release-purpose": "receiving_unit", "release-recipient": COURT},
        {"release-purpose": "court", "release-recipient": "   "},
        {"release-purpose": "court", "release-recipient": "x" * 500},
    ):
        assert client.post(url, data).status_code == 422
    assert not PsychologicalRelease.objects.exists()


# --- the disclosure, the archive, the document -----------------------------------------


def test_disclosure_is_audited_with_purpose_and_recipient_but_no_name(setting: Setting) -> None:
    client = logged_in_client(setting.team[Role.CASE_MANAGER])
    case = setting.case
    response = _post(
        client,
        case.pk,
        purpose="commission",
        recipient="Commission on minors, Karaganda",
        sections=[S.CORE, S.LEGAL],
    )
    [entry] = _disclosures()
    assert entry.object_type == "cases.case" and entry.object_id == str(case.pk)
    assert entry.detail["purpose"] == "commission"
    assert entry.detail["recipient"] == "Commission on minors, Karaganda"
    assert entry.detail["sections"] == [S.CORE, S.LEGAL]
    dumped = json.dumps(entry.detail, ensure_ascii=False)
    person = case.person
    for name in (person.given_name, person.family_name, response.context["password"]):
        assert name not in dumped
    # The password is stored nowhere: not in the audit log, not in the cache.
    assert not AuditEntry.objects.filter(detail__icontains=response.context["password"]).exists()
    # One download, by the requester only.
    token = response.context["token"]
    other = logged_in_client(setting.supervisor)
    assert other.get(f"/documents/summaries/{token}/").status_code == 404
    assert client.get(f"/documents/summaries/{token}/").status_code == 200
    assert client.get(f"/documents/summaries/{token}/").status_code == 404
    assert (
        AuditEntry.objects.filter(
            action=Action.EXPORT, object_type="cases.case", object_id=str(case.pk)
        ).count()
        == 1
    )


def test_footer_and_language(setting: Setting) -> None:
    manager = setting.team[Role.CASE_MANAGER]
    client = logged_in_client(manager)
    text = _open(
        client,
        _post(client, setting.case.pk, purpose="court", recipient=COURT, sections=[S.EDUCATION]),
    )
    assert "Purpose: Court" in text and f"Recipient: {COURT}" in text
    assert f"by {manager.get_full_name() or manager.username}" in text
    assert "page 1 of 1" in text
    assert setting.case.number in text and setting.case.person.family_name in text
    # The same summary in Russian: Russian section headings.
    text = _open(client, _post(client, setting.case.pk, sections=[S.EDUCATION], language="ru"))
    with translation.override("ru"):
        assert str(S.LABELS[S.EDUCATION]) in text
        assert str(S.LABELS[S.EDUCATION]) != "Education"
    assert "Education" not in text


def test_protected_identity_stays_out_of_a_health_workers_summary(setting: Setting) -> None:
    assert setting.case.protected_identity
    client = logged_in_client(setting.team[Role.HEALTH_WORKER])
    response = _post(client, setting.case.pk, sections=[S.CORE, S.FAMILY])
    assert response.status_code == 422
    text = _open(client, _post(client, setting.case.pk, sections=[S.CORE, S.HEALTH]))
    assert secret(S.RETURN_HISTORY) not in text and secret(S.FAMILY) not in text


def test_case_page_links_to_the_summary(setting: Setting) -> None:
    client = logged_in_client(setting.team[Role.SCHOOL_LIAISON])
    page = client.get(f"/cases/{setting.case.pk}/").content.decode()
    assert SUMMARY_URL.format(setting.case.pk) in page


def test_releases_are_listed_to_whoever_may_hand_the_notes_over(setting: Setting) -> None:
    psychologist = logged_in_client(setting.team[Role.PSYCHOLOGIST])
    psychologist.post(
        f"/documents/cases/{setting.case.pk}/summary/releases/",
        {"release-purpose": "court", "release-recipient": COURT},
    )
    url = SUMMARY_URL.format(setting.case.pk)
    assert COURT in logged_in_client(setting.supervisor).get(url).content.decode()
    assert COURT not in logged_in_client(setting.team[Role.CASE_MANAGER]).get(url).content.decode()
    page = psychologist.get(url).content.decode()
    assert COURT in page and "/revoke/" in page
