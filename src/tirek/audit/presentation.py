"""The audit log in people's language: who did what to which record, not
"cases.case #3" and "filters: {}".

Each key an entry's detail may hold has a label (``DETAIL_LABELS``); its value is shown by
what it means: a case by its number, a staff member by name, a choice by its label (from
the field of the model that defines it), field names by their verbose names, dates in the
reader's format, agencies, units and regions by name, other records as "#id". The cases,
the staff and the organisations a page names are looked up once for the whole page.
Anything the log does not know stays as it was written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .forms import AuditFilterForm
from .models import Action, AuditEntry
from .selectors import CASE_TYPE, ORGANISATION_KEYS, case_numbers, organisation_names

# The labels and words added for the details carry the context "audit log", so that a
# short word ("family", "goal") never takes over another app's translation of it (the
# audit app's catalogue comes before the domain apps'). Written out in each call: the
# message extractor reads only a literal context.

# Things the log names that are not models.
PSEUDO_OBJECTS: dict[str, Any] = {
    "audit.log": _("audit log"),
    "audit.verify": _("audit log check"),
    "privacy.emergency_reviews": _("emergency access reviews"),
    "training.report": _("training report"),
    "reports.exchange": _("regional exchange file"),
}

_FIELDS_CHANGED = _("fields changed")
_ADDED_TO_TEAM = pgettext_lazy("audit log", "added to the case team")
_REMOVED_FROM_TEAM = pgettext_lazy("audit log", "removed from the case team")
_SUBJECT_REQUEST = pgettext_lazy("audit log", "subject-access request")
_TWO_FACTOR_RESET = pgettext_lazy("audit log", "two-factor authentication reset")

# Every key the code records in an entry's detail (``record``, ``save_recorded``,
# ``record_many``, ``record_list``, ``shown``), as a case worker or the DPO would say it.
DETAIL_LABELS: dict[str, Any] = {
    "case": _("case"),
    "cases": _("cases"),
    "section": _("section"),
    "fields": _FIELDS_CHANGED,
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
    "list": _("list"),
    "access": pgettext_lazy("audit log", "emergency access"),
    "added": pgettext_lazy("audit log", "roles added"),
    "agency": pgettext_lazy("audit log", "agency"),
    "approved": pgettext_lazy("audit log", "approved"),
    "approved_plan": pgettext_lazy("audit log", "plan approved"),
    "area": pgettext_lazy("audit log", "area"),
    "attendance": pgettext_lazy("audit log", "attendance"),
    "audience": pgettext_lazy("audit log", "dashboard"),
    "batch": pgettext_lazy("audit log", "destruction batch"),
    "by": pgettext_lazy("audit log", "requester"),
    "cancelled": pgettext_lazy("audit log", "cancelled"),
    "candidate": pgettext_lazy("audit log", "possible duplicate"),
    "candidates": pgettext_lazy("audit log", "possible duplicates found"),
    "case_manager": pgettext_lazy("audit log", "case manager"),
    "change": pgettext_lazy("audit log", "change"),
    "changed": _FIELDS_CHANGED,
    "closed": pgettext_lazy("audit log", "closed"),
    "code": pgettext_lazy("audit log", "course code"),
    "community_worker": pgettext_lazy("audit log", "community worker"),
    "competency": pgettext_lazy("audit log", "competency"),
    "completed": pgettext_lazy("audit log", "completed"),
    "condition": pgettext_lazy("audit log", "condition"),
    "conference": pgettext_lazy("audit log", "case conference"),
    "consent": pgettext_lazy("audit log", "covered by consent"),
    "consent_form": pgettext_lazy("audit log", "consent form"),
    "consent_override": pgettext_lazy("audit log", "consent overridden"),
    "consents": pgettext_lazy("audit log", "consents"),
    "country": pgettext_lazy("audit log", "country"),
    "course": pgettext_lazy("audit log", "course"),
    "destroyed": pgettext_lazy("audit log", "records destroyed"),
    "disabled": pgettext_lazy("audit log", "account disabled"),
    "doc_type": pgettext_lazy("audit log", "document type"),
    "document": pgettext_lazy("audit log", "document"),
    "domain": pgettext_lazy("audit log", "domain"),
    "done": pgettext_lazy("audit log", "done"),
    "downloaded": pgettext_lazy("audit log", "downloaded"),
    "due": pgettext_lazy("audit log", "due"),
    "duplicate": pgettext_lazy("audit log", "duplicate record"),
    "elearning": pgettext_lazy("audit log", "e-learning"),
    "emergency": pgettext_lazy("audit log", "through emergency access"),
    "emergency_scope_extended_to": pgettext_lazy("audit log", "emergency access extended to"),
    "emergency_scope_revoked": pgettext_lazy("audit log", "emergency access extension ended for"),
    "event": pgettext_lazy("audit log", "training event"),
    "expires_at": pgettext_lazy("audit log", "expires"),
    "export": pgettext_lazy("audit log", "export"),
    "failures": pgettext_lazy("audit log", "failed attempts"),
    "family": pgettext_lazy("audit log", "family"),
    "file": pgettext_lazy("audit log", "file"),
    "files": pgettext_lazy("audit log", "files attached"),
    "follow_up": pgettext_lazy("audit log", "follow-up"),
    "from_case_manager": pgettext_lazy("audit log", "previous case manager"),
    "from_unit": pgettext_lazy("audit log", "from unit"),
    "given_by": pgettext_lazy("audit log", "consent given by"),
    "goal": pgettext_lazy("audit log", "goal"),
    "goals": pgettext_lazy("audit log", "goals"),
    "granted": pgettext_lazy("audit log", "granted"),
    "group_import": pgettext_lazy("audit log", "group arrival"),
    "held": pgettext_lazy("audit log", "held"),
    "held_back": pgettext_lazy("audit log", "records held back"),
    "hidden": pgettext_lazy("audit log", "not visible to the user"),
    "household": pgettext_lazy("audit log", "household"),
    "imported_participants": pgettext_lazy("audit log", "participants imported"),
    "incident": pgettext_lazy("audit log", "incident"),
    "indicators": pgettext_lazy("audit log", "indicators"),
    "instrument": pgettext_lazy("audit log", "instrument"),
    "interview": pgettext_lazy("audit log", "interview"),
    "interviewer": pgettext_lazy("audit log", "interviewer"),
    "invited": pgettext_lazy("audit log", "invited"),
    "kept": pgettext_lazy("audit log", "record kept"),
    "legal_hold": pgettext_lazy("audit log", "legal hold"),
    "legal_hold_lifted": pgettext_lazy("audit log", "legal hold lifted"),
    "level": pgettext_lazy("audit log", "access level"),
    "linked": pgettext_lazy("audit log", "linked"),
    "master": pgettext_lazy("audit log", "master trainer"),
    "matter": pgettext_lazy("audit log", "matter"),
    "member_added": pgettext_lazy("audit log", "family member added"),
    "member_removed": pgettext_lazy("audit log", "family member removed"),
    "members": pgettext_lazy("audit log", "members"),
    "membership_granted": pgettext_lazy("audit log", "case team membership granted"),
    "membership_removed": pgettext_lazy("audit log", "case team membership ended"),
    "merged_from": pgettext_lazy("audit log", "merged from"),
    "merged_into": pgettext_lazy("audit log", "merged into"),
    "months": pgettext_lazy("audit log", "months after closure"),
    "name": pgettext_lazy("audit log", "name"),
    "name_added": pgettext_lazy("audit log", "name added"),
    "name_removed": pgettext_lazy("audit log", "name removed"),
    "next_review_on": pgettext_lazy("audit log", "next review"),
    "not_included": pgettext_lazy("audit log", "family members not included"),
    "note": pgettext_lazy("audit log", "contact note"),
    "number": pgettext_lazy("audit log", "case number"),
    "other_names": pgettext_lazy("audit log", "other names"),
    "outcome": pgettext_lazy("audit log", "outcome"),
    "override": pgettext_lazy("audit log", "recorded as an override"),
    "override_approved": pgettext_lazy("audit log", "override approved"),
    "own_views": pgettext_lazy("audit log", "child's own views recorded"),
    "owner": pgettext_lazy("audit log", "responsible"),
    "package_downloaded": pgettext_lazy("audit log", "package downloaded"),
    "participant": pgettext_lazy("audit log", "participant"),
    "participant_added": pgettext_lazy("audit log", "participant added"),
    "participant_removed": pgettext_lazy("audit log", "participant removed"),
    "password": pgettext_lazy("audit log", "password"),
    "people": pgettext_lazy("audit log", "people registered"),
    "person": pgettext_lazy("audit log", "person"),
    "phase": pgettext_lazy("audit log", "phase"),
    "photo": pgettext_lazy("audit log", "photo"),
    "planned": pgettext_lazy("audit log", "planned"),
    "probable": pgettext_lazy("audit log", "probable duplicates"),
    "protected_identity": pgettext_lazy("audit log", "protected identity"),
    "psychological_release": pgettext_lazy("audit log", "release of psychological notes"),
    "published": pgettext_lazy("audit log", "published"),
    "purpose": pgettext_lazy("audit log", "purpose"),
    "purpose_other": pgettext_lazy("audit log", "other purpose"),
    "questions": pgettext_lazy("audit log", "questions answered"),
    "readiness": pgettext_lazy("audit log", "child's readiness"),
    "recipient": pgettext_lazy("audit log", "recipient"),
    "recipients": pgettext_lazy("audit log", "receiving agencies"),
    "record_type": pgettext_lazy("audit log", "kind of records"),
    "recorded": pgettext_lazy("audit log", "recording made"),
    "referral": pgettext_lazy("audit log", "referral"),
    "region": pgettext_lazy("audit log", "region"),
    "regions": pgettext_lazy("audit log", "regions served changed"),
    "registered": pgettext_lazy("audit log", "registered"),
    "relationships": pgettext_lazy("audit log", "relationships recorded"),
    "relative": pgettext_lazy("audit log", "relative"),
    "removed": pgettext_lazy("audit log", "roles removed"),
    "reopened": pgettext_lazy("audit log", "reopened"),
    "repeat": pgettext_lazy("audit log", "repeat interview"),
    "repeat_approved": pgettext_lazy("audit log", "repeat interview approved"),
    "request": pgettext_lazy("audit log", "role change request"),
    "requested_by": pgettext_lazy("audit log", "requested by"),
    "reset": _TWO_FACTOR_RESET,
    "reset_two_factor": _TWO_FACTOR_RESET,
    "responsibilities_moved": pgettext_lazy("audit log", "goals and interventions handed over"),
    "review": pgettext_lazy("audit log", "review outcome"),
    "revoked": pgettext_lazy("audit log", "revoked"),
    "risk_level": pgettext_lazy("audit log", "risk level"),
    "roles": pgettext_lazy("audit log", "roles"),
    "rows": pgettext_lazy("audit log", "rows"),
    "scope": pgettext_lazy("audit log", "scope"),
    "score": pgettext_lazy("audit log", "match score"),
    "scores": pgettext_lazy("audit log", "scores recorded"),
    "sections": pgettext_lazy("audit log", "sections"),
    "severity": pgettext_lazy("audit log", "level of need"),
    "size": pgettext_lazy("audit log", "size"),
    "source": pgettext_lazy("audit log", "basis"),
    "stage": pgettext_lazy("audit log", "stage"),
    "state": pgettext_lazy("audit log", "state"),
    "step": pgettext_lazy("audit log", "sign-in step"),
    "subject_access_package": pgettext_lazy("audit log", "subject-access package prepared"),
    "subject_access_preview": _SUBJECT_REQUEST,
    "subject_request": _SUBJECT_REQUEST,
    "team_added": _ADDED_TO_TEAM,
    "team_kept": pgettext_lazy("audit log", "kept on the case team"),
    "team_member_added": _ADDED_TO_TEAM,
    "team_member_removed": _REMOVED_FROM_TEAM,
    "team_released": pgettext_lazy("audit log", "released from the case team"),
    "team_removed": _REMOVED_FROM_TEAM,
    "third_party": pgettext_lazy("audit log", "about other people"),
    "to_case_manager": pgettext_lazy("audit log", "new case manager"),
    "to_unit": pgettext_lazy("audit log", "to unit"),
    "tokens": pgettext_lazy("audit log", "API tokens revoked"),
    "trainer": pgettext_lazy("audit log", "trainer"),
    "trainer_removed": pgettext_lazy("audit log", "trainer removed"),
    "transfer": pgettext_lazy("audit log", "transfer"),
    "transfer_preview": pgettext_lazy("audit log", "transfer being prepared"),
    "transfers": pgettext_lazy("audit log", "transfers"),
    "type": pgettext_lazy("audit log", "type"),
    "unit": pgettext_lazy("audit log", "unit"),
    "unlocked": pgettext_lazy("audit log", "unlocked"),
    "until": pgettext_lazy("audit log", "until"),
    "user": pgettext_lazy("audit log", "staff member"),
    "via": pgettext_lazy("audit log", "through"),
    "view": pgettext_lazy("audit log", "tab"),
    "why": pgettext_lazy("audit log", "why"),
    "withdrawn": pgettext_lazy("audit log", "withdrawn"),
}

# What a list entry (``record_list``, ``page_reads``, a search) was read for, by its "kind".
LIST_KINDS: dict[str, Any] = {
    "list": _("list"),
    "name_search": _("name search"),
    "my work": _("the “my work” page"),
    "incoming": _("referrals received"),
    "outgoing": _("referrals sent"),
    "all": _("all referrals"),
    "case": _("the case's referrals"),
    "duplicate_check": pgettext_lazy("audit log", "duplicate check"),
    "duplicate_confirmed": pgettext_lazy("audit log", "duplicate confirmed"),
    "group_duplicate_check": pgettext_lazy("audit log", "duplicate check of a group arrival"),
    "group_duplicate_recheck": pgettext_lazy("audit log", "duplicate re-check of a group arrival"),
}

# The keys whose values are ids of staff members (one or a list): shown by name.
USER_KEYS = frozenset(
    {
        "case_manager",
        "community_worker",
        "emergency_scope_extended_to",
        "emergency_scope_revoked",
        "from_case_manager",
        "interviewer",
        "invited",
        "owner",
        "team_added",
        "team_kept",
        "team_member_added",
        "team_member_removed",
        "team_released",
        "team_removed",
        "to_case_manager",
        "user",
    }
)

# The keys whose values are ids of other records (one or a list): shown as "#id", like
# the record column. Agencies, units and regions (``ORGANISATION_KEYS``) go by name.
RECORD_KEYS = frozenset(
    {
        "access",
        "approved_plan",
        "batch",
        "candidate",
        "condition",
        "conference",
        "consents",
        "duplicate",
        "event",
        "family",
        "goal",
        "goals",
        "group_import",
        "incident",
        "interview",
        "kept",
        "matter",
        "member_added",
        "member_removed",
        "members",
        "merged_from",
        "merged_into",
        "note",
        "participant",
        "participant_added",
        "participant_removed",
        "person",
        "psychological_release",
        "recipients",
        "referral",
        "relative",
        "request",
        "subject_access_preview",
        "transfer",
        "transfer_preview",
        "transfers",
    }
)
# The keys that hold either a list of records' ids or a count of them.
RECORDS_OR_COUNT = frozenset({"linked"})
# An account change names its agency, unit and region before and after: [old, new].
BEFORE_AFTER_KEYS = frozenset({"agency", "unit", "region"})

# The keys whose values are ISO dates or moments: shown in the reader's format.
DATE_KEYS = frozenset({"due", "expires_at", "next_review_on", "until"})

# The keys whose values are names of fields of the entry's record: shown by verbose name.
FIELD_KEYS = frozenset({"fields", "changed"})

# Where a key's values find their labels when the entry's own record has no field of that
# name with choices: (model, field) pairs tried in order.
CHOICES: dict[str, tuple[tuple[str, str], ...]] = {
    "added": (("accounts.userrole", "role"),),
    "area": (("families.familygoal", "area"),),
    "attendance": (("conferences.participant", "attendance"),),
    "by": (("retention.subjectrequest", "requester_kind"),),
    "competency": (("accounts.staffcompetency", "competency"),),
    "decision": (("plans.plandecision", "decision"),),
    "domain": (("plans.goal", "domain"),),
    "kind": (("reports.export", "kind"),),
    "language": (("training.event", "language"),),
    "legal_hold": (("retention.legalhold", "scope"),),
    "legal_hold_lifted": (("retention.legalhold", "scope"),),
    "name_added": (("people.personname", "kind"),),
    "name_removed": (("people.personname", "kind"),),
    "purpose": (("documents.psychologicalrelease", "purpose"),),
    "readiness": (("interviews.interview", "readiness"),),
    "reason": (("plans.closure", "reason"),),
    "record_type": (("retention.destructionbatch", "record_type"),),
    "removed": (("accounts.userrole", "role"),),
    "review": (("privacy.emergencyaccess", "outcome"),),
    "role": (
        ("accounts.userrole", "role"),
        ("families.familymember", "role"),
        ("referrals.referral", "role"),
    ),
    "roles": (("accounts.userrole", "role"),),
    "section": (("cases.contactnote", "section"),),
    "sections": (("cases.contactnote", "section"),),
    "stage": (("accounts.rolechangerequest", "status"),),
    "subject_request": (("retention.subjectrequest", "kind"),),
    "type": (("mfa.authenticator", "type"),),
}

# A dictionary's keys and values where they are choices: (keys' source, values' source).
DICT_CHOICES: dict[str, tuple[tuple[str, str], tuple[str, str] | None]] = {
    "due": (("retention.destructionbatch", "record_type"), None),
    "severity": (("plans.goal", "domain"), ("assessments.domainscore", "severity")),
}

_REMOVED = pgettext_lazy("audit log", "removed")

# Words the code records that are no model's choices.
VALUE_LABELS: dict[tuple[str, str], Any] = {
    ("change", "added"): pgettext_lazy("audit log", "added"),
    ("change", "removed"): _REMOVED,
    ("change", "reset"): pgettext_lazy("audit log", "reset"),
    ("document", "case_summary"): pgettext_lazy("audit log", "case summary"),
    ("export", "plan_pdf"): pgettext_lazy("audit log", "individual plan (PDF)"),
    ("household", "left"): pgettext_lazy("audit log", "left the household"),
    ("list", "role changes"): pgettext_lazy("audit log", "role change requests"),
    ("password", "changed"): pgettext_lazy("audit log", "changed"),
    ("photo", "removed"): _REMOVED,
    ("photo", "set"): pgettext_lazy("audit log", "added or replaced"),
    ("reason", "outside region and agency"): pgettext_lazy(
        "audit log", "the case is outside the user's region and agency"
    ),
    ("reason", "password changed"): pgettext_lazy("audit log", "the password was changed"),
    ("scope", "account"): pgettext_lazy("audit log", "the whole account"),
    ("stage", "accepted"): pgettext_lazy("audit log", "accepted"),
    ("stage", "downloaded"): pgettext_lazy("audit log", "downloaded"),
    ("stage", "refused"): pgettext_lazy("audit log", "refused"),
    ("stage", "requested"): pgettext_lazy("audit log", "requested"),
    ("step", "password"): pgettext_lazy("audit log", "password"),
    ("step", "two-factor"): pgettext_lazy("audit log", "two-factor code"),
    ("version", "draft"): pgettext_lazy("audit log", "draft"),
    ("via", "admin"): pgettext_lazy("audit log", "the administration pages"),
    ("via", "api"): pgettext_lazy("audit log", "the API"),
    ("via", "family plan"): pgettext_lazy("audit log", "the family plan"),
    ("via", "provisioning"): pgettext_lazy("audit log", "account provisioning"),
    ("why", "direct"): pgettext_lazy("audit log", "a direct change"),
    ("why", "own account"): pgettext_lazy("audit log", "the user's own account"),
}

# Ids beyond this are no row's (and would overflow the database's integer columns).
_MAX_ID = 2**63 - 1
_MAX_DEPTH = 3  # nested dictionaries deeper than this are shown as written


@dataclass(frozen=True)
class Row:
    at: datetime
    who: str
    username: str
    action: str
    subject: str
    ip: str
    details: list[tuple[Any, str]]


@dataclass(frozen=True)
class Names:
    """What a page's entries name, looked up once for the page."""

    cases: dict[int, str]
    staff: dict[int, str]
    organisations: dict[tuple[str, int], str]


