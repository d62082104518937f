"""Argon2id with OWASP's recommended cost (19 MiB, 2 passes, 1 lane).

Django's defaults (100 MiB, 8 lanes) make every sign-in allocate 100 MiB: a few
simultaneous sign-ins would blow the web process's memory budget (DESIGN.md section 8)
and hand an attacker a cheap denial of service. Hashes made with other parameters are
re-hashed with these at the user's next sign-in.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher as DjangoArgon2PasswordHasher


class Argon2PasswordHasher(DjangoArgon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
