from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.db.models import F, TextField, Value
from django.db.models.functions import Cast

from tirek.core import crypto
from tirek.core.registry import encrypted_file_rotators, person_key_movers


class Command(BaseCommand):
    help = (
        "Encryption keys: `tirek keys new` prints a fresh key; `tirek keys rotate` rewraps "
        "every person's data key and re-encrypts what is under the installation keys with the "
        "first key of TIREK_ENCRYPTION_KEYS, in small batches, while Tirek keeps running; "
        "`tirek keys person` moves values and files still under the installation keys under "
        "their person's data key (once, after upgrading; safe to run again)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["new", "rotate", "person"])
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["operation"] == "new":
            self.stdout.write(crypto.new_key())
            return
        if options["operation"] == "person":
            moved = sum(
                self._move_field(m, f, options["batch"]) for m, f in crypto.encrypted_fields()
            )
            moved += sum(move() for move in person_key_movers)
            self.stdout.write(f"Moved {moved} value(s) under their person's data key.")
            return
        total = crypto.rewrap_person_keys(options["batch"])
        for model, field in crypto.encrypted_fields():
            total += self._rotate_field(model, field, options["batch"])
        for rotate in encrypted_file_rotators:
            total += rotate()
        self.stdout.write(f"Re-encrypted {total} value(s) with the newest key.")

    @staticmethod
    def _raw(model: Any, field: str, prefix: str, *extra: Any) -> Any:
        """Rows whose stored (still encrypted) value starts with ``prefix``: read as plain
        text, so nothing is decrypted on the way."""
        return (
            model._base_manager.annotate(raw=Cast(F(field), TextField()))
            .filter(raw__startswith=prefix)
            .order_by("pk")
            .values_list("pk", "raw", *extra)
        )

    def _rotate_field(self, model: Any, field: str, batch: int) -> int:
        """Values under the installation keys: re-encrypted with the newest key (the token
        is rotated; values under a person's key are left alone, their key was rewrapped)."""
        count, last_pk = 0, 0
        rows = self._raw(model, field, crypto.PREFIX)
        while True:
            chunk = list(rows.filter(pk__gt=last_pk)[:batch])
            if not chunk:
                return count
            with transaction.atomic():
                for pk, raw in chunk:
                    new = Value(crypto.rotate_text(raw), output_field=TextField())
                    model._base_manager.filter(pk=pk).update(**{field: new})
            count += len(chunk)
            last_pk = chunk[-1][0]

    def _move_field(self, model: Any, field: str, batch: int) -> int:
        path = crypto.subject_path(model)
        if path is None:
            return 0  # rows of several people stay under the installation keys
        count, last_pk = 0, 0
        rows = self._raw(model, field, crypto.PREFIX, path.removesuffix("_id"))
        while True:
            chunk = list(rows.filter(pk__gt=last_pk)[:batch])
            if not chunk:
                return count
            with transaction.atomic():
                for pk, raw, person_id in chunk:
                    sealed = crypto.encrypt_text(crypto.decrypt_text(raw), person_id=person_id)
                    model._base_manager.filter(pk=pk).update(
                        **{field: Value(sealed, output_field=TextField())}
                    )
            count += len(chunk)
            last_pk = chunk[-1][0]
