"""Encrypted attachment files under MEDIA_ROOT/attachments/.

Only PDF, PNG and JPEG are accepted, recognised by their first bytes (a file's name and
declared type prove nothing). Files are encrypted before they touch the disk: under the
data key of the case's person (crypto-shredded when the person is anonymised), or, for an
old file not yet moved, with the newest key of TIREK_ENCRYPTION_KEYS; ``rotate_files``
re-encrypts the latter after a key change and is registered for ``tirek keys rotate``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tirek.core import crypto

# (magic prefix, content type, extension)
ALLOWED = [
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
]


def directory() -> Path:
    path = Path(settings.MEDIA_ROOT) / "attachments"
    path.mkdir(parents=True, exist_ok=True)
    return path


def sniff(data: bytes) -> tuple[str, str]:
    """(content type, extension) from the file's first bytes, or ValidationError."""
    for magic, content_type, extension in ALLOWED:
        if data.startswith(magic):
            return content_type, extension
    raise ValidationError({"file": _("Only PDF, PNG and JPEG files can be attached.")})


def check_size(size: int) -> None:
    limit = settings.ATTACHMENT_MAX_BYTES
    if size <= 0:
        raise ValidationError({"file": _("The file is empty.")})
    if size > limit:
        raise ValidationError(
            {
                "file": _("The file is too large (at most %(mb).1f MB).")
                % {"mb": limit / (1024 * 1024)}
            }
        )


def safe_name(name: str, extension: str) -> str:
    """A display name without paths or control characters, ending in the real extension."""
    base = os.path.basename(name.replace("\\", "/")).strip()
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"/|?*')[:150]
    stem = os.path.splitext(base)[0] or "file"
    return f"{stem}{extension}"


def write(data: bytes, *, person_id: int | None = None) -> str:
    """Encrypt and store ``data`` (under ``person_id``'s data key when given); the stored
    name is random (reveals nothing)."""
    stored = secrets.token_hex(16) + ".bin"
    target = directory() / stored
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(crypto.encrypt_bytes(data, person_id=person_id))
    os.replace(tmp, target)
    return stored


def read(stored_name: str) -> bytes:
    return crypto.decrypt_bytes((directory() / stored_name).read_bytes())


def delete(stored_name: str) -> None:
    (directory() / stored_name).unlink(missing_ok=True)


def rotate_files() -> int:
    """Re-encrypt every stored attachment with the newest key; returns how many."""
    from .models import Attachment

    count = 0
    for stored in Attachment.objects.values_list("stored_name", flat=True).iterator(500):
        path = directory() / stored
        if not path.exists():
            continue
        token = path.read_bytes()
        if token.startswith(crypto.FILE_PREFIX):
            continue  # under a person's key, which ``tirek keys rotate`` rewraps
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(crypto.rotate_bytes(token))
        os.replace(tmp, path)  # atomic: a reader sees the old or the new file, never half
        count += 1
    return count


def move_to_person_keys() -> int:
    """Re-encrypt every file still under the installation keys under the data key of its
    case's person (``tirek keys person``); returns how many."""
    from .models import Attachment

    count = 0
    rows = Attachment.objects.values_list("stored_name", "note__case__person_id")
    for stored, person_id in rows.iterator(500):
        path = directory() / stored
        if not path.exists():
            continue
        token = path.read_bytes()
        if token.startswith(crypto.FILE_PREFIX):
            continue
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(crypto.encrypt_bytes(crypto.decrypt_bytes(token), person_id=person_id))
        os.replace(tmp, path)
        count += 1
    return count
