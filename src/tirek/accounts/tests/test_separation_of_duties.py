"""The system administrator manages accounts and settings and reads no case data."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client

from tirek.access.policy import visible_cases
from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.cases.models import Case
from tirek.people.models import Person
from tirek.testing import PASSWORD, World, logged_in_client

from .helpers import enrol

# Apps whose models hold case content; none of them may appear in the Django admin.
CASE_APPS = {
    "people", "cases", "access", "privacy", "plans", "assessments", "referrals",
    "interviews", "conferences", "reports", "training",
}  # fmt: skip


def _case_in(world: World) -> Case:
    person = Person.objects.create(given_name="Амир", family_name="Тестов", birth_date="2015-03-01")
    return Case.objects.create(
        number="K-0001",
        person=person,
        case_manager=world.staff(Role.CASE_MANAGER),
        supervising_unit=world.unit,
        region=world.karaganda,
    )


def test_it_registers_no_case_content_in_the_django_admin() -> None:
    labels = {model._meta.app_label for model in admin.site._registry}
    assert not labels & CASE_APPS


def test_it_shows_the_administrator_only_accounts_and_organisations(world: World) -> None:
    client = logged_in_client(world.staff(Role.ADMIN))
    response = client.get("/admin/")
    assert response.status_code == 200
    apps = {app["app_label"] for app in response.context["app_list"]}
    # …and the background jobs, schedule and workers (ids and errors, no case content).
    assert apps == {"accounts", "organisations", "django_tasks_database", "ops"}
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get("/admin/organisations/agency/").status_code == 200


@pytest.mark.parametrize("role", [Role.CASE_MANAGER, Role.SUPERVISOR, Role.DPO, Role.ME_ANALYST])
def test_it_keeps_everyone_else_out_of_the_django_admin(world: World, role: str) -> None:
    user = world.staff(role)
    user.is_staff = True  # even with the flag set by mistake
    user.save()
    client = logged_in_client(user)
    assert client.get("/admin/", follow=True).status_code == 403
    assert client.get("/admin/accounts/user/", follow=True).status_code == 403


def test_it_never_signs_in_through_the_django_admin_form(world: World) -> None:
    admin_user = world.staff(Role.ADMIN, username="root")
    enrol(admin_user)
    client = Client()
    response = client.post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/admin/").status_code == 302  # the second factor was not skipped


def test_it_shows_the_administrator_no_cases_even_inside_a_unit(world: World) -> None:
    _case_in(world)
    admin_user = world.staff(Role.ADMIN, agency=world.centre, unit=world.unit)
    assert admin_user.unit == world.unit
    assert visible_cases(admin_user).count() == 0
    supervisor = world.staff(Role.SUPERVISOR)
    assert visible_cases(supervisor).count() == 1  # the case is there for those who may see it


def test_it_keeps_the_administrator_out_of_the_audit_log(world: World) -> None:
    assert logged_in_client(world.staff(Role.ADMIN)).get("/audit/").status_code == 403


def test_it_audits_account_changes_made_in_the_django_admin(world: World) -> None:
    admin_user = world.staff(Role.ADMIN)
    target = world.staff(Role.CASE_MANAGER, username="target")
    client = logged_in_client(admin_user)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "disable_accounts", "_selected_action": [target.pk]},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    assert AuditEntry.objects.filter(actor=admin_user, object_id=str(target.pk)).exists()
    change = client.post(
        f"/admin/organisations/agency/{world.school.pk}/change/",
        {
            "name": "School 18",
            "kind": world.school.kind,
            "region": world.karaganda.pk,
            "is_active": "on",
        },
    )
    assert change.status_code == 302
    assert AuditEntry.objects.filter(
        actor=admin_user, action=Action.UPDATE, object_type="organisations.agency"
    ).exists()
