"""Encryption at rest for narrative notes, interview content and attachments.

Keys come from ``TIREK_ENCRYPTION_KEYS`` (comma-separated Fernet keys, newest first);
``cryptography``'s MultiFernet encrypts with the newest and decrypts with any, so a key
is rotated without downtime: put the new key first, run ``tirek keys rotate`` (which
re-encrypts every value with it, in batches), then drop the old key.

Identifiers (names, IIN, dates) are not encrypted: they must stay searchable and are
protected by the access policy instead.

Crypto-shredding (docs/retention.md): what belongs to one person — the narratives of their
cases, their attachments and photo — is encrypted under that person's own data key
(``enc2:<key id>.<fingerprint>:<token>``, files ``tkp1:...`` alike). The data key is a Fernet key
stored only wrapped by the installation keys (``retention.PersonKey``); anonymisation
destroys it, and every copy of those values — replicas, exports of the table, old backups
restored without their key table — can no longer be decrypted. ``tirek keys rotate``
rewraps the data keys (a few bytes per person) instead of re-encrypting the data.
The seam is the field itself: ``EncryptedTextField.pre_save`` finds the row's person
(the row is a case, or has a ``case``), so callers read and write plain text as before.
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import IntegrityError, models, transaction
from django.utils import timezone

PREFIX = "enc1:"
PERSON_PREFIX = "enc2:"
FILE_PREFIX = b"tkp1:"
# How long a process keeps an unwrapped data key; destroying a key forgets it at once in
# the process that destroys it.
KEY_CACHE_SECONDS = 60.0


class KeyDestroyed(Exception):
    """The person's data key was destroyed (crypto-shredded): the value is gone for good."""


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


# --- per-person data keys -------------------------------------------------------------

# (key id, fingerprint) -> (expires, key). The fingerprint (in every value) makes a cached
# key match only the values made with it, even if a restored database reused an id.
_cache: dict[tuple[int, str], tuple[float, Fernet]] = {}
_cache_lock = threading.Lock()


def _key_model() -> type[models.Model]:
    return apps.get_model("retention", "PersonKey")


def _unwrap(wrapped: str) -> tuple[Fernet, str]:
    try:
        raw = fernet().decrypt(wrapped.encode())
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A person's data key cannot be unwrapped with TIREK_ENCRYPTION_KEYS."
        ) from exc
    return Fernet(raw), hashlib.sha256(raw).hexdigest()[:8]


def _live_key(person_id: int) -> tuple[str, Fernet]:
    """(``<key id>.<fingerprint>``, key) of the person's live data key, made on first use."""
    model: Any = _key_model()
    live = model.objects.filter(person_id=person_id, destroyed_at=None)
    row = live.values_list("pk", "wrapped").first()
    if row is None:
        wrapped = fernet().encrypt(Fernet.generate_key()).decode()
        try:
            with transaction.atomic():
                row = (model.objects.create(person_id=person_id, wrapped=wrapped).pk, wrapped)
        except IntegrityError:  # another request made it meanwhile
            row = live.values_list("pk", "wrapped").get()
    key, fingerprint = _unwrap(row[1])
    return f"{row[0]}.{fingerprint}", key


def person_key_id(person_id: int) -> int:
    """The id of the person's live data key, made (wrapped) on first use."""
    return int(_live_key(person_id)[0].partition(".")[0])


def _data_key(label: str) -> Fernet:
    key_id_text, _dot, fingerprint = label.partition(".")
    key_id = int(key_id_text)
    now = time.monotonic()
    with _cache_lock:
        cached = _cache.get((key_id, fingerprint))
    if cached is not None and cached[0] > now:
        return cached[1]
    model: Any = _key_model()
    wrapped = model.objects.filter(pk=key_id).values_list("wrapped", flat=True).first()
    if not wrapped:
        raise KeyDestroyed(key_id)
    key, actual = _unwrap(wrapped)
    if actual != fingerprint:
        raise KeyDestroyed(key_id)  # the id now names another key: this one is gone
    with _cache_lock:
        _cache[(key_id, fingerprint)] = (now + KEY_CACHE_SECONDS, key)
    return key


def destroy_person_keys(person_ids: Iterable[int]) -> int:
    """Crypto-shred: every data key of these people is wiped (the row stays, empty, as the
    tombstone that says why a value can no longer be read). Returns how many."""
    model: Any = _key_model()
    keys = model.objects.filter(person_id__in=list(person_ids), destroyed_at=None)
    key_ids = list(keys.values_list("pk", flat=True))
    count = int(
        model.objects.filter(pk__in=key_ids).update(wrapped="", destroyed_at=timezone.now())
    )
    forget_keys(key_ids)
    return count


def forget_keys(key_ids: Iterable[int] | None = None) -> None:
    """Drop unwrapped keys from this process's memory (all of them when ``None``)."""
    with _cache_lock:
        if key_ids is None:
            _cache.clear()
            return
        gone = set(key_ids)
        for cached in [c for c in _cache if c[0] in gone]:
            del _cache[cached]


