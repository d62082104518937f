"""Request types shared by the views and the API.

Behind ``login_required`` (and the API's session authentication) the request's user is a
signed-in ``User``, never ``AnonymousUser``; views that need the user annotate their
request with :class:`AuthenticatedHttpRequest` instead of ignoring the type of
``request.user``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from tirek.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request whose user has signed in (only as a type: requests are never built from it)."""

    user: User
