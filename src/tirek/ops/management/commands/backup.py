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
        "`tirek backup FILE` (without the people's data keys); `tirek backup --keys FILE` "
        "writes those keys alone, to be kept a few days only. `tirek backup --new-key` "
        "prints a new backup key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="where to write the archive")
        parser.add_argument("--new-key", action="store_true", help="print a new backup key")
        parser.add_argument(
            "--keys",
            action="store_true",
            help="write the people's data keys alone (a key archive; keep the last few days)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["new_key"]:
            self.stdout.write(backup.new_key())
            return
        if not options["file"]:
            raise CommandError("Name the archive to write: tirek backup FILE")
        started = time.monotonic()
        if options["keys"]:
            try:
                keys = backup.backup_keys(
                    Path(options["file"]),
                    db=backup.Database.from_settings(settings.DATABASES["default"]),
                    key=backup.backup_key(),
                )
            except backup.BackupError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                f"Key archive written to {options['file']}: {keys['rows']} data keys, "
                f"in {time.monotonic() - started:.1f} s. Keep key archives a few days only."
            )
            return
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
            f"{len(manifest['files']) - 1} files, in {time.monotonic() - started:.1f} s. "
            f"The people's data keys are not in it: `tirek backup --keys FILE`."
        )