def rewrap_person_keys(batch: int = 500) -> int:
    """``tirek keys rotate``: wrap every live data key with the newest installation key."""
    model: Any = _key_model()
    count, last = 0, 0
    while True:
        chunk = list(
            model.objects.filter(pk__gt=last, destroyed_at=None)
            .order_by("pk")
            .values_list("pk", "wrapped")[:batch]
        )
        if not chunk:
            return count
        with transaction.atomic():
            for pk, wrapped in chunk:
                model.objects.filter(pk=pk, destroyed_at=None).update(
                    wrapped=fernet().rotate(wrapped.encode()).decode()
                )
        count += len(chunk)
        last = chunk[-1][0]


def _split_text(stored: str) -> tuple[str, str]:
    label, _sep, token = stored[len(PERSON_PREFIX) :].partition(":")
    return label, token


def _split_bytes(stored: bytes) -> tuple[str, bytes]:
    label, _sep, token = stored[len(FILE_PREFIX) :].partition(b":")
    return label.decode("ascii", "replace"), token


# --- values and files ------------------------------------------------------------------


def encrypt_bytes(data: bytes, *, person_id: int | None = None) -> bytes:
    """Under the installation keys, or under the person's data key when ``person_id``."""
    if person_id is None:
        return fernet().encrypt(data)
    label, key = _live_key(person_id)
    return FILE_PREFIX + label.encode() + b":" + key.encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    """Either form; KeyDestroyed once the person's key was shredded."""
    if token.startswith(FILE_PREFIX):
        label, inner = _split_bytes(token)
        return _data_key(label).decrypt(inner)
    return fernet().decrypt(token)


def encrypt_text(text: str, *, person_id: int | None = None) -> str:
    if person_id is None:
        return PREFIX + fernet().encrypt(text.encode()).decode()
    label, key = _live_key(person_id)
    return f"{PERSON_PREFIX}{label}:{key.encrypt(text.encode()).decode()}"


def decrypt_text(stored: str) -> str:
    if stored.startswith(PERSON_PREFIX):
        label, token = _split_text(stored)
        try:
            return _data_key(label).decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise ImproperlyConfigured("A value does not match its person's data key.") from exc
    if not stored.startswith(PREFIX):
        raise ValueError("value is not encrypted")
    try:
        return fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "An encrypted value cannot be decrypted with TIREK_ENCRYPTION_KEYS (key removed too early?)."
        ) from exc


def rotate_text(stored: str) -> str:
    """A value under a person's key stays as it is: rotation rewraps the key instead."""
    if stored.startswith(PERSON_PREFIX):
        return stored
    return PREFIX + fernet().rotate(stored[len(PREFIX) :].encode()).decode()


def rotate_bytes(token: bytes) -> bytes:
    if token.startswith(FILE_PREFIX):
        return token
    return fernet().rotate(token)


def subject_path(model: type[models.Model]) -> str | None:
    """The lookup from a row to the person whose data key encrypts it: a case, or a row
    with a ``case``; ``None`` (installation keys) for rows of several people (conferences)."""
    if model._meta.label == "cases.Case":
        return "person_id"
    try:
        field = model._meta.get_field("case")
    except FieldDoesNotExist:
        return None
    return "case__person_id" if field.many_to_one else None


def subject_of(instance: models.Model) -> int | None:
    path = subject_path(type(instance))
    if path == "person_id":
        return getattr(instance, "person_id", None)
    if path is None:
        return None
    case_id = getattr(instance, "case_id", None)
    if case_id is None:
        return None
    remembered = instance.__dict__.get("_tirek_subject")
    if remembered and remembered[0] == case_id:
        return int(remembered[1])
    case = instance._state.fields_cache.get("case")
    if case is not None and case.pk == case_id:
        person_id = case.person_id
    else:
        related: Any = instance._meta.get_field("case").related_model
        person_id = (
            related._base_manager.filter(pk=case_id).values_list("person_id", flat=True).first()
        )
    instance.__dict__["_tirek_subject"] = (case_id, person_id)
    return int(person_id) if person_id is not None else None


class Sealed(str):
    """A value already encrypted (under a person's key) on its way to the database."""


def for_person(text: str, person_id: int | None) -> str:
    """For ``QuerySet.update()``, which has no row to find the person from."""
    if not text:
        return text
    return Sealed(encrypt_text(text, person_id=person_id))


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text stored encrypted; Python code sees plain text. Not searchable, by design.
    Saved through a model instance, a person's row is encrypted under their data key."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        try:
            return decrypt_text(value)
        except KeyDestroyed:
            return ""  # shredded: the person was anonymised

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = super().pre_save(model_instance, add)
        if not value or isinstance(value, Sealed):
            return value
        person_id = subject_of(model_instance)
        if person_id is None:
            return value
        return Sealed(encrypt_text(str(value), person_id=person_id))

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, Sealed):
            return str(value)
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(value)


def encrypted_fields() -> list[tuple[type[models.Model], str]]:
    """Every (model, field name) stored with EncryptedTextField, for ``tirek keys rotate``."""
    from django.apps import apps

    return [(model, name) for model in apps.get_models() for name in encrypted_field_names(model)]


def encrypted_field_names(model: type[models.Model]) -> tuple[str, ...]:
    """The model's fields stored with EncryptedTextField: each is decrypted whenever its row
    is read, so lists that do not show them leave them unread (``QuerySet.defer``)."""
    return tuple(
        field.name for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField)
    )