def kind_label(object_type: str) -> str:
    """A record kind in the reader's language (the model's verbose name)."""
    if object_type in PSEUDO_OBJECTS:
        return str(PSEUDO_OBJECTS[object_type])
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    return str(model._meta.verbose_name)


def _user_type() -> str:
    return str(get_user_model()._meta.label_lower)


def _id(value: Any) -> int | None:
    """``value`` as a row id if it can be one (not a flag, not a number past any row)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 < value <= _MAX_ID else None


def _ids(value: Any) -> list[int]:
    """The ids in a value that holds one or a list of them."""
    items = value if isinstance(value, list) else [value]
    return [pk for pk in map(_id, items) if pk is not None]


def _object_id(entry: AuditEntry) -> int | None:
    text = entry.object_id
    return _id(int(text)) if text.isascii() and text.isdigit() and len(text) < 20 else None


def _detail(entry: AuditEntry) -> dict[str, Any]:
    return entry.detail if isinstance(entry.detail, dict) else {}


def _pairs(detail: dict[str, Any], depth: int = 0) -> Iterator[tuple[str, Any]]:
    """Every key and value of a detail, those of nested dictionaries included."""
    for key, value in detail.items():
        yield key, value
        if isinstance(value, dict) and depth < _MAX_DEPTH:
            yield from _pairs(value, depth + 1)


def _names_cases(entry: AuditEntry, key: str, value: Any) -> bool:
    """Whether a detail names cases: its "case", a list of "cases" (group arrivals before
    8 December 2026 counted them instead), a list of cases' "ids"."""
    if key == "case":
        return True
    listed = key == "cases" or (key == "ids" and entry.object_type == CASE_TYPE)
    return listed and isinstance(value, list)


