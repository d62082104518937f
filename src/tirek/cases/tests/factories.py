"""Small builders for case tests: people, open cases with a team, notes in every section."""

from __future__ import annotations

from datetime import date
from itertools import count
from typing import Any

from tirek.access.policy import Section
from tirek.accounts.models import User
from tirek.cases import attachments, services
from tirek.cases.models import Attachment, Case, ContactNote, NoteKind
from tirek.people.models import Person

_serial = count(1)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n% invented test document\n"


def person(**fields: Any) -> Person:
    n = next(_serial)
    defaults: dict[str, Any] = {
        "given_name": f"Амина{n}",
        "family_name": f"Касымова{n}",
        "birth_date": date(2015, 3, 1),
    }
    defaults.update(fields)
    return Person.objects.create(**defaults)


def open_case(by: User, team: list[tuple[User, str]] | None = None, **kwargs: Any) -> Case:
    subject = kwargs.pop("person", None) or person()
    case = services.case_open(by=by, person=subject, **kwargs)
    for user, role in team or []:
        services.team_member_add(by=by, case=case, user=user, role=role)
    return case


def secret(section: str) -> str:
    """The marker text of the note filed under ``section`` (to look for in pages)."""
    return f"marker-{section}-7f3a"


def notes_in_every_section(case: Case, author: User) -> dict[str, ContactNote]:
    """One note per section, each with a PNG attachment, written straight to the
    database (the policy on writing is tested elsewhere)."""
    notes = {}
    for section in sorted(Section.ALL):
        note = ContactNote.objects.create(
            case=case,
            kind=NoteKind.OTHER,
            section=section,
            occurred_on=date(2026, 1, 10),
            narrative=secret(section),
            author=author,
        )
        Attachment.objects.create(
            note=note,
            original_name=f"{section}.png",
            content_type="image/png",
            size=len(PNG),
            stored_name=attachments.write(PNG),
            uploaded_by=author,
        )
        notes[section] = note
    return notes
