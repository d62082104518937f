from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from .registry import nav_items

if TYPE_CHECKING:
    from tirek.accounts.models import User


def _navigation(request: HttpRequest, user: User) -> list[dict[str, Any]]:
    """The links this user may follow; the one for the current page is marked active
    (the longest link that starts the current path, so a sub-page marks its own link)."""
    links = [
        {"label": item.label, "url": reverse(item.url_name), "active": False}
        for item in nav_items
        if item.visible(user)
    ]
    matching = [
        link for link in links if link["url"] != "/" and request.path.startswith(link["url"])
    ]
    if matching:
        max(matching, key=lambda link: len(link["url"]))["active"] = True
    return links


def tirek(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    nav: list[dict[str, Any]] = []
    must_enrol = bool(getattr(request, "tirek_must_enrol", False))
    if user is not None and user.is_authenticated and not must_enrol:
        nav = _navigation(request, user)
    return {
        "MUST_ENROL": must_enrol,
        "DEMO_MODE": settings.DEMO_MODE,
        "nav_items": nav,
        "LANGUAGES": settings.LANGUAGES,
    }
