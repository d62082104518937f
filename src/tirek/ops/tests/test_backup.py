"""Backup and restore, proven: the restored database is identical table by table (on the
engine the tests run on: SQLite, or PostgreSQL with DATABASE_URL), the attachment files are
the same bytes, the audit log verifies, and a changed, cut or foreign archive is refused.
The people's data keys are never in the data archive, only in a short-lived key archive:
a person destroyed after a data backup stays unreadable when that backup is restored with
a newer key archive (docs/retention.md, "Backups")."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from tirek.audit.models import AuditEntry
from tirek.cases import attachments
from tirek.cases.models import Case, ContactNote
from tirek.ops import backup
from tirek.reports.tests.factories import fixture_b
from tirek.retention import erasure
from tirek.retention.models import PersonKey
from tirek.retention.tests.factories import closed_case

SRC = Path(__file__).resolve().parents[3]
KEY = backup.new_key()


def tirek(*args: str, database_url: str, var: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "DATABASE_URL": database_url,
        "TIREK_VAR_DIR": str(var),
        "TIREK_BACKUP_KEY": KEY,
        "TIREK_DEBUG": "1",  # the same development secret (and so audit key) as the tests
        "TIREK_LOG_FORMAT": "text",
    }
    env.pop("TIREK_TEST_DB_NAME", None)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "tirek.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def filled(world, settings, tmp_path):
    """Cases, audit entries and two encrypted attachment files, committed."""
    settings.MEDIA_ROOT = tmp_path / "media"
    fixture_b(world)
    person_id = Case.objects.values_list("person_id", flat=True).first()
    stored = [
        attachments.write(b"%PDF-1.4 a scanned certificate"),
        attachments.write(b"x" * 5000, person_id=person_id),  # under the person's data key
    ]
    assert AuditEntry.objects.exists() and PersonKey.objects.exists()
    return stored


SECRET = "The child told us where the uncle keeps the passport"


def note_for(world, case: Case) -> ContactNote:
    return ContactNote.objects.create(
        case=case,
        kind="home_visit",
        section="core",
        occurred_on=date(2019, 3, 1),
        narrative=SECRET,
        author=world.users["cm"],
    )


def both_archives(tmp_path: Path) -> tuple[Path, Path]:
    data, keys = tmp_path / "tirek.backup", tmp_path / "tirek.keys"
    key = backup.backup_key_from(KEY)
    backup.backup(data, db=source(), media=Path(settings.MEDIA_ROOT), key=key)
    backup.backup_keys(keys, db=source(), key=key)
    return data, keys


def source() -> backup.Database:
    return backup.Database.from_settings(connection.settings_dict)


@pytest.fixture
def empty_target(tmp_path):
    """An empty database of the same engine, as an operator would create for a restore."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"
        yield backup.Database(vendor="sqlite", name=str(path)), f"sqlite:///{path}"
        return
    import psycopg

    here = source()
    name = f"{here.name}_restored"[:63]
    admin = psycopg.connect(
        dbname="postgres", user=here.user, host=here.host, port=here.port, autocommit=True
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    target = backup.Database(
        vendor="postgresql", name=name, user=here.user, host=here.host, port=here.port
    )
    url = f"postgres://{here.user}@{here.host}:{here.port or 5432}/{name}"
    try:
        yield target, url
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_gives_an_identical_database(
    filled, empty_target, tmp_path, settings
) -> None:
    archive, keys = tmp_path / "tirek.backup", tmp_path / "tirek.keys"
    manifest = backup.backup(
        archive, db=source(), media=Path(settings.MEDIA_ROOT), key=backup.backup_key_from(KEY)
    )
    assert manifest["schema"]["ops"] == "0002_digest_sent_once_per_day"
    assert b"certificate" not in archive.read_bytes()  # encrypted, not merely packed
    settings.BACKUP_KEY = KEY
    out = StringIO()
    call_command("backup", "--keys", str(keys), stdout=out)
    assert "Key archive written" in out.getvalue()

    target, url = empty_target
    var = tmp_path / "restored-var"
    refused = tirek("restore", str(archive), database_url=url, var=var)
    assert refused.returncode != 0 and "--keys KEYFILE" in refused.stderr  # keys not forgotten
    assert target.is_empty()
    restored = tirek("restore", str(archive), "--keys", str(keys), database_url=url, var=var)
    assert restored.returncode == 0, restored.stderr
    assert "every table's checksum matches" in restored.stdout

    before, after = source().checksums(), target.checksums()
    assert after == before
    assert before["audit_auditentry"]["rows"] > 0 and before["cases_case"]["rows"] > 0
    assert before["retention_personkey"]["rows"] > 0
    for name in filled:
        original = Path(settings.MEDIA_ROOT) / "attachments" / name
        assert (var / "media" / "attachments" / name).read_bytes() == original.read_bytes()

    verified = tirek("audit", "verify", database_url=url, var=var)
    assert verified.returncode == 0, verified.stderr

    again = tirek("restore", str(archive), "--keys", str(keys), database_url=url, var=var)
    assert again.returncode != 0 and "not empty" in again.stderr  # never over live data


@pytest.fixture
def archive(filled, tmp_path):
    path = tmp_path / "tirek.backup"
    backup.backup(
        path, db=source(), media=Path(settings.MEDIA_ROOT), key=backup.backup_key_from(KEY)
    )
    return path


def restore_into(path: Path, tmp_path: Path, key: str = KEY) -> None:
    target = backup.Database(vendor=source().vendor, name=str(tmp_path / "never.sqlite3"))
    backup.read_manifest(path, key=backup.backup_key_from(key))
    backup.restore(
        path,
        db=target,
        media=tmp_path / "never-media",
        key=backup.backup_key_from(key),
        without_keys=True,
    )


def key_rows_in(archive: Path, tmp_path: Path) -> tuple[dict, str]:
    """The data archive opened by hand: its manifest, and its database's key-table data
    (SQLite: the rows; PostgreSQL: pg_restore's data section of the dump, as SQL text)."""
    import json
    import sqlite3
    import tarfile

    plain, content = tmp_path / "opened.tar", tmp_path / "opened"
    backup.decrypt_file(archive, plain, backup.backup_key_from(KEY))
    with tarfile.open(plain) as tar:
        tar.extractall(content, filter="data")
    manifest = json.loads((content / "manifest.json").read_text())
    if source().vendor == "sqlite":
        dump = content / "database" / "database.sqlite3"
        db = sqlite3.connect(dump)
        rows = db.execute("SELECT * FROM retention_personkey").fetchall()
        db.close()
        return manifest, repr(rows) + dump.read_bytes().decode("latin-1")
    dump = content / "database" / "database.pgdump"
    text = subprocess.run(  # noqa: S603
        ["pg_restore", "--data-only", "-f", "-", str(dump)],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "COPY public.cases_case" in text  # the other tables' data is there
    return manifest, text


@pytest.mark.django_db(transaction=True)
def test_a_data_archive_holds_no_person_keys(filled, tmp_path) -> None:
    wrapped = list(PersonKey.objects.values_list("wrapped", flat=True))
    assert wrapped and all(wrapped)
    archive, keys = both_archives(tmp_path)
    manifest, data = key_rows_in(archive, tmp_path)
    assert manifest["left_out"] == ["retention_personkey"]
    assert "retention_personkey" not in manifest["tables"]
    assert "cases_case" in manifest["tables"]
    if source().vendor == "sqlite":
        assert data.startswith("[]")  # the table is there, empty
    else:
        assert "COPY public.retention_personkey" not in data
    for value in wrapped:
        assert value not in data  # not even in a freed page
    key_manifest, payload = backup.read_keys(keys, key=backup.backup_key_from(KEY))
    assert key_manifest["rows"] == len(wrapped) and len(payload["rows"]) == len(wrapped)


@pytest.mark.django_db(transaction=True)
def test_a_person_destroyed_after_the_data_backup_stays_unreadable_in_it(
    world, settings, empty_target, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    destroyed = closed_case(world, closed_on=date(2020, 1, 1))
    kept = closed_case(world, closed_on=date(2020, 1, 1), given="Aigerim", family="Serikova")
    gone_note, kept_note = note_for(world, destroyed), note_for(world, kept)
    data = tmp_path / "old.backup"
    backup.backup(
        data, db=source(), media=Path(settings.MEDIA_ROOT), key=backup.backup_key_from(KEY)
    )
    erasure.anonymise_people([destroyed.person_id])  # after the data backup
    note_for(world, closed_case(world, closed_on=None, given="Later"))  # a key the data lacks
    keys = tmp_path / "newer.keys"
    backup.backup_keys(keys, db=source(), key=backup.backup_key_from(KEY))

    target, url = empty_target
    var = tmp_path / "restored-var"
    restored = tirek("restore", str(data), "--keys", str(keys), database_url=url, var=var)
    assert restored.returncode == 0, restored.stderr
    assert "(1 of people not in this archive left out)" in restored.stdout
    read = tirek(
        "shell",
        "-c",
        "from tirek.cases.models import ContactNote as N; "
        f"print(repr(N.objects.get(pk={gone_note.pk}).narrative)); "
        f"print(repr(N.objects.get(pk={kept_note.pk}).narrative))",
        database_url=url,
        var=var,
    )
    assert read.returncode == 0, read.stderr
    assert read.stdout.splitlines()[-2:] == ["''", repr(SECRET)]
    # The old archive does hold the destroyed person's note, still encrypted.
    conn = target.connect()
    raw = conn.cursor()
    raw.execute(f"SELECT narrative FROM cases_contactnote WHERE id = {gone_note.pk}")  # noqa: S608
    assert raw.fetchone()[0].startswith("enc2:")
    conn.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: data[:100] + bytes([data[100] ^ 1]) + data[101:], "was changed"),
        (lambda data: data[: len(data) // 2], "incomplete"),
        (lambda data: b"TIREKBK1" + data[8:], "is a data archive, not a key archive"),
    ],
)
def test_a_changed_or_wrong_key_archive_is_refused(
    filled, empty_target, tmp_path, damage, message
) -> None:
    archive, keys = both_archives(tmp_path)
    keys.write_bytes(damage(keys.read_bytes()))
    target, url = empty_target
    refused = tirek("restore", str(archive), "--keys", str(keys), database_url=url, var=tmp_path)
    assert refused.returncode != 0 and message in refused.stderr
    assert target.is_empty()  # refused before anything was loaded


@pytest.mark.django_db(transaction=True)
def test_archives_given_the_wrong_way_round_or_keys_of_another_backup_key_are_refused(
    filled, tmp_path
) -> None:
    archive, keys = both_archives(tmp_path)
    target = backup.Database(vendor=source().vendor, name=str(tmp_path / "never.sqlite3"))
    media, key = tmp_path / "never-media", backup.backup_key_from(KEY)
    with pytest.raises(backup.BackupError, match="is a key archive .*, not a data archive"):
        backup.restore(keys, db=target, media=media, key=key, keys=keys)
    with pytest.raises(backup.BackupError, match="is a data archive, not a key archive"):
        backup.restore(archive, db=target, media=media, key=key, keys=archive)
    with pytest.raises(backup.BackupError, match="another backup key"):
        backup.read_keys(keys, key=backup.backup_key_from(backup.new_key()))
    assert not (tmp_path / "never.sqlite3").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: data[:100] + bytes([data[100] ^ 1]) + data[101:], "was changed"),
        (lambda data: data[: len(data) // 2], "incomplete"),
        (lambda data: data[:-1], "incomplete"),
        (lambda data: data + b"more", "after its end"),
        (lambda data: b"PK\x03\x04" + data[4:], "not a Tirek backup"),
    ],
)
def test_a_changed_or_cut_archive_is_refused(archive, tmp_path, damage, message) -> None:
    archive.write_bytes(damage(archive.read_bytes()))
    with pytest.raises(backup.BackupError, match=message):
        restore_into(archive, tmp_path)
    assert not (tmp_path / "never.sqlite3").exists() and not (tmp_path / "never-media").exists()


@pytest.mark.django_db(transaction=True)
def test_an_archive_is_refused_with_another_backup_key(archive, tmp_path) -> None:
    with pytest.raises(backup.BackupError, match="another backup key"):
        restore_into(archive, tmp_path, key=backup.new_key())


def test_the_backup_key_must_be_set_and_apart_from_the_other_keys(settings) -> None:
    settings.BACKUP_KEY = ""
    with pytest.raises(backup.BackupError, match="No backup key"):
        backup.backup_key()
    settings.ENCRYPTION_KEYS = [KEY]
    settings.BACKUP_KEY = KEY
    with pytest.raises(backup.BackupError, match="must not be one of"):
        backup.backup_key()
    settings.BACKUP_KEY = "not-a-key"
    with pytest.raises(backup.BackupError, match="not a key"):
        backup.backup_key()


def test_the_commands_say_what_is_wrong(tmp_path, settings) -> None:
    from django.core.management import CommandError, call_command

    settings.BACKUP_KEY = ""
    with pytest.raises(CommandError, match="No backup key"):
        call_command("backup", str(tmp_path / "x"))
    settings.BACKUP_KEY = KEY
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "missing"))


def chunks_of(data: bytes) -> tuple[bytes, list[bytes]]:
    header, rest, chunks = data[:24], data[24:], []
    while rest:
        length = int.from_bytes(rest[:4], "big")
        chunks.append(rest[: 4 + length])
        rest = rest[4 + length :]
    return header, chunks


def test_a_dropped_or_reordered_chunk_is_refused(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(backup, "CHUNK", 1024)
    key = backup.backup_key_from(KEY)
    plain, sealed, out = tmp_path / "plain", tmp_path / "sealed", tmp_path / "out"
    plain.write_bytes(os.urandom(3000))
    backup.encrypt_file(plain, sealed, key)
    backup.decrypt_file(sealed, out, key)
    assert out.read_bytes() == plain.read_bytes()
    header, chunks = chunks_of(sealed.read_bytes())
    assert len(chunks) == 3
    sealed.write_bytes(header + b"".join(chunks[:2]))  # cut at a chunk's edge
    with pytest.raises(backup.BackupError, match="incomplete"):
        backup.decrypt_file(sealed, out, key)
    sealed.write_bytes(header + chunks[1] + chunks[0] + chunks[2])
    with pytest.raises(backup.BackupError, match="was changed"):
        backup.decrypt_file(sealed, out, key)
