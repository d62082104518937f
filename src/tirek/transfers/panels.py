"""What transfers add to other pages: the "my work" panel of pending transfers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _


def transfers_panel(request: HttpRequest) -> dict[str, Any] | None:
    """Pending transfers: to the unit the user supervises, and those the user requested."""
    from tirek.access import policy
    from tirek.accounts.models import User

    from . import selectors

    user = request.user
    if not isinstance(user, User) or not policy.works_on_cases(user):
        return None
    incoming = list(selectors.pending_incoming(user)[:10])
    outgoing = list(selectors.pending_outgoing(user).filter(requested_by=user)[:10])
    if not incoming and not outgoing:
        return None
    return {
        "title": _("Transfers"),
        "template": "transfers/panel_transfers.html",
        "incoming": incoming,
        "outgoing": outgoing,
    }
