"""Writes of the relations between users and cases: team memberships (including the
grants a referral or an interview gives), emergency access and its extension.

Nothing else creates or ends a relation (``access/tests/test_architecture.py``). The
membership functions are the plain mechanics — the calling use case (open a case, accept
a referral, plan an interview) checks who may do it and records its own audit entry and
timeline event in the same transaction, since only it knows why. Emergency access is a
whole use case and is checked, rate limited, audited and announced here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.audit.models import Action
from tirek.audit.services import record, save_recorded
from tirek.cases.models import Case, CaseEvent, CaseTeamMember, EventKind
from tirek.core.exceptions import Refused
from tirek.core.races import integrity_error_as
from tirek.core.ratelimit import check as rate_limit
from tirek.core.versioning import update_versioned
from tirek.organisations.models import Unit

from . import policy, selectors
from .models import EmergencyScopeExtension, TransferPreview

logger = logging.getLogger(__name__)

INSTALLATION_KEY = "emergency:installation"


# --- team memberships -----------------------------------------------------------------------


def grant_membership(
    *,
    case: Case,
    user: User,
    role: str,
    by: User | None,
    sections: list[str] | None = None,
    exact_sections: bool = False,
    legal_basis: str = "",
    at: datetime | None = None,
) -> CaseTeamMember:
    """Put ``user`` on the case team in ``role``. A second active membership in the same
    role is a ``ValidationError`` (the database enforces it too, for concurrent requests)."""
    member = CaseTeamMember(
        case=case,
        user=user,
        role=role,
        added_by=by,
        added_at=at or timezone.now(),
        sections=list(sections or []),
        exact_sections=exact_sections,
        legal_basis=legal_basis[:300],
    )
    member.full_clean(validate_constraints=False)
    with integrity_error_as(
        ValidationError({"user_id": _("This person is already on the team in that role.")})
    ):
        member.save()
    return member


def grant_case_manager_of_new_cases(
    cases: Iterable[Case], *, user: User, at: datetime
) -> list[CaseTeamMember]:
    """Put ``user`` on the teams of cases just opened in bulk (a group arrival) as their
    case manager: the same membership ``grant_membership`` writes, in one insert. The cases
    are new, so no active membership can clash."""
    members = [
        CaseTeamMember(case=case, user=user, role=Role.CASE_MANAGER, added_by=user, added_at=at)
        for case in cases
    ]
    CaseTeamMember.objects.bulk_create(members, batch_size=500)
    return members


def release_membership(member: CaseTeamMember | int, *, by: User | None) -> bool:
    """End one membership; False when it had already ended (someone else was first)."""
    pk = member.pk if isinstance(member, CaseTeamMember) else member
    return bool(
        CaseTeamMember.objects.filter(pk=pk, removed_at__isnull=True).update(
            removed_at=timezone.now(), removed_by=by
        )
    )


def release_role(*, case: Case, user_id: int | None, role: str, by: User | None) -> int:
    """End the user's active membership of the case in ``role``, if any."""
    if user_id is None:
        return 0
    return CaseTeamMember.objects.filter(
        case=case, user_id=user_id, role=role, removed_at__isnull=True
    ).update(removed_at=timezone.now(), removed_by=by)


def set_membership_sections(member: CaseTeamMember | int, sections: list[str]) -> None:
    """Change what a (referral's) membership shares, e.g. when it passes to another referral."""
    pk = member.pk if isinstance(member, CaseTeamMember) else member
    CaseTeamMember.objects.filter(pk=pk).update(sections=list(sections))


def load_membership_history(rows: Iterable[dict[str, Any]]) -> list[CaseTeamMember]:
    """Generated history (the demo programme): many memberships at once with their own
    dates, each row the fields of one membership. No audit entry: they describe a past
    that was never lived in this installation, and nothing reads a case through them
    that the policy would not also decide."""
    created: list[CaseTeamMember] = CaseTeamMember.objects.bulk_create(
        [CaseTeamMember(**row) for row in rows]
    )
    return created


def erase_relation_texts(case_ids: list[int]) -> None:
    """Anonymisation: the free text kept on relations to these cases (a membership's legal
    basis, an emergency access's justification and review) goes; the facts stay."""
    CaseTeamMember.objects.filter(case_id__in=case_ids).update(legal_basis="")
    selectors._emergency_model().objects.filter(case_id__in=case_ids).update(
        justification="", review_comment=""
    )


def lock_membership(pk: int) -> CaseTeamMember:
    """The membership, locked for the rest of the transaction (releasing a grant)."""
    member: CaseTeamMember = CaseTeamMember.objects.select_for_update().get(pk=pk)
    return member


# --- transfers ------------------------------------------------------------------------------


