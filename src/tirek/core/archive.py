"""Files that leave Tirek (DESIGN.md section 4, issue 11 part 5): an AES-256 ZIP (WinZip
AES, which 7-Zip and current Windows tools open) and the one-time password that opens it.

The password is shown once to the requester and stored nowhere, never e-mailed. Used by
the subject-access package (``tirek.retention``) and the case summaries
(``tirek.documents``)."""

from __future__ import annotations

import io
import secrets

import pyzipper

# No look-alikes (0/O, 1/l/I): the password is read aloud or typed by hand.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


def one_time_password(length: int = 20) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def encrypted_zip(files: dict[str, bytes], password: str) -> bytes:
    """``files`` (name → content) in an AES-256 encrypted ZIP."""
    buffer = io.BytesIO()
    with pyzipper.AESZipFile(
        buffer, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    ) as archive:
        archive.setpassword(password.encode())
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()
