"""``tirek backup FILE`` and ``tirek restore FILE``: one encrypted, verifiable archive.

The archive is a tar of
- the database: a consistent copy made by SQLite's online backup API, or ``pg_dump -Fc``
  taken in an exported snapshot on PostgreSQL;
- the files under MEDIA_ROOT (attachments are stored encrypted already; exports);
- ``manifest.json``: format, engine, schema version (the latest migration of each app),
  a SHA-256 and size per file, and per table its row count and a SHA-256 of its rows
  (read in the same snapshot as the dump), so a restore proves itself.

The people's data keys (``retention.PersonKey``, docs/retention.md) are never in that
archive: the table's schema is, its rows are not (manifest ``left_out``). ``tirek backup
--keys FILE`` writes them alone to a key archive, kept for a few days only, so a person
destroyed since stays unreadable in every older data archive; ``tirek restore FILE --keys
KEYFILE`` loads the newest key archive with any data archive.

The tar is encrypted in 1 MiB chunks with AES-256-GCM. The key is the backup key
(``TIREK_BACKUP_KEY`` / ``TIREK_BACKUP_KEY_FILE``), never one of the installation's keys
(secret, audit and encryption keys are not in the archive); each archive derives its own
key from it with HKDF and a random salt. Each chunk's nonce holds its number and whether it
is the last, so a changed, reordered, dropped or cut-off chunk is refused.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models
from django.utils import timezone

MAGIC = b"TIREKBK1"
KEYS_MAGIC = b"TIREKKY1"
SALT_BYTES = 16
CHUNK = 1 << 20
FORMAT = 2  # 2: the person key table's rows are left out (``left_out``)
READABLE_FORMATS = (1, 2)
KEYS_FORMAT = 1
MANIFEST = "manifest.json"
KEY_ROWS = "keys.json"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


# --- the key --------------------------------------------------------------------------


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def backup_key() -> bytes:
    """The installation's backup key (settings), checked."""
    return backup_key_from(str(getattr(settings, "BACKUP_KEY", "") or ""))


def backup_key_from(raw: str) -> bytes:
    raw = raw.strip()
    if not raw:
        raise BackupError(
            "No backup key: set TIREK_BACKUP_KEY_FILE (or TIREK_BACKUP_KEY) to a key made by "
            "`tirek backup --new-key`, kept apart from the installation's other keys."
        )
    if raw in settings.ENCRYPTION_KEYS or raw in (settings.SECRET_KEY, settings.AUDIT_KEY):
        raise BackupError("The backup key must not be one of the installation's other keys.")
    try:
        key = base64.urlsafe_b64decode(raw.encode())
    except (binascii.Error, ValueError) as exc:
        raise BackupError("The backup key is not a key made by `tirek backup --new-key`.") from exc
    if len(key) != 32:
        raise BackupError("The backup key is not a key made by `tirek backup --new-key`.")
    return key


def _archive_cipher(key: bytes, salt: bytes) -> AESGCM:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"tirek-backup-v1")
    return AESGCM(hkdf.derive(key))


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def encrypt_file(source: Path, target: Path, key: bytes, *, magic: bytes = MAGIC) -> None:
    salt = os.urandom(SALT_BYTES)
    cipher = _archive_cipher(key, salt)
    header = magic + salt
    size = source.stat().st_size
    with source.open("rb") as plain, target.open("wb") as out:
        out.write(header)
        index = 0
        while True:
            chunk = plain.read(CHUNK)
            last = plain.tell() >= size
            sealed = cipher.encrypt(_nonce(index, last), chunk, header)
            out.write(len(sealed).to_bytes(4, "big") + sealed)
            index += 1
            if last:
                return