def grant_transfer_preview(
    *, case: Case, unit: Unit, sections: list[str], by: User
) -> TransferPreview:
    """Let the supervisors of ``unit`` read ``sections`` of the case (and its basic
    information) while a transfer to them waits for an answer. The calling use case
    (``tirek.transfers.services``) checks the right, audits and puts it on the timeline."""
    preview = TransferPreview(case=case, unit=unit, sections=list(sections), granted_by=by)
    preview.full_clean()
    preview.save()
    return preview


def end_transfer_preview(preview: TransferPreview | int | None) -> bool:
    """End a transfer's preview (accepted, declined or withdrawn); False if already ended."""
    if preview is None:
        return False
    pk = preview.pk if isinstance(preview, TransferPreview) else preview
    return bool(
        TransferPreview.objects.filter(pk=pk, ended_at__isnull=True).update(ended_at=timezone.now())
    )


def release_team_except(*, case: Case, keep_user_ids: Iterable[int], by: User) -> list[int]:
    """A transfer accepted: every active membership of the case ends except those of the
    users the receiving supervisor keeps. Returns the ids of the users who left (the
    caller audits them)."""
    keep = set(keep_user_ids)
    leaving = CaseTeamMember.objects.filter(case=case, removed_at__isnull=True).exclude(
        user_id__in=keep
    )
    user_ids = sorted(set(leaving.values_list("user_id", flat=True)))
    leaving.update(removed_at=timezone.now(), removed_by=by)
    return user_ids


# --- emergency access -----------------------------------------------------------------------


