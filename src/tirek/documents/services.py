"""Writes for case summaries: the psychologist's release (and its revocation), and the
production of a summary — a disclosure, recorded in the audit log with its purpose,
recipient and sections (ids and codes only: no name of the child in the detail)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tirek.accounts.models import User
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.cases.models import Case
from tirek.core.archive import encrypted_zip, one_time_password

from . import pdf, selectors
from .models import RELEASE_REQUIRED, PsychologicalRelease, Purpose, recipient_key

RECIPIENT_MAX = 200


def _clean_recipient(recipient: str) -> str:
    text = " ".join((recipient or "").split())
    if not text:
        raise ValidationError({"recipient": _("Name the recipient.")})
    if len(text) > RECIPIENT_MAX:
        raise ValidationError({"recipient": _("The recipient is too long.")})
    return text


def release_create(
    *, by: User, case: Case, purpose: str, recipient: str, request: HttpRequest | None = None
) -> PsychologicalRelease:
    """A psychologist on the case releases psychological notes for summaries to one
    recipient for one purpose."""
    if not selectors.may_release(by, case):
        raise ValidationError(_("Only a psychologist on the case team may release these notes."))
    if purpose not in RELEASE_REQUIRED:
        raise ValidationError({"purpose": _("Choose the purpose of the summary.")})
    text = _clean_recipient(recipient)
    existing = selectors.release_for(case, purpose, text)
    if existing is not None:
        return existing
    release = PsychologicalRelease.objects.create(
        case=case,
        purpose=purpose,
        recipient=text,
        recipient_key=recipient_key(text),
        released_by=by,
    )
    record(
        actor=by,
        action=Action.CREATE,
        obj=release,
        request=request,
        detail={"case": case.pk, "purpose": purpose, "recipient": text},
    )
    return release


def release_revoke(
    *, by: User, case: Case, release_id: int, request: HttpRequest | None = None
) -> None:
    if not selectors.may_release(by, case):
        raise ValidationError(_("Only a psychologist on the case team may revoke a release."))
    release = selectors.active_releases(case).filter(pk=release_id).first()
    if release is None:
        raise ValidationError(_("This release is no longer active."))
    release.revoked_at, release.revoked_by = timezone.now(), by
    release.save(update_fields=["revoked_at", "revoked_by"])
    record(
        actor=by,
        action=Action.UPDATE,
        obj=release,
        request=request,
        detail={"case": case.pk, "revoked": True},
    )


@dataclass(frozen=True)
class Summary:
    archive: bytes  # the AES-256 ZIP
    password: str  # shown once, stored nowhere
    filename: str


def summary_produce(
    *,
    by: User,
    case: Case,
    purpose: str,
    purpose_other: str,
    recipient: str,
    sections: list[str],
    language: str,
    request: HttpRequest | None = None,
) -> Summary:
    """Build the summary, encrypt it, and record the disclosure. Nothing is stored."""
    from django.conf import settings

    errors: dict[str, str] = {}
    if purpose not in Purpose.values:
        errors["purpose"] = _("Choose the purpose of the summary.")
    other = " ".join((purpose_other or "").split())
    if purpose == Purpose.OTHER and not other:
        errors["purpose_other"] = _("Say what the summary is for.")
    if language not in dict(settings.LANGUAGES):
        errors["language"] = _("Choose the language of the document.")
    if errors:
        raise ValidationError(errors)
    text = _clean_recipient(recipient)
    allowed = selectors.allowed_sections(by, case, purpose, text)
    chosen = [s for s in selectors.SUMMARY_SECTIONS if s in set(sections)]
    if not chosen or len(chosen) != len(set(sections)):
        raise ValidationError({"sections": _("Choose the sections to include.")})
    refused = [s for s in chosen if s not in allowed]
    if refused:
        raise ValidationError(
            {
                "sections": _("This summary may not carry: %(sections)s.")
                % {"sections": ", ".join(str(selectors.S.LABELS[s]) for s in refused)}
            }
        )
    release = (
        selectors.release_for(case, purpose, text) if selectors.S.PSYCHOLOGICAL in chosen else None
    )
    with translation.override(language):
        purpose_label = other if purpose == Purpose.OTHER else str(Purpose(purpose).label)
        document = pdf.render(
            title=_("Case summary"),
            identification=selectors.identification(case),
            blocks=selectors.content(by, case, chosen),
            footer=pdf.Footer(
                purpose=purpose_label, recipient=text, produced_by=by.get_full_name() or by.username
            ),
        )
    password = one_time_password()
    archive = encrypted_zip({f"case-summary-{case.number}.pdf": document}, password)
    with transaction.atomic():
        record(
            actor=by,
            action=Action.DISCLOSURE,
            obj=case,
            request=request,
            detail={
                "document": "case_summary",
                "purpose": purpose,
                **({"purpose_other": other} if purpose == Purpose.OTHER else {}),
                "recipient": text,
                "sections": chosen,
                "language": language,
                **({"psychological_release": release.pk} if release is not None else {}),
            },
        )
    return Summary(archive=archive, password=password, filename=f"case-summary-{case.number}.zip")