def decrypt_file(source: Path, target: Path, key: bytes, *, magic: bytes = MAGIC) -> None:
    """Refuses (BackupError) an archive that was changed, cut short or made with another key."""
    with source.open("rb") as sealed_file, target.open("wb") as out:
        header = sealed_file.read(len(magic) + SALT_BYTES)
        if len(header) < len(magic) + SALT_BYTES or not header.startswith(magic):
            if header.startswith(KEYS_MAGIC):
                raise BackupError(
                    f"{source.name} is a key archive (`tirek backup --keys`), not a data "
                    "archive: give it with --keys."
                )
            if header.startswith(MAGIC):
                raise BackupError(
                    f"{source.name} is a data archive, not a key archive (`tirek backup --keys`)."
                )
            raise BackupError(f"{source.name} is not a Tirek backup archive.")
        cipher = _archive_cipher(key, header[len(magic) :])
        index = 0
        while True:
            length_bytes = sealed_file.read(4)
            if len(length_bytes) < 4:
                raise BackupError(f"{source.name} is incomplete: the archive was cut short.")
            length = int.from_bytes(length_bytes, "big")
            sealed = sealed_file.read(length)
            if len(sealed) < length:
                raise BackupError(f"{source.name} is incomplete: the archive was cut short.")
            last = _open_chunk(cipher, index, sealed, header, out)
            index += 1
            if last:
                if sealed_file.read(1):
                    raise BackupError(f"{source.name} has data after its end: refused.")
                return


def _open_chunk(cipher: AESGCM, index: int, sealed: bytes, header: bytes, out: IO[bytes]) -> bool:
    for last in (False, True):
        try:
            out.write(cipher.decrypt(_nonce(index, last), sealed, header))
            return last
        except InvalidTag:
            continue
    raise BackupError("The archive was changed, or it was made with another backup key: refused.")


# --- what the database holds ------------------------------------------------------------


def _normal(value: Any) -> Any:
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def _rows_digest(cursor: Any, table: str, quote: Any, order: str) -> tuple[int, str]:
    digest = hashlib.sha256()
    count = 0
    cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY {order}")  # noqa: S608  names from the catalogue
    while rows := cursor.fetchmany(2000):
        for row in rows:
            digest.update(_row_bytes(row))
            count += 1
    return count, digest.hexdigest()


def _row_bytes(row: Any) -> bytes:
    return repr(tuple(_normal(v) for v in row)).encode()


def _table_digest(cursor: Any, table: str) -> tuple[int, str]:
    cursor.execute(f'SELECT * FROM "{table}" LIMIT 0')  # noqa: S608
    order = ", ".join(str(i) for i in range(1, len(cursor.description) + 1))
    return _rows_digest(cursor, table, lambda t: f'"{t}"', order)


def key_table() -> str:
    """The table of the people's data keys, never in a data archive."""
    from django.apps import apps

    return str(apps.get_model("retention", "PersonKey")._meta.db_table)


def sqlite_checksums(path: str, *, skip: tuple[str, ...] = ()) -> dict[str, dict[str, Any]]:
    """Rows and a digest per table of an SQLite file (read with the plain driver)."""
    db = sqlite3.connect(path, uri=path.startswith("file:"))
    try:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
                "ORDER BY name"
            )
        ]
        result = {}
        for table in tables:
            if table in skip:
                continue
            width = len(db.execute(f'SELECT * FROM "{table}" LIMIT 0').description)  # noqa: S608
            order = ", ".join(str(i) for i in range(1, width + 1))
            count, digest = _rows_digest(db.cursor(), table, lambda t: f'"{t}"', order)
            result[table] = {"rows": count, "sha256": digest}
        return result
    finally:
        db.close()


def postgres_checksums(cursor: Any, *, skip: tuple[str, ...] = ()) -> dict[str, dict[str, Any]]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    tables = [row[0] for row in cursor.fetchall()]
    result = {}
    for table in tables:
        if table in skip:
            continue
        cursor.execute(f'SELECT * FROM "{table}" LIMIT 0')  # noqa: S608
        width = len(cursor.description)
        order = ", ".join(str(i) for i in range(1, width + 1))
        count, digest = _rows_digest(cursor, table, lambda t: f'"{t}"', order)
        result[table] = {"rows": count, "sha256": digest}
    return result


# --- the databases ----------------------------------------------------------------------


