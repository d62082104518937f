"""Settings of the reports app, read from Django settings or the environment.

- ``TIREK_SDC_THRESHOLD`` (default 5): the smallest number of people a published cell may count.
- ``TIREK_SDC_MAX_NOISE`` (default 8; 0 in tests unless a test turns it on): the largest
  perturbation of a published count (the cell-key method, docs/disclosure-control.md); the
  noise's standard deviation is a quarter of it (2 people by default);
  0 publishes exact counts, protected by suppression alone — not safe across tables.
- ``TIREK_SDC_KEY`` (default: derived from the secret key): the secret from which every
  record's perturbation key is derived. Changing it changes every published count a little;
  set it explicitly so that rotating the secret key leaves published figures as they are.
- ``TIREK_REPORTS_CACHE_SECONDS`` (default 600; 0 in tests): how long a computed, protected table is reused.
- ``TIREK_REPORTS_REFRESH_SECONDS`` (default 300): how often the worker recomputes the national
  indicator snapshots of this year and the last (0: never).
- ``TIREK_EXPORTS_EAGER`` (default: on in tests): run export jobs in the request, not on the queue.
- ``TIREK_EXPORT_HOURS`` (default 24): how long an export file is kept.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings

from tirek.settings import env, env_bool, env_int

from . import sdc


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def sdc_threshold() -> int:
    value = int(_setting("TIREK_SDC_THRESHOLD", env_int("TIREK_SDC_THRESHOLD", 5)))
    # A threshold under 2 would publish single people; refuse to run that way.
    return max(value, 2)


def sdc_max_noise() -> int:
    # Hand-computed tests check exact counts; the cell-key tests turn perturbation on.
    default = 0 if settings.TESTING else sdc.DEFAULT_MAX_NOISE
    value = int(_setting("TIREK_SDC_MAX_NOISE", env_int("TIREK_SDC_MAX_NOISE", default)))
    return max(value, 0)


def _sdc_secret() -> str:
    return str(_setting("TIREK_SDC_KEY", "") or env("TIREK_SDC_KEY") or settings.SECRET_KEY)


def sdc_key_fingerprint() -> str:
    """A short one-way fingerprint of the record-key secret, for cache keys: published
    figures made under another secret must not be served after it changes (nor may the
    key tell anything about the secret)."""
    return hashlib.sha256(f"tirek-sdc-key-id:{_sdc_secret()}".encode()).hexdigest()[:12]


def record_key_secret(kind: str) -> tuple[int, int, int, int]:
    """Four secret multipliers and offsets for the record keys of ``kind`` (a model label:
    the same person counted in two populations of cases has the same key in both)."""
    digest = hashlib.sha256(f"tirek-sdc-record-key:{kind}:{_sdc_secret()}".encode()).digest()
    modulus = 2**31 - 1
    a, b, c, d = (
        int.from_bytes(digest[i : i + 8], "big") % (modulus - 1) + 1 for i in (0, 8, 16, 24)
    )
    return a, b, c, d


def cache_seconds() -> int:
    # Tests change the data between requests, so they get fresh figures every time.
    default = 0 if settings.TESTING else 600
    return int(
        _setting("TIREK_REPORTS_CACHE_SECONDS", env_int("TIREK_REPORTS_CACHE_SECONDS", default))
    )


def refresh_seconds() -> int:
    return int(
        _setting("TIREK_REPORTS_REFRESH_SECONDS", env_int("TIREK_REPORTS_REFRESH_SECONDS", 300))
    )


def exports_eager() -> bool:
    return bool(
        _setting("TIREK_EXPORTS_EAGER", env_bool("TIREK_EXPORTS_EAGER", default=settings.TESTING))
    )


def export_hours() -> int:
    return int(_setting("TIREK_EXPORT_HOURS", env_int("TIREK_EXPORT_HOURS", 24)))


def country_code() -> str:
    return str(settings.COUNTRY_CODE).upper()
