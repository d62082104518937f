from __future__ import annotations

from datetime import date

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.cases import attachments, services
from tirek.cases.models import Attachment, Case, ContactNote
from tirek.core import crypto
from tirek.testing import World, logged_in_client

from .factories import PDF, PNG, open_case

NARRATIVE = "Мама рассказала о трудностях со сном у ребёнка."


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return str(cursor.fetchone()[0])


def _team(world: World) -> tuple[object, object, Case]:
    manager = world.staff(Role.CASE_MANAGER)
    psychologist = world.staff(Role.PSYCHOLOGIST)
    case = open_case(manager, team=[(psychologist, Role.PSYCHOLOGIST)])
    return manager, psychologist, case


def test_it_stores_the_narrative_and_return_history_encrypted(world: World) -> None:
    manager, psychologist, case = _team(world)
    note = services.note_create(
        by=psychologist,
        case=case,
        kind="session",
        section="psychological",
        occurred_on=date(2026, 1, 5),
        narrative=NARRATIVE,
    )
    raw = _raw("cases_contactnote", "narrative", note.pk)
    assert raw.startswith("enc2:")  # under the child's own data key (crypto-shredding)
    assert "сном" not in raw and NARRATIVE not in raw
    services.case_update(
        by=manager, case=case, version=case.version, changes={"return_history": NARRATIVE}
    )
    assert NARRATIVE not in _raw("cases_case", "return_history", case.pk)
    assert ContactNote.objects.get(pk=note.pk).narrative == NARRATIVE
    # ...and it never reaches the audit log either.
    assert not any(NARRATIVE in str(e.detail) for e in AuditEntry.objects.all())


def test_it_rotates_the_key_for_notes_and_attachment_files(world: World) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    crypto._fernet.cache_clear()
    try:
        with override_settings(ENCRYPTION_KEYS=[old]):
            crypto._fernet.cache_clear()
            _, psychologist, case = _team(world)
            note = services.note_create(
                by=psychologist,
                case=case,
                kind="session",
                section="psychological",
                occurred_on=date(2026, 1, 5),
                narrative=NARRATIVE,
                files=[("scan.png", PNG)],
            )
            stored = note.attachments.get().stored_name
            before = (attachments.directory() / stored).read_bytes()
        with override_settings(ENCRYPTION_KEYS=[new, old]):
            crypto._fernet.cache_clear()
            call_command("keys", "rotate")
        with override_settings(ENCRYPTION_KEYS=[new]):
            crypto._fernet.cache_clear()
            crypto.forget_keys()
            assert ContactNote.objects.get(pk=note.pk).narrative == NARRATIVE
            assert attachments.read(stored) == PNG
            # The file is under the child's data key: rotation rewrapped that key and left
            # the file as it was.
            assert (attachments.directory() / stored).read_bytes() == before
            response = logged_in_client(psychologist).get(
                f"/cases/attachments/{note.attachments.get().pk}/"
            )
            assert response.status_code == 200
            assert response.content == PNG
    finally:
        crypto._fernet.cache_clear()


@pytest.mark.parametrize(
    ("name", "data", "ok"),
    [
        ("report.pdf", PDF, True),
        ("photo.png", PNG, True),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 32, True),
        ("evil.pdf", b"MZ\x90\x00 not a pdf", False),  # a name proves nothing
        ("page.html", b"<html><script>alert(1)</script>", False),
        ("empty.pdf", b"", False),
    ],
)
def test_it_accepts_only_pdf_png_and_jpeg_by_their_content(
    world: World, name: str, data: bytes, ok: bool
) -> None:
    _, psychologist, case = _team(world)
    kwargs = {
        "by": psychologist,
        "case": case,
        "kind": "session",
        "section": "psychological",
        "occurred_on": date(2026, 1, 5),
        "narrative": NARRATIVE,
        "files": [(name, data)],
    }
    if ok:
        note = services.note_create(**kwargs)
        assert note.attachments.count() == 1
        stored = note.attachments.get()
        assert data not in (attachments.directory() / stored.stored_name).read_bytes()
    else:
        with pytest.raises(ValidationError):
            services.note_create(**kwargs)
        assert not ContactNote.objects.exists()
        assert not Attachment.objects.exists()


