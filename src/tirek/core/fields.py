"""Field conventions the apps' models share.

A staff account named on a record (who recorded, requested, decided, is responsible) is
protected: it cannot be deleted while a record names it. Most such references need no way
back from the account (``related_name="+"``).

Narrative about a person (notes, views, reasons) is encrypted at rest and refuses control
characters, whatever model keeps it.

Core imports no app: the user model is named through ``settings.AUTH_USER_MODEL``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, overload

from django.conf import settings
from django.db import models

from .crypto import EncryptedTextField
from .validation import reject_control_chars

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from tirek.accounts.models import User


@overload
def user_fk(
    verbose_name: StrOrPromise | None = None,
    *,
    null: Literal[False] = False,
    related_name: str = "+",
) -> models.ForeignKey[User, User]: ...


@overload
def user_fk(
    verbose_name: StrOrPromise | None = None,
    *,
    null: Literal[True],
    related_name: str = "+",
) -> models.ForeignKey[User | None, User | None]: ...


def user_fk(
    verbose_name: StrOrPromise | None = None,
    *,
    null: bool = False,
    related_name: str = "+",
) -> models.ForeignKey[User | None, User | None] | models.ForeignKey[User, User]:
    """A reference to a staff account; ``null``: not (yet) known, and optional in forms."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=null,
        blank=null,
        related_name=related_name,
        verbose_name=verbose_name,
    )


def encrypted_text(verbose_name: StrOrPromise, *, blank: bool = False) -> EncryptedTextField:
    """Narrative text, encrypted at rest (``tirek.core.crypto``); ``blank``: optional."""
    return EncryptedTextField(verbose_name, blank=blank, validators=[reject_control_chars])