@dataclass(frozen=True)
class Database:
    """The database to back up or restore into (``settings.DATABASES[alias]``)."""

    vendor: str  # sqlite | postgresql
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""

    @classmethod
    def from_settings(cls, config: Mapping[str, Any]) -> Database:
        engine = str(config["ENGINE"])
        vendor = "sqlite" if "sqlite" in engine else "postgresql" if "postgres" in engine else ""
        if not vendor:
            raise BackupError(f"Backups support SQLite and PostgreSQL, not {engine}.")
        return cls(
            vendor=vendor,
            name=str(config["NAME"]),
            user=str(config.get("USER") or ""),
            password=str(config.get("PASSWORD") or ""),
            host=str(config.get("HOST") or ""),
            port=str(config.get("PORT") or ""),
        )

    def pg_env(self) -> dict[str, str]:
        env = dict(os.environ)
        for key, value in (
            ("PGHOST", self.host),
            ("PGPORT", self.port),
            ("PGUSER", self.user),
            ("PGPASSWORD", self.password),
            ("PGDATABASE", self.name),
        ):
            if value:
                env[key] = value
        return env

    def pg_connect(self) -> Any:
        import psycopg

        return psycopg.connect(
            dbname=self.name,
            user=self.user or None,
            password=self.password or None,
            host=self.host or None,
            port=self.port or None,
        )

    def checksums(self, *, skip: tuple[str, ...] = ()) -> dict[str, dict[str, Any]]:
        if self.vendor == "sqlite":
            return sqlite_checksums(self.name, skip=skip)
        with self.pg_connect() as conn, conn.cursor() as cursor:
            return postgres_checksums(cursor, skip=skip)

    def connect(self) -> Any:
        """A DB-API connection with the plain driver."""
        if self.vendor == "sqlite":
            return sqlite3.connect(self.name, uri=self.name.startswith("file:"))
        return self.pg_connect()

    def is_empty(self) -> bool:
        if self.vendor == "sqlite":
            if not self.name.startswith("file:") and not Path(self.name).exists():
                return True
            return not sqlite_checksums(self.name)
        with self.pg_connect() as conn, conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")
            return cursor.fetchone()[0] == 0


def schema_version() -> dict[str, str]:
    """The latest migration of each app this code knows."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    latest: dict[str, str] = {}
    for app, name in sorted(loader.disk_migrations):
        if name > latest.get(app, ""):
            latest[app] = name
    return latest


def _dump(db: Database, folder: Path, left_out: str) -> tuple[str, dict[str, dict[str, Any]]]:
    """The database copy in ``folder`` without the rows of ``left_out``, and the checksums
    of what it holds (``left_out`` not among them)."""
    if db.vendor == "sqlite":
        target = folder / "database.sqlite3"
        source = sqlite3.connect(db.name, uri=db.name.startswith("file:"))
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # a consistent copy while the application keeps running
            copy.execute("PRAGMA secure_delete = ON")
            copy.execute(f'DELETE FROM "{left_out}"')  # noqa: S608  a model's table name
            copy.commit()
            copy.execute("VACUUM")  # no freed page keeps a trace of the deleted rows
        finally:
            copy.close()
            source.close()
        return target.name, sqlite_checksums(str(target), skip=(left_out,))
    target = folder / "database.pgdump"
    import psycopg

    with db.pg_connect() as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        _run(
            [
                "pg_dump",
                "-Fc",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--exclude-table-data={left_out}",
                "-f",
                str(target),
                db.name,
            ],
            db,
        )
        with conn.cursor() as cursor:
            tables = postgres_checksums(cursor, skip=(left_out,))  # the dump's snapshot
        conn.rollback()
    return target.name, tables


def _run(command: list[str], db: Database) -> None:
    try:
        done = subprocess.run(  # noqa: S603  fixed programme, arguments from settings
            command, env=db.pg_env(), capture_output=True, text=True, check=False
        )
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL client tools).") from exc
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[:500]}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _media_files(media: Path) -> Iterator[Path]:
    if media.is_dir():
        for path in sorted(media.rglob("*")):
            if path.is_file() and not path.is_symlink():
                yield path


# --- backup -----------------------------------------------------------------------------


def backup(target: Path, *, db: Database, media: Path, key: bytes) -> dict[str, Any]:
    """Write the encrypted archive to ``target``; returns the manifest."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".tirek-backup-") as tmp:
        folder = Path(tmp)
        left_out = key_table()
        database_name, tables = _dump(db, folder, left_out)
        files = {
            f"database/{database_name}": {
                "sha256": _sha256(folder / database_name),
                "size": (folder / database_name).stat().st_size,
            }
        }
        media_paths = list(_media_files(media))
        for path in media_paths:
            files[f"media/{path.relative_to(media).as_posix()}"] = {
                "sha256": _sha256(path),
                "size": path.stat().st_size,
            }
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "engine": db.vendor,
            "schema": schema_version(),
            "files": files,
            "tables": tables,
            # the rows of these tables are in key archives only (``tirek backup --keys``)
            "left_out": [left_out],
        }
        plain = folder / "archive.tar"
        with tarfile.open(plain, "w") as tar:
            manifest_bytes = json.dumps(manifest, indent=1, sort_keys=True).encode()
            (folder / MANIFEST).write_bytes(manifest_bytes)
            tar.add(folder / MANIFEST, arcname=MANIFEST)
            tar.add(folder / database_name, arcname=f"database/{database_name}")
            for path in media_paths:
                tar.add(path, arcname=f"media/{path.relative_to(media).as_posix()}")
        partial = target.with_name(target.name + ".partial")
        encrypt_file(plain, partial, key)
        partial.replace(target)  # never a half-written archive under the real name
    return manifest


