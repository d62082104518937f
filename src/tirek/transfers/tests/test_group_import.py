"""Group arrivals from a spreadsheet (issue #17, part 2): the template, bad files and
rows named by row and column, the duplicate check and its decisions, all-or-nothing."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.cases.models import Case
from tirek.cases.tests.factories import open_case, person
from tirek.core.exceptions import Conflict
from tirek.people.models import Person, Relationship
from tirek.testing import InDays, World, logged_in_client, resolved, today
from tirek.transfers import group_import, services
from tirek.transfers.models import GroupImport

pytestmark = pytest.mark.django_db

HEADER = ["family_group", "relationship", "family_name", "given_name", "sex", "birth_date", "iin"]


def csv_file(rows: list[list[str]], header: list[str] = HEADER) -> SimpleUploadedFile:
    text = "\n".join(",".join(r) for r in [header, *rows])
    return SimpleUploadedFile("group.csv", text.encode(), content_type="text/csv")


def xlsx_file(rows: list[list[object]], header: list[str] = HEADER) -> SimpleUploadedFile:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [header, *rows]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("group.xlsx", out.getvalue())


def family(n: int = 3) -> list[list[str]]:
    rows = [["F1", "head", "Нурланова", "Гульнара", "female", "1990-04-02", ""]]
    for i in range(1, n):
        rows.append(
            ["F1", "child", "Нурланова", f"Дана{chr(0x430 + i)}", "female", f"201{i}-01-05", ""]
        )
    return rows


@pytest.fixture
def manager(world: World):
    return world.staff(Role.CASE_MANAGER)


def problems_of(exc: pytest.ExceptionInfo) -> list[tuple[int | None, str]]:
    return [(p["row"], p["column"]) for p in exc.value.problems]


def test_the_template_has_headers_in_the_interface_language(world: World, manager) -> None:
    client = logged_in_client(manager)
    with translation.override("en"):
        english = group_import.template_rows()[0]
    assert english[:3] == ["Family group", "Relationship to the head of the family", "Family name"]
    response = client.get("/transfers/group/template/?format=csv")
    assert response.status_code == 200
    xlsx = client.get("/transfers/group/template/?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    # a template filled in any language reads back
    with translation.override("en"):
        header = group_import.template_rows()[0]
    imp = services.group_preview(
        manager,
        xlsx_file(
            [["F1", "Head of the family", "Ким", "Ли", "", "Female", date(1990, 1, 1), ""]], header
        ),
    )
    assert imp.rows[0]["relationship"] == "head" and imp.rows[0]["sex"] == "female"


def test_a_group_is_registered_with_its_family_links(world: World, manager) -> None:
    imp = services.group_preview(
        manager, csv_file(family(3) + [["", "", "Алиев", "Тимур", "male", "2012", ""]])
    )
    assert [r["row"] for r in imp.rows] == [2, 3, 4, 5]
    assert not any(services.needs_decision(r) for r in imp.rows)
    assert not Person.objects.exists()  # nothing written before the commit
    result = services.group_commit(by=manager, imp=imp, decisions={})
    assert len(result["created"]) == 4 and len(result["cases"]) == 4
    assert result["relationships"] == 2
    head = Person.objects.get(given_name="Гульнара")
    assert set(Relationship.objects.filter(relative=head).values_list("kind", flat=True)) == {
        "mother"
    }
    assert Person.objects.get(given_name="Тимур").birth_date_precision == "year"
    # The DPO finds the arrival by any of the cases it opened.
    from tirek.audit.selectors import audit_entries

    timur = Case.objects.get(person__given_name="Тимур")
    found = audit_entries(case=timur.number).filter(object_type="transfers.groupimport")
    assert [e.detail["cases"] for e in found] == [result["cases"]]
    assert Case.objects.filter(case_manager=manager).count() == 4
    assert AuditEntry.objects.filter(action=Action.CREATE, object_type="people.person").count() == 4
    with pytest.raises(Conflict):  # committed once only
        services.group_commit(by=manager, imp=imp, decisions={})


def test_a_known_person_needs_a_decision(world: World, manager) -> None:
    known = person(
        given_name="Гульнара", family_name="Нурланова", birth_date=date(1990, 4, 2), sex="female"
    )
    from tirek.people.services import refresh_keys

    refresh_keys(known)
    open_case(manager, person=known)
    imp = services.group_preview(manager, csv_file(family(3)))
    head = imp.rows[0]
    assert services.needs_decision(head) and head["candidates"][0]["id"] == known.pk
    with pytest.raises(group_import.FileRejected) as exc:
        services.group_commit(by=manager, imp=imp, decisions={})
    assert problems_of(exc) == [(2, "")]
    assert Person.objects.count() == 1  # all or nothing
    with pytest.raises(group_import.FileRejected):  # "new anyway" needs a reason
        services.group_commit(by=manager, imp=imp, decisions={2: {"action": "new", "reason": ""}})
    result = services.group_commit(
        by=manager, imp=imp, decisions={2: {"action": "link", "person": known.pk}}
    )
    assert result["linked"] == [known.pk] and len(result["created"]) == 2
    assert result["cases"] and len(result["cases"]) == 2  # the known person keeps their case
    assert Relationship.objects.filter(relative=known).count() == 2


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (["F1", "head", "Ким", "Ли", "female", "not a date", ""], "Date of birth"),
        (
            [
                "F1",
                "head",
                "Ким",
                "Ли",
                "female",
                InDays(3),
                "",
            ],
            "Date of birth",
        ),
        (["F1", "head", "Ким", "Ли", "robot", "2000-01-01", ""], "Sex"),
        (["F1", "head", "Ки\u200bм", "Ли", "female", "2000-01-01", ""], "Family name"),
        (["F1", "head", "Ким", "", "female", "2000-01-01", ""], "Given name"),
        (["F1", "head", "Ким", "Ли", "female", "2000-01-01", "123"], "IIN"),
        (
            ["F1", "cousin", "Ким", "Ли", "female", "2000-01-01", ""],
            "Relationship to the head of the family",
        ),
    ],
)
def test_bad_rows_are_named_by_row_and_column(world: World, manager, row, column) -> None:
    with translation.override("en"), pytest.raises(group_import.FileRejected) as exc:
        services.group_preview(
            manager,
            csv_file([family(1)[0][:1] + ["head"] + family(1)[0][2:], resolved(row)]),
        )
    assert (3, column) in problems_of(exc)
    assert not GroupImport.objects.exists()


def test_wrong_types_in_xlsx_and_bad_files(world: World, manager) -> None:
    with translation.override("en"), pytest.raises(group_import.FileRejected) as exc:
        services.group_preview(manager, xlsx_file([["", "", "Ким", "Ли", "female", 3.5, ""]]))
    assert problems_of(exc) == [(2, "Date of birth")]
    too_many = [["", "", "Ким", f"Ли{i}", "", "", ""] for i in range(501)]
    with pytest.raises(Exception) as rows_exc:
        services.group_preview(manager, csv_file(too_many))
    assert "500" in str(rows_exc.value)
    # a zip bomb: a tiny file whose sheet unpacks to far more than allowed
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<x>" + b" " * 60_000_000 + b"</x>")
    with pytest.raises(Exception) as bomb_exc:
        services.group_preview(manager, SimpleUploadedFile("bomb.xlsx", bomb.getvalue()))
    assert not isinstance(bomb_exc.value, MemoryError)
    with translation.override("en"), pytest.raises(group_import.FileRejected) as header_exc:
        services.group_preview(manager, csv_file([["x"]], header=["Favourite colour"]))
    assert (None, "Family name") in problems_of(header_exc)
    assert not GroupImport.objects.exists()


def test_pages(world: World, manager) -> None:
    client = logged_in_client(manager)
    assert client.get("/transfers/group/").status_code == 200
    bad = client.post(
        "/transfers/group/", {"file": csv_file([["F1", "head", "Ким", "Ли", "robot", "", ""]])}
    )
    assert bad.status_code == 422
    good = client.post("/transfers/group/", {"file": csv_file(family(2))})
    assert good.status_code == 302
    imp = GroupImport.objects.get()
    # another worker cannot see or commit it
    other = logged_in_client(world.staff(Role.CASE_MANAGER))
    assert other.get(f"/transfers/group/{imp.pk}/").status_code == 404
    assert other.post(f"/transfers/group/{imp.pk}/").status_code == 404
    # roles that do not register people
    school = logged_in_client(world.staff(Role.SCHOOL_LIAISON))
    assert school.get("/transfers/group/").status_code == 403
    assert client.post(f"/transfers/group/{imp.pk}/").status_code == 302
    assert Person.objects.count() == 2


def test_the_bulk_registration_matches_one_by_one_registration(world: World, manager) -> None:
    """The group's people and cases carry what ``person_create`` and ``case_open`` give
    one person: blocking keys and search key, a case number from the same counter, the
    case manager on the team, the "opened" event, the audit entries — and the log still
    verifies."""
    from tirek.audit.services import verify
    from tirek.cases.models import CaseEvent, CaseTeamMember
    from tirek.people.models import PersonNameKey
    from tirek.people.services import person_create

    single = person_create(by=manager, given_name="Али", family_name="Ким")
    before = open_case(manager, person=single)
    imp = services.group_preview(manager, csv_file(family(3)))
    result = services.group_commit(by=manager, imp=imp, decisions={})
    new = Person.objects.filter(pk__in=result["created"]).order_by("pk")
    assert [p.registered_by_unit_id for p in new] == [manager.unit_id] * 3
    for p in new:
        assert PersonNameKey.objects.filter(person=p).count() > 5 and p.search_key
    cases = list(Case.objects.filter(pk__in=result["cases"]).order_by("pk"))
    numbers = [int(c.number.rsplit("-", 1)[1]) for c in cases]
    first = int(before.number.rsplit("-", 1)[1]) + 1
    assert numbers == [first, first + 1, first + 2]
    for case in cases:
        assert case.region_id == manager.unit.region_id and case.case_manager == manager
        assert CaseTeamMember.objects.filter(
            case=case, user=manager, role=Role.CASE_MANAGER
        ).exists()
        assert CaseEvent.objects.filter(case=case, kind="opened").count() == 1
        assert (
            AuditEntry.objects.filter(
                object_type="cases.case",
                object_id=str(case.pk),
                action__in=["create", "permission_change"],
            ).count()
            == 2
        )
    assert AuditEntry.objects.filter(object_type="people.relationship").count() == 2
    assert verify().ok
    # the case manager finds them on their cases list
    assert logged_in_client(manager).get(f"/cases/{cases[0].pk}/").status_code == 200


def test_bad_people_in_a_bulk_registration_write_nothing(world: World, manager) -> None:
    from tirek.people.services import NewPerson, RowsInvalid, people_create_many

    person(given_name="Ерлан", family_name="Ахметов", iin="900101300015")
    with pytest.raises(RowsInvalid) as exc:
        people_create_many(
            by=manager,
            people=[
                NewPerson("Дана", "Ким"),
                NewPerson("Ерлан", "Ахметов", iin="900101300015"),  # on file
                NewPerson("Ли", "Ким", birth_date=today() + timedelta(days=2)),
                NewPerson("Ли", "Ким", dismissed=((1, 0.9),)),  # no reason
            ],
        )
    assert sorted(exc.value.rows) == [1, 2, 3]
    assert Person.objects.count() == 1
    assert not AuditEntry.objects.filter(object_type="people.person").exists()


def test_a_case_already_open_refuses_the_whole_batch(world: World, manager) -> None:
    from django.core.exceptions import ValidationError

    from tirek.cases.services import cases_open_many

    a, b = person(), person()
    open_case(manager, person=b)
    with pytest.raises(ValidationError):
        cases_open_many(by=manager, people=[a, b])
    assert not Case.objects.filter(person=a).exists()
    with pytest.raises(ValidationError):
        cases_open_many(by=manager, people=[a, a])
    assert [c.person for c in cases_open_many(by=manager, people=[a])] == [a]


def test_someone_registered_after_the_report_sends_the_worker_back(world: World, manager) -> None:
    """The commit reruns the check under the registration lock: a probable match that
    appeared since the report refuses the group, writes nothing, and the report then
    shows the match to decide about."""
    from tirek.people.services import person_create

    client = logged_in_client(manager)
    imp = services.group_preview(manager, csv_file(family(3)))
    assert not any(services.needs_decision(r) for r in imp.rows)
    colleague = world.staff(Role.CASE_MANAGER, unit=manager.unit)
    meanwhile = person_create(
        by=colleague,
        given_name="Гульнара",
        family_name="Нурланова",
        sex="female",
        birth_date=date(1990, 4, 2),
    )
    with pytest.raises(services.GroupChanged) as exc:
        services.group_commit(by=manager, imp=imp, decisions={})
    assert exc.value.rows == [2]
    assert Person.objects.count() == 1 and not Case.objects.exists()
    response = client.post(f"/transfers/group/{imp.pk}/")
    assert response.status_code == 409
    assert Person.objects.count() == 1
    imp.refresh_from_db()
    head = imp.rows[0]
    assert services.needs_decision(head) and head["candidates"][0]["id"] == meanwhile.pk
    assert 'name="decision-2"' in response.content.decode()
    result = services.group_commit(
        by=manager, imp=imp, decisions={2: {"action": "new", "reason": "Другая женщина"}}
    )
    assert len(result["created"]) == 3
