"""Plugging transfers and group arrivals into the shell: URLs, "my work", indicators."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from tirek.core.registry import add_my_work_panel, add_urls


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


def register() -> None:
    add_urls("transfers/", "tirek.transfers.urls")
    add_my_work_panel(41, transfers_panel)
    from django.apps import apps

    if apps.is_installed("tirek.reports"):
        from . import indicators

        indicators.register_all()
