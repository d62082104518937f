"""Participant lists from CSV or XLSX: every row is checked, and the file is saved
all or nothing, with a report naming each bad row and what is wrong with it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from tirek.accounts.models import User
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.core.uploaded_tables import TableLimits, read_table
from tirek.core.validation import reject_control_chars
from tirek.organisations.models import Region

from . import permissions
from .models import Audience, Event, Participant, Sex
from .services import participant_for_user

LIMITS = TableLimits(max_bytes=5 * 1024 * 1024, max_rows=2000, max_columns=30)
MAX_ROWS = LIMITS.max_rows

# Column names accepted in the header row (lower case), Russian and English.
COLUMNS = {
    "full_name": {"фио", "ф.и.о.", "ф. и. о.", "имя", "full name", "full_name", "name"},
    "agency": {"организация", "ведомство", "agency", "organisation", "organization"},
    "position": {"должность", "position"},
    "region": {"регион", "область", "region"},
    "sex": {"пол", "sex", "gender"},
    "username": {"логин", "учётная запись", "username", "login"},
    "audience": {"группа", "профессиональная группа", "audience", "group"},
}
SEX_VALUES = {
    "ж": Sex.FEMALE,
    "жен": Sex.FEMALE,
    "женский": Sex.FEMALE,
    "f": Sex.FEMALE,
    "female": Sex.FEMALE,
    "м": Sex.MALE,
    "муж": Sex.MALE,
    "мужской": Sex.MALE,
    "m": Sex.MALE,
    "male": Sex.MALE,
    "": Sex.UNSPECIFIED,
}


@dataclass
class RowProblem:
    row: int
    problems: list[str]


@dataclass
class ImportReport:
    rows: int = 0
    saved: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    file_error: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems and not self.file_error


def _read_rows(upload: UploadedFile) -> list[list[Any]]:
    return read_table(upload, LIMITS)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split()) if "\n" in str(value) else str(value).strip()


def _regions() -> dict[str, Region]:
    lookup: dict[str, Region] = {}
    for region in Region.objects.all():
        lookup[region.code.casefold()] = region
        for name in (region.names or {}).values():
            lookup[str(name).casefold()] = region
    return lookup


def _audiences() -> dict[str, str]:
    lookup = {}
    for value, label in Audience.choices:
        lookup[value] = value
        lookup[str(label).casefold()] = value
    return lookup


def participants_import(
    *, by: User, event: Event, upload: UploadedFile, request: HttpRequest | None = None
) -> ImportReport:
    permissions.require_event_manager(by, event)
    report = ImportReport()
    try:
        rows = _read_rows(upload)
    except ValidationError as exc:
        report.file_error = " ".join(exc.messages)
        return report
    while rows and not any(_cell(v) for v in rows[-1]):
        rows.pop()
    if not rows:
        report.file_error = _("The file is empty.")
        return report
    header = [_cell(h).casefold() for h in rows[0]]
    columns: dict[str, int] = {}
    unknown = []
    for index, title in enumerate(header):
        if not title:
            continue
        key = next((k for k, names in COLUMNS.items() if title in names), None)
        if key is None:
            unknown.append(title)
        elif key in columns:
            report.file_error = _("The column “%(name)s” appears twice.") % {"name": title}
            return report
        else:
            columns[key] = index
    if "full_name" not in columns and "username" not in columns:
        report.file_error = _(
            "The first row must name the columns; a “ФИО” (full name) or “логин” (username) column is required."
        )
        return report
    if unknown:
        report.file_error = _("Unknown columns: %(names)s.") % {"names": ", ".join(unknown)}
        return report
    body = rows[1:]
    if len(body) > MAX_ROWS:
        report.file_error = _("Too many rows (%(max)d at most).") % {"max": MAX_ROWS}
        return report

    regions = _regions()
    audiences = _audiences()
    existing_users = set(event.participants.exclude(user=None).values_list("user_id", flat=True))
    seen_users: set[int] = set()
    participants: list[Participant] = []
    for number, raw in enumerate(body, start=2):  # row 1 is the header
        values = {key: _cell(raw[i]) if i < len(raw) else "" for key, i in columns.items()}
        if not any(values.values()):
            continue
        report.rows += 1
        problems: list[str] = []
        for key, value in values.items():
            try:
                reject_control_chars(value)
            except ValidationError:
                problems.append(_("%(column)s: control characters.") % {"column": key})
                values[key] = ""
        sex = SEX_VALUES.get(values.get("sex", "").casefold())
        if sex is None:
            problems.append(
                _("Sex: “%(value)s” is not understood (use ж or м).") % {"value": values["sex"]}
            )
        audience: str = Audience.OTHER
        if values.get("audience"):
            audience = audiences.get(values["audience"].casefold(), "")
            if not audience:
                problems.append(
                    _("Group: “%(value)s” is not a known professional group.")
                    % {"value": values["audience"]}
                )
        region = None
        if values.get("region"):
            region = regions.get(values["region"].casefold())
            if region is None:
                problems.append(
                    _("Region: “%(value)s” is not a known region.") % {"value": values["region"]}
                )
        user = None
        if values.get("username"):
            user = User.objects.filter(username=values["username"], is_active=True).first()
            if user is None:
                problems.append(
                    _("Username: no active account “%(value)s”.") % {"value": values["username"]}
                )
            elif user.pk in existing_users:
                problems.append(_("This person is already a participant of the event."))
            elif user.pk in seen_users:
                problems.append(_("This person appears twice in the file."))
            else:
                seen_users.add(user.pk)
        if user is not None:
            participant = participant_for_user(event, user)
            if sex:
                participant.sex = sex
            if values.get("audience") and audience:
                participant.audience = audience
        else:
            if not values.get("full_name"):
                problems.append(_("Full name is required."))
            participant = Participant(
                event=event,
                full_name=values.get("full_name", ""),
                agency_name=values.get("agency", ""),
                position=values.get("position", ""),
                region=region,
                sex=sex or Sex.UNSPECIFIED,
                audience=audience or Audience.OTHER,
                language=event.language,
            )
        if not problems:
            try:
                participant.full_clean(validate_constraints=False)
            except ValidationError as exc:
                for field_name, messages in exc.message_dict.items():
                    label = str(
                        getattr(Participant._meta.get_field(field_name), "verbose_name", field_name)
                    )
                    problems.extend(f"{label}: {m}" for m in messages)
        if problems:
            report.problems.append(RowProblem(row=number, problems=problems))
        else:
            participants.append(participant)
    if report.rows == 0:
        report.file_error = _("The file has no participant rows.")
    if not report.ok:
        return report
    with transaction.atomic():
        Participant.objects.bulk_create(participants)
        record(
            actor=by,
            action=Action.UPDATE,
            obj=event,
            request=request,
            detail={"imported_participants": len(participants), "file": (upload.name or "")[:100]},
        )
    report.saved = len(participants)
    return report
