"""The audit log in people's language: who did what to which record, not
"cases.case #3" and "filters: {}"."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from .models import Action, AuditEntry
from .selectors import CASE_TYPE, case_numbers

# Things the log names that are not models.
PSEUDO_OBJECTS: dict[str, Any] = {
    "audit.log": _("audit log"),
    "audit.verify": _("audit log check"),
    "privacy.emergency_reviews": _("emergency access reviews"),
    "training.report": _("training report"),
    "reports.exchange": _("regional exchange file"),
}

DETAIL_LABELS: dict[str, Any] = {
    "case": _("case"),
    "cases": _("cases"),
    "section": _("section"),
    "fields": _("fields changed"),
    "reason": _("reason"),
    "status": _("status"),
    "kind": _("kind"),
    "decision": _("decision"),
    "format": _("format"),
    "role": _("role"),
    "version": _("version"),
    "filters": _("filters"),
    "results": _("results"),
    "language": _("language"),
    "year": _("year"),
    "exists": _("record exists"),
    "shown": _("records shown"),
    "ids": _("records"),
}

# What a list entry (``record_list``, ``page_reads``) was read for, by its "kind".
LIST_KINDS: dict[str, Any] = {
    "list": _("list"),
    "name_search": _("name search"),
    "my work": _("the “my work” page"),
    "incoming": _("referrals received"),
    "outgoing": _("referrals sent"),
    "all": _("all referrals"),
    "case": _("the case's referrals"),
}


@dataclass(frozen=True)
class Row:
    at: datetime
    who: str
    username: str
    action: str
    subject: str
    ip: str
    details: list[tuple[Any, str]]


def kind_label(object_type: str) -> str:
    """A record kind in the reader's language (the model's verbose name)."""
    if object_type in PSEUDO_OBJECTS:
        return str(PSEUDO_OBJECTS[object_type])
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    return str(model._meta.verbose_name)


def _value(key: str, value: Any, numbers: dict[int, str]) -> str:
    if key == "case" and isinstance(value, int):
        return numbers.get(value, f"#{value}")
    if key == "kind" and isinstance(value, str) and value in LIST_KINDS:
        return str(LIST_KINDS[value])
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


def _details(entry: AuditEntry, numbers: dict[int, str]) -> list[tuple[Any, str]]:
    details = []
    for key, value in (entry.detail or {}).items():
        if value in (None, "", [], {}):
            continue
        if (key == "ids" and entry.object_type == CASE_TYPE) or key == "cases":
            value = [numbers.get(pk, f"#{pk}") for pk in _ints(value)]  # by their numbers
        details.append((DETAIL_LABELS.get(key, key), _value(key, value, numbers)))
    return details


def _ints(value: Any) -> list[int]:
    return [pk for pk in value if isinstance(pk, int)] if isinstance(value, list) else []


def _listed_cases(entry: AuditEntry) -> list[int]:
    """The cases an entry names among several: a list's, or its detail's "cases"."""
    detail = entry.detail or {}
    listed = _ints(detail.get("ids")) if entry.object_type == CASE_TYPE else []
    return listed + _ints(detail.get("cases"))


def _case_ids(entries: Iterable[AuditEntry]) -> set[int]:
    ids: set[int] = set()
    for entry in entries:
        if entry.object_type == CASE_TYPE and entry.object_id.isdigit():
            ids.add(int(entry.object_id))
        case = (entry.detail or {}).get("case")
        if isinstance(case, int):
            ids.add(case)
        ids.update(_listed_cases(entry))
    return ids


def _subject(entry: AuditEntry, numbers: dict[int, str]) -> str:
    if not entry.object_type:
        return ""
    kind = kind_label(entry.object_type)
    if entry.object_type == CASE_TYPE and entry.object_id.isdigit():
        return f"{kind} {numbers.get(int(entry.object_id), '#' + entry.object_id)}"
    return f"{kind} #{entry.object_id}" if entry.object_id else kind


def _who(entry: AuditEntry) -> str:
    actor = entry.actor
    if actor is not None and actor.get_full_name():
        return str(actor.get_full_name())
    return entry.actor_name or "—"


def rows(entries: Sequence[AuditEntry]) -> list[Row]:
    """One page of entries, described; case numbers looked up in one query."""
    numbers = case_numbers(_case_ids(entries))
    return [
        Row(
            at=entry.at,
            who=_who(entry),
            username=entry.actor_name,
            action=str(Action(entry.action).label) if entry.action in Action.values else entry.action,
            subject=_subject(entry, numbers),
            ip=entry.ip,
            details=_details(entry, numbers),
        )
        for entry in entries
    ]
