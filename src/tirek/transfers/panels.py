"""What transfers add to other pages: the "my work" panel of pending transfers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from tirek.cases.panels import WorkPanel, WorkRow, work_row


def _transfer_rows(request: HttpRequest) -> list[Any]:
    """Which pending transfers wait (to the unit the user supervises, and those the user
    requested): their ids, read with the other "my work" rows in one query."""
    from django.db.models import F

    from tirek.access import policy
    from tirek.accounts.models import User

    from . import selectors

    user = request.user
    if not isinstance(user, User) or not policy.works_on_cases(user):
        return []
    case = {"case": F("case_id")}
    mine = selectors.pending_outgoing(user).filter(requested_by=user)
    parts = [work_row(mine, "transfer_out", **case)]
    if policy.supervised_unit_id(user) is not None:
        parts.append(work_row(selectors.pending_incoming(user), "transfer_in", **case))
    return parts


def _transfers(request: HttpRequest, rows: list[WorkRow]) -> dict[str, Any] | None:
    """Pending transfers: to the unit the user supervises, and those the user requested
    (read in full only when there are some)."""
    from tirek.accounts.models import User

    from . import selectors

    user = request.user
    if not isinstance(user, User):
        return None
    ids = {kind: {r[1] for r in rows if r[0] == kind} for kind in ("transfer_in", "transfer_out")}
    incoming = (
        list(selectors.pending_incoming(user).filter(pk__in=ids["transfer_in"])[:10])
        if ids["transfer_in"]
        else []
    )
    outgoing = (
        list(
            selectors.pending_outgoing(user).filter(requested_by=user, pk__in=ids["transfer_out"])[
                :10
            ]
        )
        if ids["transfer_out"]
        else []
    )
    if not incoming and not outgoing:
        return None
    return {
        "title": _("Transfers"),
        "template": "transfers/panel_transfers.html",
        "incoming": incoming,
        "outgoing": outgoing,
    }


transfers_panel = WorkPanel(
    rows=_transfer_rows, build=_transfers, kinds=frozenset({"transfer_in", "transfer_out"})
)
