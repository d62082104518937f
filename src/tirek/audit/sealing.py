"""MACs for audit entries and chain heads (HMAC-SHA256 with the audit key)."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.conf import settings


def _mac(payload: bytes) -> str:
    return hmac.new(settings.AUDIT_KEY.encode(), payload, hashlib.sha256).hexdigest()


def entry_mac(fields: dict[str, Any]) -> str:
    """MAC over an entry's content; ``fields`` are the stored values, in canonical JSON."""
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return _mac(canonical.encode())


def chain_seal(chain_id: int, seq: int, head_mac: str) -> str:
    return _mac(f"chain:{chain_id}:{seq}:{head_mac}".encode())


def entry_fields(
    *,
    chain: int,
    seq: int,
    at_iso: str,
    actor_id: int | None,
    actor_name: str,
    action: str,
    object_type: str,
    object_id: str,
    ip: str,
    detail: dict[str, Any],
    prev_mac: str,
) -> dict[str, Any]:
    return {
        "chain": chain,
        "seq": seq,
        "at": at_iso,
        "actor_id": actor_id,
        "actor_name": actor_name,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "ip": ip,
        "detail": detail,
        "prev_mac": prev_mac,
    }