def _case_ids(entries: Iterable[AuditEntry]) -> set[int]:
    ids: set[int] = set()
    for entry in entries:
        if entry.object_type == CASE_TYPE:
            ids.update(_ids(_object_id(entry)))
        for key, value in _pairs(_detail(entry)):
            if _names_cases(entry, key, value):
                ids.update(_ids(value))
    return ids


def _staff_ids(entries: Iterable[AuditEntry]) -> set[int]:
    user_type = _user_type()
    ids: set[int] = set()
    for entry in entries:
        if entry.object_type == user_type:
            ids.update(_ids(_object_id(entry)))
        for key, value in _pairs(_detail(entry)):
            if key in USER_KEYS or (key == "ids" and entry.object_type == user_type):
                ids.update(_ids(value))
    return ids


def _organisation_ids(entries: Iterable[AuditEntry]) -> dict[str, set[int]]:
    ids: dict[str, set[int]] = {}
    for entry in entries:
        for key, value in _pairs(_detail(entry)):
            if key in ORGANISATION_KEYS:
                ids.setdefault(ORGANISATION_KEYS[key], set()).update(_ids(value))
    return ids


def _display_name(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username


def staff_names(entries: Sequence[AuditEntry]) -> dict[int, str]:
    """The staff a page's entries name, by id: those who acted come with their entries,
    the others in one query (none when every one of them acted on the page)."""
    names = {
        entry.actor.pk: _display_name(
            entry.actor.first_name, entry.actor.last_name, entry.actor.username
        )
        for entry in entries
        if entry.actor is not None
    }
    missing = _staff_ids(entries) - set(names)
    if missing:
        rows = get_user_model().objects.filter(pk__in=missing)
        for pk, first, last, username in rows.values_list(
            "pk", "first_name", "last_name", "username"
        ):
            names[pk] = _display_name(first, last, username)
    return names


@lru_cache(maxsize=512)
def _choices(model_label: str, field: str) -> dict[str, Any]:
    """The labels of a model field's choices (none for anything else)."""
    try:
        found = apps.get_model(model_label)._meta.get_field(field)
    except (LookupError, ValueError, FieldDoesNotExist):
        return {}
    return {str(value): label for value, label in getattr(found, "flatchoices", None) or []}


def _choice(sources: Iterable[tuple[str, str]], value: str) -> str | None:
    for model_label, field in sources:
        label = _choices(model_label, field).get(value)
        if label is not None:
            return str(label)
    return None


def _word(entry: AuditEntry, key: str, value: str) -> str:
    """A recorded word in the reader's language: the choice of the entry's own record, of
    the model the key names, a list's purpose, or one of the log's words."""
    label = _choice([(entry.object_type, key), *CHOICES.get(key, ())], value)
    if label is not None:
        return label
    if key == "kind" and value in LIST_KINDS:
        return str(LIST_KINDS[value])
    if (key, value) in VALUE_LABELS:
        return str(VALUE_LABELS[key, value])
    if key == "protected_identity" and value in ("True", "False"):
        return _yes_no(value == "True")
    return value


@lru_cache(maxsize=1024)
def _field_label(object_type: str, name: str) -> Any:
    """A field's verbose name: of the entry's model, else of another model of its app
    (a justice update names the fields of the status or condition it changed)."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return name
    config = apps.get_app_config(model._meta.app_label)
    for candidate in [model, *(m for m in config.get_models() if m is not model)]:
        try:
            verbose = getattr(candidate._meta.get_field(name), "verbose_name", None)
        except FieldDoesNotExist:
            continue
        if verbose:
            return verbose
    return name


def _moment(value: str) -> str:
    """An ISO date or moment in the reader's format (anything else as written)."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return value
    if len(value) <= 10:
        return formats.date_format(parsed.date(), "SHORT_DATE_FORMAT")
    if timezone.is_aware(parsed):
        parsed = timezone.localtime(parsed)
    return formats.date_format(parsed, "SHORT_DATETIME_FORMAT")


def _yes_no(value: bool) -> str:
    return str(_("yes") if value else _("no"))


def _record(value: Any) -> str:
    return f"#{value}" if _id(value) is not None else _plain(value)


def _many(value: Any, one: Callable[[Any], str]) -> str:
    items = value if isinstance(value, list | tuple) else [value]
    return ", ".join(one(item) for item in items)


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return _yes_no(value)
    if value is None:
        return "—"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, list | tuple):
        return ", ".join(_plain(item) for item in value)
    return str(value)


