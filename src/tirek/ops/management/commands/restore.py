from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tirek.ops import backup


class Command(BaseCommand):
    help = (
        "Restore an archive made by `tirek backup` into an empty database and attachment "
        "folder: `tirek restore FILE --keys KEYFILE` (the newest key archive of "
        "`tirek backup --keys`). `--check` only verifies the archive(s)."
    )
    requires_system_checks: list[str] = []  # the database is empty: nothing to check yet
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--check", action="store_true", help="decrypt and verify the archive, change nothing"
        )
        parser.add_argument(
            "--keys", metavar="KEYFILE", help="the key archive to load (`tirek backup --keys`)"
        )
        parser.add_argument(
            "--without-keys",
            action="store_true",
            help="restore without a key archive: every narrative and attachment reads as empty",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["file"])
        keys = Path(options["keys"]) if options["keys"] else None
        try:
            key = backup.backup_key()
            if options["check"]:
                manifest = backup.read_manifest(source, key=key)
                self.stdout.write(
                    f"{source.name} is complete and unchanged (made {manifest['created_at']})."
                )
                if keys is not None:
                    key_manifest, _rows = backup.read_keys(keys, key=key)
                    self.stdout.write(
                        f"{keys.name} is complete and unchanged ({key_manifest['rows']} data "
                        f"keys, made {key_manifest['created_at']})."
                    )
                return
            manifest = backup.restore(
                source,
                db=backup.Database.from_settings(settings.DATABASES["default"]),
                media=Path(settings.MEDIA_ROOT),
                key=key,
                keys=keys,
                without_keys=options["without_keys"],
            )
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            f"Restored {len(manifest['tables'])} tables ({rows} rows, every table's checksum "
            f"matches) and {len(manifest['files']) - 1} files, backed up {manifest['created_at']}."
        )
        if "keys" in manifest:
            loaded = manifest["keys"]
            self.stdout.write(
                f"Loaded {loaded['loaded']} data keys from {keys}, made {loaded['created_at']}"
                + (
                    f" ({loaded['skipped']} of people not in this archive left out)."
                    if loaded["skipped"]
                    else "."
                )
            )
            if loaded["created_at"] < manifest["created_at"]:
                self.stderr.write(
                    "The key archive is older than the data archive: people added in between "
                    "read as empty. Use the newest key archive."
                )
        elif backup.left_out_tables(manifest):
            self.stderr.write(
                "Restored without the people's data keys: every narrative and attachment "
                "under a person's key reads as empty."
            )
        # An archive from an older version: bring its schema up to this code's.
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Next: `tirek audit verify`.")
