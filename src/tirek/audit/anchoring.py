"""Anchors: the chain heads' digests, signed, kept outside the database.

The hash chains prove that nothing was changed, inserted or removed *between* the
first entry and the sealed heads. They cannot prove that the whole log (entries and
heads together) was not wiped and started again. An anchor closes that gap: the DPO
keeps a signed copy of every chain head's position and MAC somewhere else (a file on
another machine, paper); ``verify_against`` then proves that each anchored entry still
exists, unchanged, in an intact chain — so nothing before the anchor was removed.

The signature is an HMAC-SHA256 under a key derived from the audit key, so nobody
without the installation's audit key can forge an anchor that would cover a rewrite.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AuditChain, AuditEntry

ANCHOR_FORMAT = "tirek-audit-anchor/1"


class AnchorError(ValueError):
    """The anchor file is not one Tirek wrote, or it was changed."""


def _signature(body: dict[str, Any]) -> str:
    key = hashlib.sha256(b"tirek-audit-anchor:" + settings.AUDIT_KEY.encode()).digest()
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


def make_anchor(now: datetime | None = None) -> dict[str, Any]:
    """The current chain heads as a signed document (JSON-serialisable)."""
    heads = [
        {"chain": c.id, "seq": c.seq, "mac": c.head_mac}
        for c in AuditChain.objects.order_by("id")
        if c.seq > 0
    ]
    body = {
        "format": ANCHOR_FORMAT,
        "created_at": (now or timezone.now()).astimezone(UTC).isoformat(),
        "heads": heads,
    }
    return {**body, "signature": _signature(body)}


def load_anchor(text: str) -> dict[str, Any]:
    """Parse and check an anchor; raise AnchorError for anything Tirek did not sign."""
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise AnchorError(_("The anchor is not valid JSON.")) from exc
    if not isinstance(document, dict) or document.get("format") != ANCHOR_FORMAT:
        raise AnchorError(_("The file is not a Tirek audit anchor."))
    signature = document.pop("signature", "")
    if not isinstance(signature, str) or not hmac.compare_digest(signature, _signature(document)):
        raise AnchorError(
            _("The anchor's signature does not match: it was changed or made elsewhere.")
        )
    heads = document.get("heads")
    if not isinstance(heads, list) or not all(_is_head(h) for h in heads):
        raise AnchorError(_("The anchor's list of chain heads is malformed."))
    return document


def _is_head(head: object) -> bool:
    return (
        isinstance(head, dict)
        and isinstance(head.get("chain"), int)
        and isinstance(head.get("seq"), int)
        and isinstance(head.get("mac"), str)
    )


@dataclass(frozen=True)
class AnchoredHead:
    chain: int
    seq: int
    mac: str


def missing_since_anchor(document: dict[str, Any]) -> list[str]:
    """Problems found comparing the log with an anchor: each anchored head must still be
    in the log with the same MAC. Chain continuity up to it is ``verify()``'s job."""
    problems = []
    for head in (AnchoredHead(**h) for h in document["heads"]):
        stored = (
            AuditEntry.objects.filter(chain=head.chain, seq=head.seq)
            .values_list("mac", flat=True)
            .first()
        )
        if stored is None:
            problems.append(
                f"chain {head.chain}: entry #{head.seq}, anchored on "
                f"{document['created_at']}, is gone (the log was cut or wiped)"
            )
        elif stored != head.mac:
            problems.append(
                f"chain {head.chain}: entry #{head.seq} differs from the anchored one "
                "(the log was rewritten)"
            )
    return problems