def _conf_int(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _duration() -> timedelta:
    return timedelta(hours=_conf_int("EMERGENCY_ACCESS_HOURS", 4))


def _check_justification(text: str, field: str = "justification") -> str:
    text = (text or "").strip()
    minimum = _conf_int("EMERGENCY_JUSTIFICATION_MIN_LENGTH", 30)
    if len(text) < minimum:
        raise ValidationError(
            {
                field: _("Explain why you need this case now, in at least %(n)d characters.")
                % {"n": minimum}
            }
        )
    if len(text) > 2000:
        raise ValidationError({field: _("Keep it under 2000 characters.")})
    return text


def _find_case(case_id: Any, case_number: str) -> Case:
    rows = Case.objects.select_related("person", "region", "supervising_unit")
    try:
        if case_id is not None:
            return rows.get(pk=case_id)
        return rows.get(number__iexact=(case_number or "").strip())
    except (Case.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc


def _announce(access: Any) -> None:
    """Tell the case's supervisors and every DPO at once, in the app (and by the usual
    e-mail nudge). The notice carries the case number only — the existing rule for
    notices — and links to pages behind the access policy."""
    from tirek.referrals.models import NotificationKind
    from tirek.referrals.notifications import notify

    case = access.case
    notify(
        [u for u in selectors.supervisors_of(case) if u.pk != access.user_id],
        kind=NotificationKind.EMERGENCY_ACCESS,
        url=reverse("cases:detail", args=[case.pk]),
        label=case.number,
    )
    dpos = User.objects.filter(is_active=True, roles__role=Role.DPO).distinct()
    notify(
        [u for u in dpos if u.pk != access.user_id],
        kind=NotificationKind.EMERGENCY_ACCESS,
        url=reverse("privacy:review_detail", args=[access.pk]),
        label=case.number,
    )


def open_emergency_access(
    *,
    by: User,
    justification: str,
    case_id: Any = None,
    case_number: str = "",
    request: HttpRequest | None = None,
) -> Any:
    """Break the glass: read access to a case for a few hours (DESIGN.md section 4).

    Refused unless the user holds a role that acts in emergencies (``PermissionDenied``);
    a case outside the user's region and agency without a supervisor's extension is a 404,
    the same as a missing case, so case numbers cannot be probed; past the per-person or
    the installation-wide daily limit it is ``RateLimited``. Each opening is audited, put
    on the case timeline and announced to the case's supervisors and the DPO at once."""
    if not policy.may_break_glass(by):
        raise PermissionDenied(_("Your role does not allow emergency access."))
    justification = _check_justification(justification)
    # Counted before the look-up, so nobody can probe case numbers faster than the limit.
    rate_limit(
        f"emergency:{by.pk}",
        limit=_conf_int("EMERGENCY_ACCESS_LIMIT_PER_DAY", 10),
        window_seconds=86400,
    )
    case = _find_case(case_id, case_number)
    if policy.sections_for(by, case, include_emergency=False):
        raise Refused(_("You already have access to this case."))
    if not policy.in_emergency_scope(by, case):
        record(
            actor=by,
            action=Action.DENIED,
            obj=case,
            request=request,
            detail={"emergency": True, "reason": "outside region and agency"},
        )
        raise Http404
    # Only real openings count towards the installation's limit.
    rate_limit(
        INSTALLATION_KEY,
        limit=_conf_int("EMERGENCY_ACCESS_INSTALLATION_LIMIT_PER_DAY", 30),
        window_seconds=86400,
    )
    return _grant_emergency(by=by, case=case, justification=justification, request=request)


@transaction.atomic
def _grant_emergency(
    *, by: User, case: Case, justification: str, request: HttpRequest | None
) -> Any:
    from tirek.privacy.models import EmergencyAccess

    now = timezone.now()
    access = EmergencyAccess(
        case=case,
        user=by,
        justification=justification,
        granted_at=now,
        expires_at=now + _duration(),
    )
    access.full_clean()
    access.save()
    CaseEvent.objects.create(
        case=case,
        kind=EventKind.EMERGENCY_ACCESS,
        actor=by,
        detail={"name": by.get_full_name() or by.username, "until": access.expires_at.isoformat()},
    )
    record(
        actor=by,
        action=Action.EMERGENCY_ACCESS,
        obj=case,
        request=request,
        detail={"access": access.pk, "expires_at": access.expires_at.isoformat()},
    )
    _announce(access)
    return access


@transaction.atomic
def review_emergency_access(
    *,
    by: User,
    access: Any,
    version: int,
    outcome: str,
    comment: str = "",
    request: HttpRequest | None = None,
) -> Any:
    """The DPO's verdict on one emergency access (optimistic: a stale version conflicts)."""
    from tirek.privacy.models import EmergencyAccess, ReviewOutcome

    if not by.has_role(Role.DPO):
        raise PermissionDenied(_("Only the data protection officer reviews emergency access."))
    if outcome not in ReviewOutcome.values:
        raise ValidationError({"outcome": _("Choose an outcome.")})
    comment = comment.strip()
    if outcome != ReviewOutcome.JUSTIFIED and not comment:
        raise ValidationError({"comment": _("Say what was wrong or what must follow.")})
    access.outcome, access.review_comment = outcome, comment
    access.full_clean(exclude=["case", "user", "expires_at"])
    update_versioned(
        EmergencyAccess,
        access.pk,
        version,
        _(
            "Someone else changed this record since you opened it. "
            "Reload it and apply your change again."
        ),
        reviewed_at=timezone.now(),
        reviewed_by=by,
        outcome=outcome,
        review_comment=comment,
    )
    access.refresh_from_db()
    record(
        actor=by,
        action=Action.UPDATE,
        obj=access,
        request=request,
        detail={"review": outcome, "case": access.case_id, "user": access.user_id},
    )
    return access


@transaction.atomic
def extend_emergency_scope(
    *,
    by: User,
    unit: Unit,
    user: User,
    reason: str,
    hours: int | None = None,
    request: HttpRequest | None = None,
) -> EmergencyScopeExtension:
    """A supervisor of ``unit`` lets ``user`` (outside the unit's region and agency) break
    the glass on the unit's cases for a limited time. Audited as a permission change."""
    if policy.supervised_unit_id(by) != unit.pk:
        raise PermissionDenied(_("Only a supervisor of this unit may extend emergency access."))
    if user.pk == by.pk:
        raise ValidationError({"user_id": _("You cannot extend emergency access to yourself.")})
    if not policy.may_break_glass(user):
        raise ValidationError({"user_id": _("This person's role does not allow emergency access.")})
    reason = _check_justification(reason, "reason")
    limit = _conf_int("EMERGENCY_SCOPE_EXTENSION_MAX_HOURS", 72)
    hours = hours or _conf_int("EMERGENCY_SCOPE_EXTENSION_HOURS", 24)
    if not 1 <= hours <= limit:
        raise ValidationError({"hours": _("Choose between 1 and %(n)d hours.") % {"n": limit}})
    now = timezone.now()
    extension = EmergencyScopeExtension(
        unit=unit,
        user=user,
        granted_by=by,
        reason=reason,
        granted_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    return save_recorded(
        extension,
        actor=by,
        action=Action.PERMISSION_CHANGE,
        request=request,
        detail={
            "emergency_scope_extended_to": user.pk,
            "unit": unit.pk,
            "expires_at": extension.expires_at.isoformat(),
        },
    )


@transaction.atomic
def revoke_emergency_scope(
    *, by: User, extension: EmergencyScopeExtension, request: HttpRequest | None = None
) -> None:
    if policy.supervised_unit_id(by) != extension.unit_id:
        raise PermissionDenied(_("Only a supervisor of this unit may revoke the extension."))
    EmergencyScopeExtension.objects.filter(pk=extension.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    record(
        actor=by,
        action=Action.PERMISSION_CHANGE,
        obj=extension,
        request=request,
        detail={"emergency_scope_revoked": extension.user_id, "unit": extension.unit_id},
    )