# --- the people's data keys: a key archive of their own --------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        raise BackupError("The key table holds binary values this version cannot archive.")
    return value


def _read_key_table(db: Database) -> tuple[list[str], list[tuple[Any, ...]], int, str]:
    """The key table's columns and rows, with their count and digest, in one snapshot."""
    table = key_table()
    conn = db.connect()
    try:
        if db.vendor == "postgresql":
            import psycopg

            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
        cursor = conn.cursor()
        cursor.execute(f'SELECT * FROM "{table}" LIMIT 0')  # noqa: S608  a model's table name
        columns = [str(d[0]) for d in cursor.description]
        order = ", ".join(str(i) for i in range(1, len(columns) + 1))
        cursor.execute(f'SELECT * FROM "{table}" ORDER BY {order}')  # noqa: S608
        rows = [tuple(row) for row in cursor.fetchall()]
        conn.rollback()
    finally:
        conn.close()
    digest = hashlib.sha256()
    for row in rows:
        digest.update(_row_bytes(row))
    return columns, rows, len(rows), digest.hexdigest()


def backup_keys(target: Path, *, db: Database, key: bytes) -> dict[str, Any]:
    """``tirek backup --keys FILE``: the people's data keys (still wrapped by the
    installation keys; destroyed ones as their empty tombstones) alone, encrypted."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    columns, rows, count, digest = _read_key_table(db)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".tirek-backup-") as tmp:
        folder = Path(tmp)
        payload = json.dumps(
            {"columns": columns, "rows": [[_json_value(v) for v in row] for row in rows]}
        ).encode()
        (folder / KEY_ROWS).write_bytes(payload)
        manifest = {
            "format": KEYS_FORMAT,
            "kind": "keys",
            "created_at": timezone.now().isoformat(),
            "engine": db.vendor,
            "table": key_table(),
            "files": {KEY_ROWS: {"sha256": _sha256(folder / KEY_ROWS), "size": len(payload)}},
            "rows": count,
            "sha256": digest,
        }
        (folder / MANIFEST).write_bytes(json.dumps(manifest, indent=1, sort_keys=True).encode())
        plain = folder / "keys.tar"
        with tarfile.open(plain, "w") as tar:
            tar.add(folder / MANIFEST, arcname=MANIFEST)
            tar.add(folder / KEY_ROWS, arcname=KEY_ROWS)
        partial = target.with_name(target.name + ".partial")
        encrypt_file(plain, partial, key, magic=KEYS_MAGIC)
        partial.replace(target)
    return manifest


def read_keys(source: Path, *, key: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """Decrypt and check a key archive: (manifest, {"columns", "rows"})."""
    if not source.is_file():
        raise BackupError(f"{source} does not exist.")
    with tempfile.TemporaryDirectory(prefix=".tirek-restore-") as tmp:
        folder = Path(tmp)
        decrypt_file(source, folder / "keys.tar", key, magic=KEYS_MAGIC)
        with tarfile.open(folder / "keys.tar", "r") as tar:
            names = sorted(m.name for m in tar.getmembers() if m.isfile())
            if names != sorted([MANIFEST, KEY_ROWS]) or len(tar.getmembers()) != 2:
                raise BackupError(f"{source.name} does not hold what a key archive holds: refused.")
            tar.extractall(folder / "content", filter="data")
        content = folder / "content"
        manifest = json.loads((content / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("kind") != "keys" or manifest.get("format") != KEYS_FORMAT:
            raise BackupError(f"{source.name} is not a key archive this version of Tirek reads.")
        if _sha256(content / KEY_ROWS) != manifest["files"][KEY_ROWS]["sha256"]:
            raise BackupError(f"{source.name}: the keys do not match their checksum: refused.")
        payload = json.loads((content / KEY_ROWS).read_text(encoding="utf-8"))
    if len(payload["rows"]) != manifest["rows"]:
        raise BackupError(f"{source.name}: the keys do not match their checksum: refused.")
    return manifest, payload


def _load_keys(db: Database, manifest: dict[str, Any], payload: dict[str, Any]) -> dict[str, int]:
    """Insert the key rows of the people the restored database holds; a key of a person
    created after the data archive has nothing to open and is left out (``skipped``)."""
    from django.apps import apps

    table = key_table()
    model = apps.get_model("retention", "PersonKey")
    field = model._meta.get_field("person")
    if not isinstance(field, models.ForeignKey):  # pragma: no cover  the model says so
        raise BackupError("The key table has no person column.")
    people, person_column = field.related_model._meta.db_table, field.column
    mark = "?" if db.vendor == "sqlite" else "%s"
    conn = db.connect()
    try:
        cursor = conn.cursor()
        cursor.execute(f'SELECT * FROM "{table}" LIMIT 0')  # noqa: S608
        columns = [str(d[0]) for d in cursor.description]
        if columns != payload["columns"] or manifest["table"] != table:
            raise BackupError(
                "The key archive's table does not match this version's: restore with the "
                "version that made it."
            )
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608
        if cursor.fetchone()[0]:
            raise BackupError("The restored database already holds keys: not loading others.")
        cursor.execute(f'SELECT id FROM "{people}"')  # noqa: S608
        known = {row[0] for row in cursor.fetchall()}
        index = columns.index(person_column)
        rows = [row for row in payload["rows"] if row[index] in known]
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join(mark for _c in columns)
        cursor.executemany(
            f'INSERT INTO "{table}" ({names}) VALUES ({marks})',  # noqa: S608
            [tuple(row) for row in rows],
        )
        if db.vendor == "postgresql" and rows:
            sequence = f"pg_get_serial_sequence('\"{table}\"', 'id')"
            cursor.execute(f'SELECT setval({sequence}, (SELECT max(id) FROM "{table}"))')  # noqa: S608
        conn.commit()
        skipped = len(payload["rows"]) - len(rows)
        if not skipped and _table_digest(cursor, table) != (manifest["rows"], manifest["sha256"]):
            raise BackupError("The keys loaded differ from the key archive's: do not use them.")
        conn.rollback()
    finally:
        conn.close()
    return {"loaded": len(rows), "skipped": skipped}


# --- restore ----------------------------------------------------------------------------


def _unpack(plain: Path, folder: Path) -> dict[str, Any]:
    with tarfile.open(plain, "r") as tar:
        members = tar.getmembers()
        for member in members:
            if not member.isfile() or member.name.startswith("/") or ".." in member.name.split("/"):
                raise BackupError(
                    f"The archive holds an unexpected entry ({member.name}): refused."
                )
        tar.extractall(folder, filter="data")
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise BackupError("The archive has no manifest: refused.")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("format") not in READABLE_FORMATS:
        raise BackupError("The archive's format is not one this version of Tirek reads.")
    listed = set(manifest["files"])
    present = {m.name for m in members} - {MANIFEST}
    if listed - present:
        raise BackupError(f"The archive is incomplete: {len(listed - present)} file(s) missing.")
    if present - listed:
        raise BackupError("The archive holds files its manifest does not list: refused.")
    for name, facts in manifest["files"].items():
        if _sha256(folder / name) != facts["sha256"]:
            raise BackupError(f"{name} does not match its checksum: refused.")
    return manifest


def _check_schema(manifest: dict[str, Any]) -> None:
    known = schema_version()
    newer = [app for app, name in manifest["schema"].items() if name > known.get(app, "")]
    if newer:
        raise BackupError(
            "The archive was made by a newer version of Tirek (apps: "
            + ", ".join(sorted(newer))
            + "); install that version, then restore."
        )


def left_out_tables(manifest: dict[str, Any]) -> tuple[str, ...]:
    return tuple(manifest.get("left_out", ()))


def read_manifest(source: Path, *, key: bytes) -> dict[str, Any]:
    """Decrypt and check an archive without restoring it (``tirek restore --check``)."""
    with tempfile.TemporaryDirectory(prefix=".tirek-restore-") as tmp:
        folder = Path(tmp)
        decrypt_file(source, folder / "archive.tar", key)
        return _unpack(folder / "archive.tar", folder / "content")


def restore(
    source: Path,
    *,
    db: Database,
    media: Path,
    key: bytes,
    keys: Path | None = None,
    without_keys: bool = False,
) -> dict[str, Any]:
    """Restore into an empty database and an empty media folder; returns the manifest.

    ``keys``: a key archive (``tirek backup --keys``), usually the newest, also newer than
    the data archive: whoever was destroyed since stays unreadable, everybody else reads.
    A data archive without its keys restores only with ``without_keys`` (every value under
    a person's key then reads as empty)."""
    if not source.is_file():
        raise BackupError(f"{source} does not exist.")
    key_archive = read_keys(keys, key=key) if keys is not None else None  # checked first
    with tempfile.TemporaryDirectory(prefix=".tirek-restore-") as tmp:
        folder = Path(tmp)
        decrypt_file(source, folder / "archive.tar", key)
        content = folder / "content"
        manifest = _unpack(folder / "archive.tar", content)
        (folder / "archive.tar").unlink()
        if manifest["engine"] != db.vendor:
            raise BackupError(
                f"The archive is of a {manifest['engine']} database; this installation uses "
                f"{db.vendor}."
            )
        _check_schema(manifest)
        left_out = left_out_tables(manifest)
        if key_archive is not None:
            if not left_out:
                raise BackupError(
                    "This archive holds its people's keys itself (made before key archives): "
                    "restore it without --keys."
                )
            if key_archive[0]["engine"] != db.vendor:
                raise BackupError(
                    f"The key archive is of a {key_archive[0]['engine']} database; this "
                    f"installation uses {db.vendor}."
                )
        elif left_out and not without_keys:
            raise BackupError(
                "The people's data keys are not in this archive: give the newest key archive "
                "with --keys KEYFILE (or --without-keys: every narrative and attachment then "
                "reads as empty)."
            )
        if not db.is_empty():
            raise BackupError("The database is not empty: restore needs an empty database.")
        if any(_media_files(media)):
            raise BackupError(f"{media} is not empty: restore needs an empty attachment folder.")
        dumped = next(name for name in manifest["files"] if name.startswith("database/"))
        _load(db, content / dumped)
        if db.checksums(skip=left_out) != manifest["tables"]:
            raise BackupError(
                "The restored database differs from the one backed up: do not use it."
            )
        if key_archive is not None:
            manifest["keys"] = {
                **_load_keys(db, *key_archive),
                "created_at": key_archive[0]["created_at"],
            }
        for name in manifest["files"]:
            if name.startswith("media/"):
                target = media / name.removeprefix("media/")
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(content / name, target)
    return manifest


def _load(db: Database, dump: Path) -> None:
    if db.vendor == "sqlite":
        source = sqlite3.connect(dump)
        target = sqlite3.connect(db.name, uri=db.name.startswith("file:"))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "-d",
            db.name,
            str(dump),
        ],
        db,
    )
