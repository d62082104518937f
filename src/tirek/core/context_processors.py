from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .registry import nav_items


def tirek(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    nav = []
    if user is not None and user.is_authenticated:
        nav = [item for item in nav_items if item.visible(user)]
    return {
        "DEMO_MODE": settings.DEMO_MODE,
        "nav_items": nav,
        "LANGUAGES": settings.LANGUAGES,
    }
