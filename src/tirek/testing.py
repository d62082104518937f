"""Test helpers shared by every app: named people in named places.

``world`` builds two regions (Karaganda and Almaty) with a rehabilitation centre, a
school, a clinic, a police department and an NGO in Karaganda, a unit per centre, and
makes staff on demand with ``world.staff(role, ...)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import count
from typing import Any

from django.test import Client
from django.utils import timezone

from tirek.accounts import services as account_services
from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.organisations.models import Agency, Region, Unit

PASSWORD = "correct-horse-battery-staple-42"  # noqa: S105


def today() -> date:
    """The day the test runs in the project's time zone, as the code under test sees it.

    Not ``date.today()``: the machine's clock runs in UTC, and from 19:00 UTC it is
    already tomorrow in Almaty.
    """
    return timezone.localdate()


@dataclass(frozen=True)
class InDays:
    """A date some days from the day the test *runs*, for parametrized cases.

    Parameters are built when pytest collects; a date computed then is a day off for a
    test that runs after midnight (a future date becomes today and is accepted).
    """

    days: int

    def date(self) -> date:
        return today() + timedelta(days=self.days)

    def isoformat(self) -> str:
        return self.date().isoformat()


def resolved(value: Any, *, as_text: bool = True) -> Any:
    """``value`` with every InDays inside dicts and lists turned into its date (or text)."""
    if isinstance(value, InDays):
        return value.isoformat() if as_text else value.date()
    if isinstance(value, dict):
        return {key: resolved(item, as_text=as_text) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(resolved(item, as_text=as_text) for item in value)
    return value


_serial = count(1)


@dataclass
class World:
    kz: Region
    karaganda: Region
    almaty: Region
    centre: Agency
    centre_almaty: Agency
    school: Agency
    clinic: Agency
    police: Agency
    ngo: Agency
    ministry: Agency
    unit: Unit
    unit_almaty: Unit
    users: dict[str, User] = field(default_factory=dict)

    def staff(
        self,
        role: str,
        *,
        username: str | None = None,
        agency: Agency | None = None,
        unit: Unit | None | str = "default",
        roles: list[str] | None = None,
    ) -> User:
        """A staff account with ``role`` in the Karaganda centre's unit unless told otherwise."""
        username = username or f"{role}-{next(_serial)}"
        agency_of_role: dict[str, Agency] = {
            Role.SCHOOL_LIAISON: self.school,
            Role.HEALTH_WORKER: self.clinic,
            Role.INTERVIEWER: self.police,
            Role.LAWYER: self.ngo,
            Role.DPO: self.ministry,
            Role.ME_ANALYST: self.ministry,
            Role.ADMIN: self.ministry,
        }
        default_agency = agency_of_role.get(role, self.centre)
        agency = agency or default_agency
        if unit == "default":
            unit = (
                self.unit
                if agency == self.centre
                else (self.unit_almaty if agency == self.centre_almaty else None)
            )
        user = account_services.user_create(
            username=username,
            password=PASSWORD,
            roles=roles or [role],
            agency=agency,
            unit=unit if isinstance(unit, Unit) else None,
            check_password=False,
        )
        self.users[username] = user
        return user


def build_world() -> World:
    kz = Region.objects.create(
        code="kz", kind=Region.Kind.COUNTRY, names={"ru": "Казахстан", "en": "Kazakhstan"}
    )
    karaganda = Region.objects.create(
        code="kz-karaganda",
        kind=Region.Kind.OBLAST,
        parent=kz,
        names={"ru": "Карагандинская область", "en": "Karaganda Region"},
    )
    almaty = Region.objects.create(
        code="kz-almaty", kind=Region.Kind.CITY, parent=kz, names={"ru": "Алматы", "en": "Almaty"}
    )
    astana = Region.objects.create(
        code="kz-astana", kind=Region.Kind.CITY, parent=kz, names={"ru": "Астана", "en": "Astana"}
    )

    def agency(name: str, kind: str, region: Region) -> Agency:
        return Agency.objects.create(name=name, kind=kind, region=region)

    centre = agency("Centre Karaganda", Agency.Kind.REHAB_CENTRE, karaganda)
    centre_almaty = agency("Centre Almaty", Agency.Kind.REHAB_CENTRE, almaty)
    return World(
        kz=kz,
        karaganda=karaganda,
        almaty=almaty,
        centre=centre,
        centre_almaty=centre_almaty,
        school=agency("School 17", Agency.Kind.SCHOOL, karaganda),
        clinic=agency("Clinic 3", Agency.Kind.CLINIC, karaganda),
        police=agency("Police Karaganda", Agency.Kind.LAW_ENFORCEMENT, karaganda),
        ngo=agency("Legal aid NGO", Agency.Kind.NGO, karaganda),
        ministry=agency("Ministry", Agency.Kind.MINISTRY, astana),
        unit=Unit.objects.create(agency=centre, name="Team K", region=karaganda),
        unit_almaty=Unit.objects.create(agency=centre_almaty, name="Team A", region=almaty),
    )


def logged_in_client(user: User) -> Client:
    """A browser session for ``user`` that has passed two-factor authentication."""
    from allauth.mfa.models import Authenticator

    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "JBSWY3DPEHPK3PXP"}}
    )
    client = Client()
    client.force_login(user)
    return client


def api_client(user: User) -> Any:
    """A test client whose requests carry a fresh bearer token for ``user``."""
    key, _token = account_services.api_token_issue(user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")
