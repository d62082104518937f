"""The justice pathway's panel on the case page's overview (only what ``sections`` opens)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from tirek.accounts.models import User

from . import selectors


def case_panel(request: HttpRequest, case: Any, sections: frozenset[str]) -> dict[str, Any] | None:
    user = request.user
    if not isinstance(user, User):
        return None
    view = selectors.justice_view(user, case, sections)
    if view.empty:
        return None
    title = _("Contact with a parent") if view.contacts is not None else _("Justice pathway")
    return {"title": title, "template": "justice/panel.html", "case": case, "view": view}
