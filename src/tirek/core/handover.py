"""An encrypted archive handed over once (the case summary, the subject-access package).

It waits in the cache for one download by the user who asked for it; the page that says
so is the only place its password is shown. Neither the page nor the archive is kept by
the browser (``Cache-Control: no-store``).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.cache import cache
from django.http import Http404, HttpResponse

from .http import AuthenticatedHttpRequest


def hold(request: AuthenticatedHttpRequest, kind: str, *held: object, seconds: int) -> str:
    """Keep ``held`` (ids, the archive…) for the requester's one download of this ``kind``;
    the token that names it."""
    token = secrets.token_urlsafe(24)
    cache.set(f"{kind}:{token}", (request.user.pk, *held), seconds)
    return token


def take(request: AuthenticatedHttpRequest, kind: str, token: str) -> tuple[Any, ...]:
    """What :func:`hold` kept under ``token``, once, for the user who asked for it: 404 for
    anyone else, a second time, or once it has expired."""
    key = f"{kind}:{token[:64]}"
    stored = cache.get(key)
    if stored is None or stored[0] != request.user.pk:
        raise Http404
    cache.delete(key)
    return tuple(stored[1:])


def not_stored(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def zip_download(archive: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return not_stored(response)
