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
        "folder: `tirek restore FILE`. `--check` only verifies the archive."
    )
    requires_system_checks: list[str] = []  # the database is empty: nothing to check yet
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--check", action="store_true", help="decrypt and verify the archive, change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["file"])
        try:
            key = backup.backup_key()
            if options["check"]:
                manifest = backup.read_manifest(source, key=key)
                self.stdout.write(
                    f"{source.name} is complete and unchanged (made {manifest['created_at']})."
                )
                return
            manifest = backup.restore(
                source,
                db=backup.Database.from_settings(settings.DATABASES["default"]),
                media=Path(settings.MEDIA_ROOT),
                key=key,
            )
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            f"Restored {len(manifest['tables'])} tables ({rows} rows, every table's checksum "
            f"matches) and {len(manifest['files']) - 1} files, backed up {manifest['created_at']}."
        )
        # An archive from an older version: bring its schema up to this code's.
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Next: `tirek audit verify`.")
