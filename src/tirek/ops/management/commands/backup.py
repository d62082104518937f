from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tirek.ops import backup


class Command(BaseCommand):
    help = (
        "Write one encrypted archive of the database and the attachment files: "
        "`tirek backup FILE`. `tirek backup --new-key` prints a new backup key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="where to write the archive")
        parser.add_argument("--new-key", action="store_true", help="print a new backup key")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["new_key"]:
            self.stdout.write(backup.new_key())
            return
        if not options["file"]:
            raise CommandError("Name the archive to write: tirek backup FILE")
        started = time.monotonic()
        try:
            manifest = backup.backup(
                Path(options["file"]),
                db=backup.Database.from_settings(settings.DATABASES["default"]),
                media=Path(settings.MEDIA_ROOT),
                key=backup.backup_key(),
            )
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            f"Backup written to {options['file']}: {len(manifest['tables'])} tables, {rows} rows, "
            f"{len(manifest['files']) - 1} files, in {time.monotonic() - started:.1f} s."
        )
