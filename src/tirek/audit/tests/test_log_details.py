"""What the data protection officer reads in an entry's detail: labels in her language,
people by name, cases by number, choices by their labels, never raw keys and ids."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model

from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.audit.services import record
from tirek.testing import World, logged_in_client


@pytest.fixture
def dpo(world: World):
    return world.staff(Role.DPO, username="olga")


def _named(user, first: str, last: str):
    user.first_name, user.last_name = first, last
    user.save()
    return user


def _rows(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index("<tbody>") : html.index("</tbody>")]


def _log(dpo, **query: str) -> str:
    return _rows(logged_in_client(dpo).get("/audit/", query))


def test_the_responsible_person_of_an_action_is_named(world: World, dpo) -> None:
    chair = _named(world.staff(Role.SUPERVISOR, username="marat"), "Марат", "Сеитов")
    owner = _named(world.staff(Role.SOCIAL_WORKER, username="dana"), "Дана", "Ахметова")
    # As a conference records an action given to someone: the conference and the owner by id.
    record(
        actor=chair,
        action=Action.CREATE,
        object_type="conferences.actionitem",
        object_id=3,
        detail={"conference": 1, "owner": owner.pk},
    )
    rows = _log(dpo, actor="marat")
    assert "ответственный: Дана Ахметова" in rows
    assert "кейс-конференция: #1" in rows
    assert "owner" not in rows and "conference:" not in rows


def test_a_person_without_a_full_name_is_shown_by_user_name_then_by_number(
    world: World, dpo
) -> None:
    chair = world.staff(Role.SUPERVISOR, username="marat")
    nameless = world.staff(Role.SOCIAL_WORKER, username="dana.a")
    gone = world.staff(Role.SOCIAL_WORKER, username="left.us")
    gone_id = gone.pk
    record(actor=chair, action=Action.UPDATE, object_type="incidents.incidentaction",
           object_id=9, detail={"owner": nameless.pk})  # fmt: skip
    record(actor=chair, action=Action.UPDATE, object_type="incidents.incidentaction",
           object_id=10, detail={"owner": gone_id})  # fmt: skip
    get_user_model().objects.filter(pk=gone_id).delete()
    rows = _log(dpo, actor="marat")
    assert "ответственный: dana.a" in rows
    assert f"ответственный: #{gone_id}" in rows


def test_a_case_team_change_names_the_member_role_and_sections(world: World, dpo) -> None:
    from tirek.cases.services import team_member_add
    from tirek.cases.tests.factories import open_case

    manager = world.staff(Role.CASE_MANAGER, username="aigerim")
    psychologist = _named(world.staff(Role.PSYCHOLOGIST), "Дана", "Сейткали")
    case = open_case(manager)
    team_member_add(
        by=manager, case=case, user=psychologist, role=Role.PSYCHOLOGIST, sections=["psychological"]
    )
    rows = _log(dpo, actor="aigerim", action=Action.PERMISSION_CHANGE)
    assert "добавлен(а) в команду дела: Дана Сейткали" in rows
    assert "роль: Психолог" in rows
    assert "разделы: Психологические записи" in rows
    assert "team_added" not in rows and "psychologist" not in rows


def test_a_case_update_lists_the_fields_and_new_values_as_the_form_names_them(
    world: World, dpo
) -> None:
    from tirek.cases.services import case_update
    from tirek.cases.tests.factories import open_case

    manager = world.staff(Role.CASE_MANAGER, username="aigerim")
    case = open_case(manager)
    case_update(
        by=manager,
        case=case,
        version=case.version,
        changes={"risk_level": "high", "phase": "reintegration"},
    )
    rows = _log(dpo, actor="aigerim", action=Action.UPDATE)
    assert "изменённые поля: этап, уровень риска" in rows
    assert "этап: Реинтеграция" in rows
    assert "уровень риска: Высокий" in rows
    assert "risk_level" not in rows and "reintegration" not in rows


def test_a_status_is_shown_by_its_label_on_the_record_it_belongs_to(dpo) -> None:
    record(actor="aigerim", action=Action.UPDATE, object_type="referrals.referral",
           object_id=4, detail={"status": "accepted", "case": 999_999})  # fmt: skip
    record(actor="aigerim", action=Action.UPDATE, object_type="cases.case",
           object_id=999_999, detail={"status": "closed"})  # fmt: skip
    rows = _log(dpo, actor="aigerim")
    assert "статус: Принято" in rows  # a referral's word
    assert "статус: Закрыт" in rows  # a case's word
    assert "дело: #999999" in rows  # a case that is no longer there keeps its id


def test_the_log_own_filters_read_as_the_filter_form_names_them(dpo) -> None:
    record(actor="marat", action=Action.EXPORT, object_type="cases.case", object_id=1)
    client = logged_in_client(dpo)
    client.get(
        "/audit/",
        {"actor": "marat", "action": Action.EXPORT, "object_type": "cases.case",
         "date_from": "2026-12-01"},
    )  # fmt: skip
    rows = _rows(client.get("/audit/", {"actor": "olga"}))
    assert "фильтры: Кто: marat, Действие: Экспорт, Вид записи: дело, С даты: 01.12.2026" in rows
    assert "date_from" not in rows and "object_type" not in rows and "export" not in rows


def test_an_account_change_names_the_roles_and_the_account(world: World, dpo) -> None:
    admin = world.staff(Role.ADMIN, username="root")
    worker = _named(world.staff(Role.SOCIAL_WORKER, username="dana"), "Дана", "Ахметова")
    record(
        actor=admin,
        action=Action.PERMISSION_CHANGE,
        obj=worker,
        detail={"added": ["case-manager"], "removed": ["social-worker"], "via": "provisioning"},
    )
    rows = _log(dpo, actor="root")
    assert "учётная запись сотрудника Дана Ахметова" in rows  # not "accounts.user #5"
    assert "добавленные роли: Кейс-менеджер" in rows
    assert "снятые роли: Социальный работник" in rows
    assert "через: создание учётных записей" in rows


def test_dates_read_in_the_reader_format_and_sizes_in_bytes(world: World, dpo) -> None:
    moment = datetime(2027, 1, 15, 4, 30, tzinfo=UTC)  # 09:30 in Almaty
    record(actor="aigerim", action=Action.EMERGENCY_ACCESS, object_type="cases.case",
           object_id=1, detail={"expires_at": moment.isoformat(), "emergency": True})  # fmt: skip
    record(actor="aigerim", action=Action.CREATE, object_type="cases.attachment",
           object_id=2, detail={"size": 2048, "next_review_on": "2027-03-01"})  # fmt: skip
    rows = _log(dpo, actor="aigerim")
    assert "действует до: 15.01.2027 09:30" in rows
    assert "через экстренный доступ: да" in rows
    assert "размер: 2,0" in rows and "КБ" in rows
    assert "следующий пересмотр: 01.03.2027" in rows


def test_a_retention_pass_counts_records_due_by_their_kind(dpo) -> None:
    record(actor="retention-pass", action=Action.READ, object_type="retention.pass",
           detail={"due": {"case_file": 3, "photos": 1}})  # fmt: skip
    rows = _log(dpo, actor="retention-pass")
    assert "срок: " in rows
    assert "Карточка случая (сведения о личности): 3" in rows and "Фотографии: 1" in rows
    assert "#1" not in rows and "case_file" not in rows


def test_an_unknown_key_and_value_are_shown_as_written(dpo) -> None:
    record(actor="aigerim", action=Action.UPDATE, object_type="cases.case",
           object_id=1, detail={"mystery": "blue", "status": "no-such-status"})  # fmt: skip
    rows = _log(dpo, actor="aigerim")
    assert "mystery: blue" in rows
    assert "статус: no-such-status" in rows


@pytest.mark.parametrize(
    "detail",
    [
        {"owner": "4", "case": "12", "cases": ["x", None, True], "ids": "not a list"},
        {"owner": 10**30, "case": 2**70, "cases": [2**63, -1, 0], "team_kept": [2**64]},
        {"fields": "status", "changed": [1, None], "filters": {"a": {"b": {"c": {"d": 1}}}}},
        {"expires_at": "yesterday", "due": "2027-02-30", "size": -5, "until": 17},
        {"change": "[1, 2]", "severity": {"safety": 3, "x": None}, "agency": [None, "7", 8, 9]},
        {"status": ["closed", {"nested": True}], "kind": 7, "role": None, "roles": "admin"},
        {"unit": 2**70, "region": [2**63, "x"], "from_unit": True, "to_unit": {"unit": -3}},
    ],
)
def test_odd_details_do_not_break_the_page(world: World, dpo, detail: dict) -> None:
    record(actor="aigerim", action=Action.UPDATE, object_type="cases.case",
           object_id="99999999999999999999999", detail=detail)  # fmt: skip
    record(actor="aigerim", action=Action.UPDATE, object_type="accounts.user",
           object_id="²", detail=detail)  # fmt: skip
    rows = _log(dpo, actor="aigerim")
    assert rows.count("<tr>") == 2


def test_an_old_entry_whose_detail_is_not_a_dictionary_still_shows(dpo) -> None:
    entry = record(actor="aigerim", action=Action.READ, object_type="cases.case", object_id=1)
    AuditEntry.objects.filter(pk=entry.pk).update(detail=["legacy", 5])
    rows = _log(dpo, actor="aigerim")
    assert "подробности: legacy, 5" in rows


def test_bad_values_are_shown_as_written(dpo) -> None:
    record(actor="aigerim", action=Action.UPDATE, object_type="conferences.actionitem",
           object_id=1, detail={"owner": "4", "case": 2**70})  # fmt: skip
    rows = _log(dpo, actor="aigerim")
    assert "ответственный: 4" in rows
    assert f"дело: {2**70}" in rows


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("kk", "жауапты: Дана Ахметова"),
        ("uz", "masʼul: Дана Ахметова"),
        ("tg", "масъул: Дана Ахметова"),
        ("en", "responsible: Дана Ахметова"),
    ],
)
def test_the_detail_reads_in_the_reader_language(
    world: World, dpo, language: str, expected: str
) -> None:
    from django.conf import settings

    owner = _named(world.staff(Role.SOCIAL_WORKER), "Дана", "Ахметова")
    record(actor="aigerim", action=Action.CREATE, object_type="conferences.actionitem",
           object_id=3, detail={"owner": owner.pk})  # fmt: skip
    client = logged_in_client(dpo)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    assert expected in _rows(client.get("/audit/", {"actor": "aigerim"}))


def test_an_account_move_names_the_agencies_units_and_regions(world: World, dpo) -> None:
    admin = world.staff(Role.ADMIN, username="root")
    worker = world.staff(Role.SOCIAL_WORKER, username="dana")
    # As a confirmed role change records the account's place before and after, by id.
    record(
        actor=admin,
        action=Action.PERMISSION_CHANGE,
        obj=worker,
        detail={
            "agency": [world.centre.pk, world.centre_almaty.pk],
            "unit": [world.unit.pk, None],
            "region": [world.karaganda.pk, world.almaty.pk],
        },
    )
    rows = _log(dpo, actor="root")
    assert "организация: Centre Karaganda → Centre Almaty" in rows
    assert "подразделение: Centre Karaganda — Team K → —" in rows
    assert "регион: Карагандинская область → Алматы" in rows


def test_a_unit_or_agency_named_alone_reads_by_name_and_a_gone_one_by_number(
    world: World, dpo
) -> None:
    chair = world.staff(Role.SUPERVISOR, username="marat")
    record(
        actor=chair,
        action=Action.UPDATE,
        object_type="referrals.referral",
        object_id=4,
        detail={"consent_override": True, "case": 1, "agency": world.school.pk},
    )
    record(
        actor=chair,
        action=Action.CREATE,
        object_type="transfers.transfer",
        object_id=5,
        detail={"from_unit": world.unit.pk, "to_unit": 987654, "unit": [world.unit_almaty.pk]},
    )
    rows = _log(dpo, actor="marat")
    assert "организация: School 17" in rows
    assert "передающее подразделение: Centre Karaganda — Team K" in rows
    assert "принимающее подразделение: #987654" in rows
    assert "подразделение: Centre Almaty — Team A" in rows
