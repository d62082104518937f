"""Encryption at rest for narrative notes, interview content and attachments.

Keys come from ``TIREK_ENCRYPTION_KEYS`` (comma-separated Fernet keys, newest first);
``cryptography``'s MultiFernet encrypts with the newest and decrypts with any, so a key
is rotated without downtime: put the new key first, run ``tirek keys rotate`` (which
re-encrypts every value with it, in batches), then drop the old key.

Identifiers (names, IIN, dates) are not encrypted: they must stay searchable and are
protected by the access policy instead.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "enc1:"


def _development_key() -> bytes:
    # Only for demo, debug and tests: derived from the secret key so a newcomer needs no set-up.
    digest = hashlib.sha256(f"tirek-encryption:{settings.SECRET_KEY}".encode()).digest()
    return base64.urlsafe_b64encode(digest)


@lru_cache(maxsize=1)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        if not (settings.DEBUG or settings.DEMO_MODE or settings.TESTING):
            raise ImproperlyConfigured("TIREK_ENCRYPTION_KEYS must be set in production.")
        return MultiFernet([Fernet(_development_key())])
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(f"TIREK_ENCRYPTION_KEYS holds an invalid key: {exc}") from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.ENCRYPTION_KEYS))


def new_key() -> str:
    return Fernet.generate_key().decode()


def encrypt_bytes(data: bytes) -> bytes:
    return fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    return fernet().decrypt(token)


def encrypt_text(text: str) -> str:
    return PREFIX + fernet().encrypt(text.encode()).decode()


def decrypt_text(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise ValueError("value is not encrypted")
    try:
        return fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "An encrypted value cannot be decrypted with TIREK_ENCRYPTION_KEYS (key removed too early?)."
        ) from exc


def rotate_text(stored: str) -> str:
    return PREFIX + fernet().rotate(stored[len(PREFIX) :].encode()).decode()


def rotate_bytes(token: bytes) -> bytes:
    return fernet().rotate(token)


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text stored encrypted; Python code sees plain text. Not searchable, by design."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(value)


def encrypted_fields() -> list[tuple[type[models.Model], str]]:
    """Every (model, field name) stored with EncryptedTextField, for ``tirek keys rotate``."""
    from django.apps import apps

    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]
