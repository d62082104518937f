from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tirek.core import uz_cyrillic


class Command(BaseCommand):
    help = (
        "Uzbek in Cyrillic: writes every locale/uz_Cyrl catalogue (and uz-cyrl.json content "
        "overlay) by transliterating its Latin uz source, and compiles the catalogues. "
        "`--check` changes nothing and fails if a generated file is out of date."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        files = uz_cyrillic.generated()
        if options["check"]:
            stale = uz_cyrillic.stale(files)
            if stale:
                names = "\n".join(str(path) for path in stale)
                raise CommandError(f"Out of date; run `tirek uz_cyrillic`:\n{names}")
            self.stdout.write(f"{len(files)} Uzbek Cyrillic files are up to date.")
            return
        changed = uz_cyrillic.write(files)
        self.stdout.write(f"{len(files)} Uzbek Cyrillic files written, {len(changed)} changed.")
