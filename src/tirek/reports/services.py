"""Writes of the reports app: asking for an export (audited in the same transaction)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from tirek.audit.models import Action
from tirek.audit.services import save_recorded
from tirek.core.exceptions import Refused

from . import conf, jobs, permissions
from .models import Export

if TYPE_CHECKING:
    from tirek.accounts.models import User


def export_request(
    *,
    user: User,
    kind: str,
    audience: str,
    year: int,
    region: str = "",
    language: str = "ru",
    request: HttpRequest | None = None,
) -> Export:
    """Queue an export of ``audience``'s dashboard; the job starts after the commit."""
    permissions.require(user, audience)
    if kind == Export.Kind.EXCHANGE and audience != permissions.MINISTRY:
        raise Refused(_("The regional exchange is made from the national dashboard only."))
    with transaction.atomic():
        export = Export(
            kind=kind,
            audience=audience,
            params={"year": year, "region": region, "language": language},
            requested_by=user,
        )
        save_recorded(
            export,
            actor=user,
            action=Action.EXPORT,
            request=request,
            detail={
                "kind": kind,
                "audience": audience,
                "year": year,
                "region": region,
                "stage": "requested",
            },
        )
        if not conf.exports_eager():
            jobs.enqueue(export.pk)  # on commit: a rolled-back request queues nothing
    if conf.exports_eager():
        jobs.run_now(export.pk)  # tests: at once, in the request
        export.refresh_from_db()
    return export