def _admin_change(message: str) -> str:
    """Django's change message of the administration pages ("Changed First name.")."""
    try:
        return str(LogEntry(change_message=message).get_change_message()) or message
    except (TypeError, KeyError, AttributeError, ValueError):  # not the shape Django writes
        return message


def _filters(value: dict[str, Any]) -> str:
    """The audit log's own filters, as its form labels them and in its order (a database
    may keep a JSON object's keys in another)."""
    fields = AuditFilterForm.base_fields
    order = {key: n for n, key in enumerate(fields)}
    parts = []
    for key, item in sorted(value.items(), key=lambda pair: order.get(pair[0], len(order))):
        label = fields[key].label if key in fields else DETAIL_LABELS.get(key, key)
        if key == "action" and item in Action.values:
            text = str(Action(item).label)
        elif key == "object_type" and isinstance(item, str):
            text = kind_label(item)
        elif key in ("date_from", "date_to") and isinstance(item, str):
            text = _moment(item)
        else:
            text = _plain(item)
        parts.append(f"{label}: {text}")
    return ", ".join(parts)


def _dictionary(
    entry: AuditEntry, key: str, value: dict[str, Any], names: Names, depth: int
) -> str:
    """A dictionary in a detail: a tally by choice ("due": records by kind), or a nested
    detail whose keys mean what they mean at the top."""
    parts = []
    if key in DICT_CHOICES:
        keys_from, values_from = DICT_CHOICES[key]
        for inner, item in value.items():
            label = _choice([keys_from], inner) or inner
            text = _choice([values_from], item) if values_from and isinstance(item, str) else None
            parts.append(f"{label}: {text or _plain(item)}")
    else:
        for inner, item in value.items():
            text = _value(entry, inner, item, names, depth + 1)
            parts.append(f"{DETAIL_LABELS.get(inner, inner)}: {text}")
    return ", ".join(parts)


