"""``tirek people_keys``: rebuild the name keys of every person.

The keys (``PersonNameKey``) are derived from names by ``tirek.people.matching``; the
services keep them up to date on every change. After an upgrade that changes the
matching rules (a new spelling rule, names added to ``given_names.py``), run this once
so that records registered before the upgrade are found by the new rules too.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from tirek.people.keys import identity_of, key_rows, search_key
from tirek.people.models import Person, PersonName, PersonNameKey

BATCH = 2000


class Command(BaseCommand):
    help = "Rebuild the name-search and duplicate-check keys of every person."

    def handle(self, *args: Any, **options: Any) -> None:
        last, people, keys = 0, 0, 0
        while True:
            chunk = list(
                Person.objects.filter(pk__gt=last, merged_into__isnull=True).order_by("pk")[:BATCH]
            )
            if not chunk:
                break
            names: dict[int, list[PersonName]] = {}
            for name in PersonName.objects.filter(person__in=chunk):
                names.setdefault(name.person_id, []).append(name)
            rows, changed = [], []
            for person in chunk:
                identity = identity_of(person, names.get(person.pk, []))
                rows.extend(key_rows(person, identity))
                new = search_key(identity)
                if new != person.search_key:
                    person.search_key = new
                    changed.append(person)
            with transaction.atomic():
                PersonNameKey.objects.filter(person__in=chunk).delete()
                PersonNameKey.objects.bulk_create(rows, batch_size=BATCH)
                Person.objects.bulk_update(changed, ["search_key"], batch_size=BATCH)
            last = chunk[-1].pk
            people += len(chunk)
            keys += len(rows)
        self.stdout.write(f"Name keys rebuilt: {people} people, {keys} keys.")
