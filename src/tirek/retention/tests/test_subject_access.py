"""Subject access: the register, the report with other people redacted, the DPO's
approval, the encrypted package with a one-time password, rectification outcomes."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from typing import Any

import pytest
import pyzipper
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tirek.accounts.roles import Role
from tirek.audit.models import AuditEntry
from tirek.retention import services, subject
from tirek.retention.models import SubjectRequest
from tirek.testing import InDays, World, api_client, logged_in_client, resolved

from .factories import closed_case, sibling_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def _record(world: World, case_number: str = "", **changes: Any) -> SubjectRequest:
    data = {
        "kind": "access",
        "case_number": case_number,
        "requester_kind": "representative",
        "requester_name": "Guardian on court order 12/2025",
        "received_on": timezone.localdate(),
        "language": "ru",
    }
    return services.request_record(by=_dpo(world), **{**data, **changes})


def _dpo(world: World) -> Any:
    return world.users.get("dpo") or world.staff(Role.DPO, username="dpo")


def test_report_shows_the_child_and_not_the_sibling(world: World) -> None:
    case = closed_case(world, closed_on=None, given="Nurlan", family="Abishev")
    sibling = sibling_of(case)
    sibling.given_name = "Zhuldyzay"
    sibling.iin = "150101600011"
    sibling.save()
    text = json.dumps(
        json.loads(subject.to_json(subject.build(case.person, "en"))), ensure_ascii=False
    )
    assert "Nurlan" in text and case.number in text
    assert "Zhuldyzay" not in text and "150101600011" not in text
    assert "Brother or sister" in text  # the relationship, without the person


def test_deadline_comes_from_the_setting(world: World, settings: Any) -> None:
    case = closed_case(world, closed_on=None)
    received = date(2026, 1, 10)
    assert _record(world, case.number, received_on=received).deadline == date(2026, 2, 9)
    settings.TIREK_SUBJECT_ACCESS_DAYS = 15
    assert _record(world, case.number, received_on=received).deadline == date(2026, 1, 25)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"case_number": "KZ-NONE"}, "case_number"),
        ({"requester_name": " "}, "requester_name"),
        ({"requester_kind": ""}, "requester_kind"),
        ({"received_on": None}, "received_on"),
        ({"received_on": InDays(3)}, "received_on"),
    ],
)
def test_bad_requests_change_nothing(world: World, changes: dict[str, Any], field: str) -> None:
    case = closed_case(world, closed_on=None)
    with pytest.raises(ValidationError) as exc:
        _record(world, **{"case_number": case.number, **resolved(changes, as_text=False)})
    assert field in exc.value.message_dict
    assert not SubjectRequest.objects.exists()


def test_the_form_says_why_a_request_without_requester_is_refused(world: World) -> None:
    case = closed_case(world, closed_on=None)
    client = logged_in_client(_dpo(world))
    response = client.post(
        reverse("retention:request_new"),
        {"kind": "access", "case_number": case.number, "requester_kind": "person",
         "requester_name": "", "received_on": timezone.localdate().isoformat(),
         "language": "ru"},
    )  # fmt: skip
    assert response.status_code == 422
    assert "Give the name of the requester." in response.content.decode()
    assert not SubjectRequest.objects.exists()


def test_overdue_requests_are_on_the_work_list(world: World) -> None:
    case = closed_case(world, closed_on=None)
    late = _record(world, case.number, received_on=timezone.localdate() - timedelta(days=40))
    on_time = _record(world, case.number)
    page = logged_in_client(_dpo(world)).get(reverse("retention:work_list"))
    overdue = page.content.decode().split('data-testid="overdue"')[1].split("</ul>")[0]
    assert f"#{late.pk} " in overdue and f"#{on_time.pk} " not in overdue


def test_preview_approve_release_and_one_download(world: World) -> None:
    case = closed_case(world, closed_on=None, given="Nurlan", family="Abishev")
    item = _record(world, case.number)
    client = logged_in_client(_dpo(world))
    # Released only after approval.
    response = client.post(reverse("retention:request_release", args=[item.pk]), follow=True)
    assert "approves the report before it is released" in response.content.decode()
    preview = client.get(reverse("retention:request_detail", args=[item.pk])).content.decode()
    assert "Abishev" in preview and case.number in preview
    client.post(reverse("retention:request_approve", args=[item.pk]))
    response = client.post(reverse("retention:request_release", args=[item.pk]))
    page = response.content.decode()
    password = page.split('data-testid="password">')[1].split("<")[0]
    token_url = page.split('data-testid="download" href="')[1].split('"')[0]
    download = client.get(token_url)
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert client.get(token_url).status_code == 404  # one download
    archive = pyzipper.AESZipFile(io.BytesIO(download.content))
    with pytest.raises(RuntimeError):
        archive.read("report.json", pwd=b"wrong password")
    archive.setpassword(password.encode())
    body = json.loads(archive.read("report.json"))
    assert body["language"] == "ru" and "Abishev" in json.dumps(body, ensure_ascii=False)
    assert archive.read("report.pdf").startswith(b"%PDF")
    # The password is stored nowhere; the release and the download are audited.
    assert SubjectRequest.objects.get(pk=item.pk).status == "released"
    for detail in AuditEntry.objects.values_list("detail", flat=True):
        assert password not in json.dumps(detail)
    exports = AuditEntry.objects.filter(action="export", object_type="retention.subjectrequest")
    assert exports.count() == 2


def test_archive_is_aes_256(world: World) -> None:
    data = subject.encrypted_zip({"a.txt": b"secret"}, "pw-123456")
    info = pyzipper.AESZipFile(io.BytesIO(data)).infolist()[0]
    assert info.flag_bits & 0x1  # encrypted
    assert b"secret" not in data
    # WinZip AES extra field 0x9901, strength byte 3 = AES-256.
    extra = info.extra
    at = extra.find(b"\x01\x99")
    assert at >= 0 and extra[at + 8] == 3


def test_rectification_outcome_is_recorded(world: World) -> None:
    case = closed_case(world, closed_on=None)
    item = _record(world, case.number, kind="rectification", details="Wrong date of birth")
    with pytest.raises(ValidationError):
        services.request_close(by=_dpo(world), item=item, outcome="granted", note="")
    services.request_close(
        by=_dpo(world), item=item, outcome="granted", note="Date of birth corrected to 2014"
    )
    item.refresh_from_db()
    assert (item.status, item.outcome) == ("closed", "granted")


def test_only_the_dpo_opens_request_pages(world: World) -> None:
    case = closed_case(world, closed_on=None)
    item = _record(world, case.number)
    urls = [
        ("get", reverse("retention:request_list")),
        ("get", reverse("retention:request_new")),
        ("get", reverse("retention:request_detail", args=[item.pk])),
        ("post", reverse("retention:request_approve", args=[item.pk])),
        ("post", reverse("retention:request_release", args=[item.pk])),
        ("post", reverse("retention:request_close", args=[item.pk])),
        ("get", reverse("retention:package_download", args=["x"])),
    ]
    for role in Role.values:
        if role == Role.DPO:
            continue
        client = logged_in_client(world.staff(role))
        for method, url in urls:
            assert getattr(client, method)(url).status_code in (403, 404), (role, url)
    assert SubjectRequest.objects.get(pk=item.pk).status == "open"


def test_a_corrected_record_shows_that_it_was_corrected(world: World) -> None:
    from tirek.cases import services as case_services
    from tirek.people.models import Person

    manager = world.staff(Role.CASE_MANAGER)
    person = Person.objects.create(given_name="Dias", family_name="Omarov", sex="male")
    case = case_services.case_open(by=manager, person=person)
    item = _record(world, case.number, kind="rectification", details="Wrong spelling")
    page_url = reverse("cases:detail", args=[case.pk])
    client = logged_in_client(manager)
    assert "Corrected after a rectification request" not in client.get(page_url).content.decode()
    services.request_close(
        by=_dpo(world), item=item, outcome="granted", note="Family name spelling corrected"
    )
    page = client.get(page_url).content.decode()
    assert "Corrected after a rectification request" in page
    assert "Family name spelling corrected" in page


THIRD_PARTY_TEXT = "The neighbour Mrs Omarova said the stepfather drinks"


def test_a_third_party_note_is_withheld_from_the_childs_report(world: World) -> None:
    from tirek.cases import services as case_services
    from tirek.cases.models import ContactNote
    from tirek.cases.tests.factories import open_case

    manager = world.staff(Role.CASE_MANAGER)
    case = open_case(manager)
    section = case_services.default_note_section(manager, case)
    client = logged_in_client(manager)
    form = client.get(f"/cases/{case.pk}/notes/new/").content.decode()
    assert 'name="third_party"' in form and 'type="checkbox"' in form
    for narrative, marked in ((THIRD_PARTY_TEXT, "on"), ("Visited at home, all well", "")):
        data = {"kind": "home_visit", "section": section, "occurred_on": "2026-01-05"}
        data |= {"narrative": narrative, **({"third_party": marked} if marked else {})}
        response = client.post(f"/cases/{case.pk}/notes/new/", data)
        assert response.status_code == 302
    marked_note = ContactNote.objects.get(third_party=True)
    assert marked_note.narrative == THIRD_PARTY_TEXT  # the team still reads it
    created = AuditEntry.objects.get(object_type="cases.contactnote", object_id=str(marked_note.pk))
    assert created.detail["third_party"] is True

    report = json.dumps(
        json.loads(subject.to_json(subject.build(case.person, "en"))), ensure_ascii=False
    )
    assert THIRD_PARTY_TEXT not in report and "Omarova" not in report
    assert "third-party" in report and "Visited at home, all well" in report
    item = _record(world, case.number)
    preview = (
        logged_in_client(_dpo(world))
        .get(reverse("retention:request_detail", args=[item.pk]))
        .content.decode()
    )
    from django.utils import translation

    with translation.override(item.language):  # the report speaks the requester's language
        withheld = translation.gettext(
            "withheld: it contains information about other people (third-party)"
        )
    assert withheld in preview
    assert "Omarova" not in preview and "Visited at home, all well" in preview


def test_the_api_marks_a_note_as_third_party(world: World) -> None:
    from tirek.cases import services as case_services
    from tirek.cases.tests.factories import open_case

    manager = world.staff(Role.CASE_MANAGER)
    case = open_case(manager)
    client = api_client(manager)
    payload = {
        "kind": "home_visit",
        "section": case_services.default_note_section(manager, case),
        "occurred_on": "2026-01-05",
        "narrative": THIRD_PARTY_TEXT,
        "third_party": True,
    }
    response = client.post(
        f"/api/v1/cases/{case.pk}/notes", json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["third_party"] is True
    bad = client.post(
        f"/api/v1/cases/{case.pk}/notes",
        json.dumps({**payload, "third_party": "perhaps"}),
        content_type="application/json",
    )
    assert bad.status_code == 422


def test_report_covers_the_new_apps_and_redacts_the_others(world: World) -> None:
    """The child's report lists their family role and plan, the contact with their mother
    (unnamed), a shared incident (narratives withheld, the sibling's case not shown), the
    transfer and the release; the mother's file is in her report, not the child's."""
    from tirek.documents.models import PsychologicalRelease
    from tirek.families.models import (
        Family,
        FamilyGoal,
        FamilyMember,
        FamilyPlan,
        FamilyPlanDecision,
        FamilyPlanVersion,
    )
    from tirek.incidents.models import Incident, IncidentAction
    from tirek.justice.models import Condition, ContactEvent, LegalStatus, LegalUpdate
    from tirek.transfers.models import GroupImport, GroupImportStatus, Transfer

    case = closed_case(world, closed_on=None, given="Nurlan", family="Abishev")
    manager = case.case_manager
    sibling = sibling_of(case)
    sibling.given_name, sibling.iin = "Zhuldyzay", "150101600011"
    sibling.save()
    sibling_case = closed_case(world, closed_on=None, person=sibling)
    mother_case = closed_case(world, closed_on=None, given="Saule", family="Abisheva")
    on = date(2025, 5, 4)
    family = Family.objects.create(
        label="Family A", guardianship="Guardian: uncle Serik", created_by=manager,
        shared_goals="Live together in one flat",
    )  # fmt: skip
    FamilyMember.objects.create(family=family, person=case.person, role="child")
    FamilyMember.objects.create(family=family, person=mother_case.person, role="mother")
    plan = FamilyPlan.objects.create(family=family)
    FamilyGoal.objects.create(plan=plan, area="housing", title="Stable flat by spring")
    FamilyPlanVersion.objects.create(
        plan=plan, number=1, approved_by=manager, approved_at=timezone.now(),
        comment="First plan agreed at the meeting",
        snapshot={"goals": [{"area": "income", "title": "Mother finds work", "status": "planned",
                             "tasks": [{"title": "Visit the job centre", "owner": "Staff X",
                                        "due_date": "2025-06-01"}]}]},
    )  # fmt: skip
    FamilyPlanDecision.objects.create(
        plan=plan, decision="returned", by=manager, comment="Add a schooling goal"
    )
    LegalStatus.objects.create(
        case=mother_case, status="custody", institution="Colony 7",
        contact="Officer Bekov, room 12", start_date=on, recorded_by=manager,
    )  # fmt: skip
    condition = Condition.objects.create(
        case=mother_case, text="Report weekly", recorded_by=manager
    )
    LegalUpdate.objects.create(
        case=mother_case, kind="changed", on_date=on, condition=condition,
        legal_basis="Court ruling 45/2025", note="Now monthly", recorded_by=manager,
    )  # fmt: skip
    ContactEvent.objects.create(
        case=case, kind="visit", status="held", on_date=on, with_whom="Saule Abisheva",
        child_reaction="Happy to see her", recorded_by=manager,
    )  # fmt: skip
    shared = Incident.objects.create(
        kind="bullying", place="school", occurred_on=on, reported_by="Teacher Aigul",
        description="Zhuldyzay and Nurlan were mocked", child_account="They laughed",
        recorded_by=manager,
    )  # fmt: skip
    shared.cases.add(case, sibling_case)
    IncidentAction.objects.create(
        incident=shared, description="Talk to the head teacher", owner=manager,
        due_date=on, created_by=manager,
    )  # fmt: skip
    own = Incident.objects.create(
        kind="hate_speech", place="online", occurred_on=on, reported_by="Neighbour",
        child_account="Someone wrote about me", recorded_by=manager,
    )  # fmt: skip
    own.cases.add(case)
    Transfer.objects.create(
        case=case, from_unit=world.unit, from_region=world.karaganda, to_unit=world.unit,
        to_region=world.karaganda, reason="Moving to Karaganda", requested_by=manager,
    )  # fmt: skip
    PsychologicalRelease.objects.create(
        case=case, purpose="court", recipient="District court", recipient_key="district court",
        released_by=manager,
    )  # fmt: skip
    GroupImport.objects.create(
        created_by=manager, status=GroupImportStatus.COMMITTED, committed_at=timezone.now(),
        rows=[{"row": 2, "family_name": "Abishev", "given_name": "Nurlan", "iin": ""},
              {"row": 3, "family_name": "Omarova", "given_name": "Saya", "iin": ""}],
        result={"created": [case.person.pk], "linked": []},
    )  # fmt: skip

    child = subject.to_json(subject.build(case.person, "en")).decode()
    family_plan = ("Live together in one flat", "First plan agreed at the meeting",
                   "Mother finds work", "Visit the job centre", "Add a schooling goal")  # fmt: skip
    for shown in ("Stable flat by spring", "Happy to see her", "Someone wrote about me",
                  "Talk to the head teacher", "Moving to Karaganda", "District court",
                  "Bullying at school", "Mother", *family_plan):  # fmt: skip
        assert shown in child, shown
    for hidden in ("Zhuldyzay", "150101600011", "Saule", "uncle Serik", "Teacher Aigul",
                   "They laughed", "Colony 7", "Report weekly", "Omarova", sibling_case.number,
                   mother_case.number, "Officer Bekov", "Court ruling 45/2025", "Now monthly",
                   "Staff X"):  # fmt: skip
        assert hidden not in child, hidden
    sections = dict(subject.build(case.person, "en")["sections"])
    assert sections["Justice"]["legal_status"] == [] and sections["Justice"]["conditions"] == []
    assert sections["Justice"]["updates"] == []
    [membership] = sections["Family and family plan"]
    [version] = membership["approved_versions"]
    assert (version["version"], version["plan"][0]["area"]) == (1, "Income and employment")
    assert [d["decision"] for d in membership["plan_decisions"]] == ["Returned for changes"]

    mother = subject.to_json(subject.build(mother_case.person, "en")).decode()
    assert "Colony 7" in mother and "Report weekly" in mother
    assert "Happy to see her" not in mother and "Nurlan" not in mother
    # The update of her legal status, with its legal basis, and her probation contact.
    for shown in ("Officer Bekov, room 12", "Court ruling 45/2025", "Now monthly",
                  "Condition modified", *family_plan):  # fmt: skip
        assert shown in mother, shown


def test_report_holds_the_individual_plan_without_the_people_responsible(world: World) -> None:
    """Goals and services, the approved versions, the reviews with the child's own views and
    the follow-ups are the child's data; who was responsible for them is not."""
    from tirek.plans.models import FollowUp, Goal, Intervention, Plan, PlanVersion, Review

    case = closed_case(world, closed_on=None, given="Nurlan", family="Abishev")
    manager = case.case_manager
    plan = Plan.objects.create(case=case, status="approved", approved_number=1)
    goal = Goal.objects.create(
        plan=plan, domain="education", title="Attends school every day",
        indicator="90 % attendance", responsible_name="Class teacher Aigul Serikovna",
    )  # fmt: skip
    Intervention.objects.create(
        goal=goal, title="Reading support", frequency="twice a week",
        responsible_name="Tutor Marat Bekov",
    )  # fmt: skip
    version = PlanVersion.objects.create(
        plan=plan, number=1, snapshot={}, approved_by=manager, approved_at=timezone.now(),
        comment="Agreed with the mother",
    )  # fmt: skip
    Review.objects.create(
        case=case, plan_version=version, held_on=date(2026, 3, 2),
        child_views="I like my new class", decisions="Keep the reading support",
        next_review_on=date(2026, 6, 2), created_by=manager,
    )  # fmt: skip
    report = dict(subject.build(case.person, "en")["sections"])
    [plan_report] = report["Individual plan"]
    assert plan_report["case"] == case.number
    assert [g["goal"] for g in plan_report["goals"]] == ["Attends school every day"]
    assert plan_report["goals"][0]["services"][0]["service"] == "Reading support"
    assert plan_report["approved_versions"][0]["comment"] == "Agreed with the mother"
    assert plan_report["reviews"][0]["child_views"] == "I like my new class"
    text = subject.to_json(subject.build(case.person, "en")).decode()
    assert "Aigul" not in text and "Marat" not in text
    assert not FollowUp.objects.exists()  # none recorded: none reported
    assert plan_report["follow_ups"] == []