def _value(entry: AuditEntry, key: str, value: Any, names: Names, depth: int = 0) -> str:
    """One detail's value, by what its key says it holds."""
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, dict):
        if depth >= _MAX_DEPTH:
            return _plain(value)
        if key == "filters" and entry.object_type == "audit.log":
            return _filters(value)
        return _dictionary(entry, key, value, names, depth)
    user_type = _user_type()
    if _names_cases(entry, key, value):
        return _many(value, lambda v: names.cases.get(v, f"#{v}") if _id(v) else _plain(v))
    if key in USER_KEYS or (key == "ids" and entry.object_type == user_type):
        return _many(value, lambda v: names.staff.get(v, f"#{v}") if _id(v) else _plain(v))
    if key in ORGANISATION_KEYS:
        kind = ORGANISATION_KEYS[key]

        def organisation(item: Any) -> str:
            pk = _id(item)
            return names.organisations.get((kind, pk), f"#{pk}") if pk else _plain(item)

        if key in BEFORE_AFTER_KEYS and isinstance(value, list) and len(value) == 2:
            return " → ".join(organisation(item) for item in value)
        return _many(value, organisation)
    if key in RECORD_KEYS or key == "ids" or (key in RECORDS_OR_COUNT and isinstance(value, list)):
        return _many(value, _record)
    if key in FIELD_KEYS and isinstance(value, list):
        return ", ".join(
            str(_field_label(entry.object_type, v)) if isinstance(v, str) else _plain(v)
            for v in value
        )
    if key in DATE_KEYS and isinstance(value, str):
        return _moment(value)
    if key == "size" and _id(value) is not None:
        return str(filesizeformat(value))
    if key == "change" and isinstance(value, str) and value.startswith("["):
        return _admin_change(value)
    if isinstance(value, str):
        return _word(entry, key, value)
    if isinstance(value, list | tuple):
        return ", ".join(
            _word(entry, key, item) if isinstance(item, str) else _plain(item) for item in value
        )
    return _plain(value)