def test_it_refuses_a_file_over_the_size_limit(world: World, settings: object) -> None:
    settings.ATTACHMENT_MAX_BYTES = 100  # type: ignore[attr-defined]
    _, psychologist, case = _team(world)
    client = logged_in_client(psychologist)
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * 200, content_type="application/pdf")
    response = client.post(
        f"/cases/{case.pk}/notes/new/",
        {
            "kind": "session",
            "section": "psychological",
            "occurred_on": "2026-01-05",
            "narrative": NARRATIVE,
            "files": [big],
        },
    )
    assert response.status_code == 422
    assert "Файл слишком большой" in response.content.decode()
    assert not ContactNote.objects.exists()


def test_it_saves_a_note_with_attachments_from_the_form_and_audits_the_download(
    world: World,
) -> None:
    manager, psychologist, case = _team(world)
    client = logged_in_client(psychologist)
    response = client.post(
        f"/cases/{case.pk}/notes/new/",
        {
            "kind": "session",
            "section": "psychological",
            "occurred_on": "2026-01-05",
            "narrative": NARRATIVE,
            "files": [
                SimpleUploadedFile("../../etc/passwd.pdf", PDF),
                SimpleUploadedFile("drawing.png", PNG),
            ],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    note = ContactNote.objects.get()
    names = sorted(a.original_name for a in note.attachments.all())
    assert names == ["drawing.png", "passwd.pdf"]
    assert response["Location"] == f"/cases/{case.pk}/sections/notes/#note-{note.pk}"
    page = client.get(response["Location"]).content.decode()
    assert NARRATIVE in page and f'id="note-{note.pk}"' in page
    attachment = note.attachments.get(original_name="passwd.pdf")
    download = client.get(f"/cases/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert download.content == PDF
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert AuditEntry.objects.filter(
        action=Action.READ, object_type="cases.attachment", object_id=str(attachment.pk)
    ).exists()
    # The case manager does not read psychological notes, nor their files.
    manager_client = logged_in_client(manager)
    assert NARRATIVE not in manager_client.get(f"/cases/{case.pk}/sections/notes/").content.decode()
    assert manager_client.get(f"/cases/attachments/{attachment.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("narrative", "текст\x00с нулём"),
        ("narrative", "x" * 20001),
        ("narrative", ""),
        ("occurred_on", "2026-02-30"),
        ("occurred_on", "2999-01-01"),
        ("occurred_on", "вчера"),
        ("section", "security"),  # the psychologist may not write law-enforcement notes
        ("kind", "gossip"),
    ],
)
def test_it_answers_bad_note_input_with_a_clear_error_and_saves_nothing(
    world: World, field: str, value: str
) -> None:
    _, psychologist, case = _team(world)
    data = {
        "kind": "session",
        "section": "psychological",
        "occurred_on": "2026-01-05",
        "narrative": NARRATIVE,
    }
    data[field] = value
    response = logged_in_client(psychologist).post(f"/cases/{case.pk}/notes/new/", data)
    assert response.status_code == 422
    assert 'class="errorlist' in response.content.decode()
    assert not ContactNote.objects.exists()


def test_it_refuses_a_stale_correction_of_a_note(world: World) -> None:
    _, psychologist, case = _team(world)
    note = services.note_create(
        by=psychologist,
        case=case,
        kind="session",
        section="psychological",
        occurred_on=date(2026, 1, 5),
        narrative=NARRATIVE,
    )
    client = logged_in_client(psychologist)
    url = f"/cases/{case.pk}/notes/{note.pk}/edit/"
    first = client.post(
        url, {"version": 1, "occurred_on": "2026-01-05", "narrative": "Первая правка."}
    )
    assert first.status_code == 302
    stale = client.post(
        url, {"version": 1, "occurred_on": "2026-01-05", "narrative": "Вторая правка."}
    )
    assert stale.status_code == 409
    assert "Обновите страницу" in stale.content.decode()
    note.refresh_from_db()
    assert note.narrative == "Первая правка."
    assert note.version == 2
