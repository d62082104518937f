from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from tirek.core import crypto
from tirek.core.registry import encrypted_file_rotators


class Command(BaseCommand):
    help = (
        "Encryption keys: `tirek keys new` prints a fresh key; `tirek keys rotate` re-encrypts "
        "every encrypted value with the first key of TIREK_ENCRYPTION_KEYS, in small batches, "
        "while Tirek keeps running."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["new", "rotate"])
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["operation"] == "new":
            self.stdout.write(crypto.new_key())
            return
        total = 0
        for model, field in crypto.encrypted_fields():
            total += self._rotate_field(model, field, options["batch"])
        for rotate in encrypted_file_rotators:
            total += rotate()
        self.stdout.write(f"Re-encrypted {total} value(s) with the newest key.")

    def _rotate_field(self, model: Any, field: str, batch: int) -> int:
        """Decrypt with any key and write back, which encrypts with the newest key."""
        count, last_pk = 0, 0
        rows = model._base_manager.exclude(**{field: ""}).exclude(**{f"{field}__isnull": True})
        while True:
            chunk = list(
                rows.filter(pk__gt=last_pk).order_by("pk").values_list("pk", field)[:batch]
            )
            if not chunk:
                return count
            with transaction.atomic():
                for pk, plain in chunk:
                    model._base_manager.filter(pk=pk).update(**{field: plain})
            count += len(chunk)
            last_pk = chunk[-1][0]
