"""Crypto-shredding (DESIGN.md 4, docs/retention.md): a person's narratives and files are
encrypted under their own data key; anonymisation destroys it, so copies taken before —
a backup, a dump of the table, a file copied off the disk — can no longer be read, even
with every installation key. Rotation rewraps the data keys and keeps everything readable."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.core.management import call_command
from django.db.models import F, TextField, Value
from django.db.models.functions import Cast

from tirek.cases import attachments
from tirek.cases.models import Attachment, Case, ContactNote
from tirek.core import crypto
from tirek.people.models import PersonPhoto
from tirek.people.services import photos_to_person_keys
from tirek.retention import erasure
from tirek.retention.models import PersonKey
from tirek.testing import World

from .factories import closed_case

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"pixels" * 50
SECRET = "The child told us where the uncle keeps the passport"


def _raw(model: Any, pk: int, field: str) -> str:
    return str(
        model._base_manager.annotate(raw=Cast(F(field), TextField()))
        .values_list("raw", flat=True)
        .get(pk=pk)
    )


def _note_with_file(world: World, case: Case) -> tuple[ContactNote, Attachment]:
    note = ContactNote.objects.create(
        case=case,
        kind="home_visit",
        section="core",
        occurred_on=date(2019, 3, 1),
        narrative=SECRET,
        author=world.users["cm"],
    )
    stored = attachments.write(PNG, person_id=case.person_id)
    attachment = Attachment.objects.create(
        note=note,
        original_name="passport.png",
        content_type="image/png",
        size=len(PNG),
        stored_name=stored,
        uploaded_by=world.users["cm"],
    )
    return note, attachment


def _installation() -> MultiFernet:
    return crypto.fernet()


def test_copies_taken_before_anonymisation_cannot_be_decrypted_after(world: World) -> None:
    case = closed_case(world, closed_on=date(2020, 1, 1))
    other = closed_case(world, closed_on=date(2020, 1, 1), given="Aigerim", family="Serikova")
    note, attachment = _note_with_file(world, case)
    other_note, _other_file = _note_with_file(world, other)
    ContactNote.objects.filter(pk=note.pk).update(narrative=SECRET)  # via update(): enc1
    # Saved through the model, the narrative is under the person's key, not the installation's.
    note.save()
    stored = _raw(ContactNote, note.pk, "narrative")
    file_copy = (attachments.directory() / attachment.stored_name).read_bytes()
    assert stored.startswith(crypto.PERSON_PREFIX) and SECRET not in stored
    assert file_copy.startswith(crypto.FILE_PREFIX)
    assert ContactNote.objects.get(pk=note.pk).narrative == SECRET
    assert attachments.read(attachment.stored_name) == PNG
    with pytest.raises(InvalidToken):  # the installation keys alone never opened it
        _installation().decrypt(stored.split(":", 2)[2].encode())

    erasure.anonymise_people([case.person_id])

    # The old copies: the data key is gone, the installation keys do not open them.
    crypto.forget_keys()
    with pytest.raises(crypto.KeyDestroyed):
        crypto.decrypt_text(stored)
    with pytest.raises(crypto.KeyDestroyed):
        crypto.decrypt_bytes(file_copy)
    with pytest.raises(InvalidToken):
        _installation().decrypt(stored.split(":", 2)[2].encode())
    key = PersonKey.objects.get(person_id=case.person_id)
    assert key.wrapped == "" and key.destroyed_at is not None
    # Someone else's notes are untouched and readable.
    assert ContactNote.objects.get(pk=other_note.pk).narrative == SECRET


def test_a_shredded_value_left_in_a_row_reads_as_empty(world: World) -> None:
    case = closed_case(world, closed_on=date(2020, 1, 1))
    note, _attachment = _note_with_file(world, case)
    stored = _raw(ContactNote, note.pk, "narrative")
    crypto.destroy_person_keys([case.person_id])
    # As if an old backup were restored over the table without its keys.
    ContactNote.objects.filter(pk=note.pk).update(narrative=Value(stored, output_field=TextField()))
    assert ContactNote.objects.get(pk=note.pk).narrative == ""
    # A new note for the same person gets a new key (the old one stays destroyed).
    again = ContactNote.objects.create(
        case=case, kind="home_visit", section="core", occurred_on=date(2020, 1, 1),
        narrative="later", author=world.users["cm"],
    )  # fmt: skip
    assert ContactNote.objects.get(pk=again.pk).narrative == "later"
    assert PersonKey.objects.filter(person_id=case.person_id).count() == 2


def test_rotation_rewraps_the_person_keys_and_leaves_the_data(world: World, settings: Any) -> None:
    old_key = crypto.new_key()
    settings.ENCRYPTION_KEYS = [old_key]
    case = closed_case(world, closed_on=date(2020, 1, 1))
    note, attachment = _note_with_file(world, case)
    stored = _raw(ContactNote, note.pk, "narrative")
    file_before = (attachments.directory() / attachment.stored_name).read_bytes()
    wrapped_before = PersonKey.objects.get(person_id=case.person_id).wrapped

    new_key = crypto.new_key()
    settings.ENCRYPTION_KEYS = [new_key, old_key]
    call_command("keys", "rotate")
    settings.ENCRYPTION_KEYS = [new_key]  # the old key is dropped
    crypto.forget_keys()

    wrapped_after = PersonKey.objects.get(person_id=case.person_id).wrapped
    assert wrapped_after != wrapped_before
    Fernet(new_key.encode()).decrypt(wrapped_after.encode())  # wrapped with the new key
    # The data itself was not re-encrypted, and still reads.
    assert _raw(ContactNote, note.pk, "narrative") == stored
    assert (attachments.directory() / attachment.stored_name).read_bytes() == file_before
    assert ContactNote.objects.get(pk=note.pk).narrative == SECRET
    assert attachments.read(attachment.stored_name) == PNG


def test_existing_values_and_files_move_under_person_keys(world: World) -> None:
    case = closed_case(world, closed_on=date(2020, 1, 1))
    note, attachment = _note_with_file(world, case)
    # What an installation from before per-person keys holds.
    ContactNote.objects.filter(pk=note.pk).update(narrative=SECRET)
    Case.objects.filter(pk=case.pk).update(return_history="Came back from Russia")
    path = attachments.directory() / attachment.stored_name
    path.write_bytes(crypto.encrypt_bytes(PNG))
    PersonPhoto.objects.create(
        person=case.person, data=crypto.encrypt_bytes(PNG), content_type="image/png",
        size=len(PNG), uploaded_by=world.users["cm"],
    )  # fmt: skip
    assert _raw(ContactNote, note.pk, "narrative").startswith(crypto.PREFIX)

    call_command("keys", "person")
    call_command("keys", "person")  # again: nothing left to move, nothing broken

    assert _raw(ContactNote, note.pk, "narrative").startswith(crypto.PERSON_PREFIX)
    assert _raw(Case, case.pk, "return_history").startswith(crypto.PERSON_PREFIX)
    assert path.read_bytes().startswith(crypto.FILE_PREFIX)
    assert bytes(PersonPhoto.objects.get(person=case.person).data).startswith(crypto.FILE_PREFIX)
    assert photos_to_person_keys() == 0
    assert ContactNote.objects.get(pk=note.pk).narrative == SECRET
    assert Case.objects.get(pk=case.pk).return_history == "Came back from Russia"
    assert attachments.read(attachment.stored_name) == PNG
    # ... and are shredded with the person.
    file_copy = path.read_bytes()
    erasure.anonymise_people([case.person_id])
    crypto.forget_keys()
    with pytest.raises(crypto.KeyDestroyed):
        crypto.decrypt_bytes(file_copy)