def _details(entry: AuditEntry, names: Names) -> list[tuple[Any, str]]:
    if not isinstance(entry.detail, dict):  # not what the log writes; shown as it is
        return [] if entry.detail in (None, "", []) else [(_("detail"), _plain(entry.detail))]
    details = []
    for key, value in entry.detail.items():
        if value in (None, "", [], {}):
            continue
        details.append((DETAIL_LABELS.get(key, key), _value(entry, key, value, names)))
    return details


def _subject(entry: AuditEntry, names: Names) -> str:
    if not entry.object_type:
        return ""
    kind = kind_label(entry.object_type)
    pk = _object_id(entry)
    if entry.object_type == CASE_TYPE and pk is not None:
        return f"{kind} {names.cases.get(pk, '#' + entry.object_id)}"
    if entry.object_type == _user_type() and pk is not None and pk in names.staff:
        return f"{kind} {names.staff[pk]}"
    return f"{kind} #{entry.object_id}" if entry.object_id else kind


def _who(entry: AuditEntry) -> str:
    actor = entry.actor
    if actor is not None and actor.get_full_name():
        return str(actor.get_full_name())
    return entry.actor_name or "—"


def rows(entries: Sequence[AuditEntry]) -> list[Row]:
    """One page of entries, described; the cases it names are looked up in one query, the
    staff who did not act on the page in another, its organisations in one for each kind."""
    names = Names(
        cases=case_numbers(_case_ids(entries)),
        staff=staff_names(entries),
        organisations=organisation_names(_organisation_ids(entries)),
    )
    return [
        Row(
            at=entry.at,
            who=_who(entry),
            username=entry.actor_name,
            action=str(Action(entry.action).label)
            if entry.action in Action.values
            else entry.action,
            subject=_subject(entry, names),
            ip=entry.ip,
            details=_details(entry, names),
        )
        for entry in entries
    ]
