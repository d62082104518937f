"""Account administration: each function is one use case and leaves an audit entry."""

from __future__ import annotations

from datetime import datetime

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.organisations.models import Agency, Region, Unit

from .models import ApiToken, RoleChangeRequest, StaffCompetency, User, UserRole
from .roles import Role

# --- Provisioning from the command line ----------------------------------------------------
# ``user_create`` and ``user_set_roles`` grant roles at once, without a second person. They
# serve only the server's operator (``tirek users create``, ``tirek demo``) and test
# fixtures, who already hold the database; every web page and API endpoint changes roles
# through ``role_change_request`` / ``role_change_confirm`` below (an architecture test
# keeps it so). Each grant is still audited as a permission change.


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    roles: list[str],
    agency: Agency | None = None,
    unit: Unit | None = None,
    region: Region | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    by: User | None = None,
    is_demo: bool = False,
    check_password: bool = True,
    must_change_password: bool = False,
) -> User:
    """A new account. ``must_change_password``: the password was chosen by someone else
    (an administrator provisioning it), so its owner must pick their own at first sign-in."""
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        agency=agency,
        unit=unit,
        region=region or (agency.region if agency else None),
        is_demo=is_demo,
        must_change_password=must_change_password,
    )
    if check_password:
        validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user_set_roles(user=user, roles=roles, by=by)
    record(
        actor=by or "system",
        action=Action.CREATE,
        obj=user,
        detail={"roles": sorted(roles), "via": "provisioning"},
    )
    return user


@transaction.atomic
def user_set_roles(*, user: User, roles: list[str], by: User | None = None) -> None:
    """Provisioning only (see above): the roles take effect at once."""
    current = set(user.roles.values_list("role", flat=True))
    wanted = set(roles)
    _apply_roles(user=user, roles=roles, by=by)
    user.save(update_fields=["is_staff"])
    if current != wanted:
        record(
            actor=by or "system",
            action=Action.PERMISSION_CHANGE,
            obj=user,
            detail={
                "added": sorted(wanted - current),
                "removed": sorted(current - wanted),
                "via": "provisioning",
            },
        )


def _apply_roles(*, user: User, roles: list[str], by: User | None) -> None:
    current = set(user.roles.values_list("role", flat=True))
    wanted = set(roles)
    user.roles.filter(role__in=current - wanted).delete()
    UserRole.objects.bulk_create(
        [UserRole(user=user, role=role, granted_by=by) for role in sorted(wanted - current)]
    )
    user.__dict__.pop("_role_cache", None)
    # The Django admin is the system administrator's tool; nobody else gets staff status.
    user.is_staff = Role.ADMIN in wanted


# --- Role changes: asked by an administrator, confirmed by a second person ------------------


def _tell_the_dpo(*, user: User, exclude: User | None = None, admins_too: bool = False) -> None:
    """A notification for every data protection officer (and, for a new request, the other
    administrators who could confirm it). It names the account, never a case."""
    from tirek.referrals.models import NotificationKind
    from tirek.referrals.notifications import notify

    wanted = [Role.DPO, Role.ADMIN] if admins_too else [Role.DPO]
    readers = User.objects.filter(is_active=True, roles__role__in=wanted)
    if exclude is not None:
        readers = readers.exclude(pk=exclude.pk)
    readers = readers.distinct()
    notify(
        readers,
        kind=NotificationKind.ROLE_CHANGE,
        url=reverse("accounts:role_changes"),
        label=user.get_username(),
    )


def _org_id(value: object) -> int | None:
    return getattr(value, "pk", None)


def role_change_request(
    *,
    user: User,
    by: User,
    roles: list[str],
    agency: Agency | None,
    unit: Unit | None,
    region: Region | None,
    reason: str,
    reset_two_factor: bool = False,
    request: HttpRequest | None = None,
) -> RoleChangeRequest:
    """Ask for ``user`` to hold exactly ``roles`` in ``agency``/``unit``/``region``, and
    (``reset_two_factor``) to set up two-factor authentication again. Nothing changes until
    a second person confirms (``role_change_confirm``): a reset by one administrator, who can
    also set the password, would let that administrator sign in as anyone. A refusal for the
    requester's own account is audited too (it is outside any transaction)."""
    if not by.is_active or not by.is_system_admin:
        raise PermissionDenied(_("Only a system administrator may ask for a change of roles."))
    if by.pk == user.pk:
        record(
            actor=by,
            action=Action.PERMISSION_CHANGE,
            obj=user,
            request=request,
            detail={"stage": "refused", "why": "own account", "roles": sorted(roles)},
        )
        raise ValidationError(
            _(
                "You cannot change your own roles, unit or agency. Another administrator must ask for it."
            )
        )
    if not reason.strip():
        raise ValidationError(_("Say why the change is needed."))
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationError(_("Unknown role: %(role)s.") % {"role": ", ".join(sorted(unknown))})
    if unit is not None and agency is not None and unit.agency_id != agency.pk:
        raise ValidationError(_("The unit does not belong to the agency."))
    before = sorted(user.roles.values_list("role", flat=True))
    after = sorted(set(roles))
    if not reset_two_factor and (before, user.agency_id, user.unit_id, user.region_id) == (
        after,
        _org_id(agency),
        _org_id(unit),
        _org_id(region),
    ):
        raise ValidationError(_("The request changes nothing."))
    with transaction.atomic():
        return _store_request(
            user=user, by=by, after=after, before=before, agency=agency, unit=unit,
            region=region, reason=reason, reset_two_factor=reset_two_factor, request=request,
        )  # fmt: skip


def _store_request(
    *,
    user: User,
    by: User,
    before: list[str],
    after: list[str],
    agency: Agency | None,
    unit: Unit | None,
    region: Region | None,
    reason: str,
    reset_two_factor: bool,
    request: HttpRequest | None,
) -> RoleChangeRequest:
    change = RoleChangeRequest.objects.create(
        reset_two_factor=reset_two_factor,
        user=user,
        requested_by=by,
        reason=reason.strip(),
        roles_before=before,
        roles_after=after,
        agency_before=user.agency,
        agency_after=agency,
        unit_before=user.unit,
        unit_after=unit,
        region_before=user.region,
        region_after=region,
    )
    record(
        actor=by,
        action=Action.PERMISSION_CHANGE,
        obj=user,
        request=request,
        detail={"stage": "requested", **_change_detail(change)},
    )
    _tell_the_dpo(user=user, exclude=by, admins_too=True)
    return change


def _change_detail(change: RoleChangeRequest) -> dict[str, object]:
    return {
        "request": change.pk,
        "requested_by": change.requested_by.get_username(),
        "added": change.roles_added(),
        "removed": change.roles_removed(),
        "agency": [change.agency_before_id, change.agency_after_id],
        "unit": [change.unit_before_id, change.unit_after_id],
        "region": [change.region_before_id, change.region_after_id],
        "reset_two_factor": change.reset_two_factor,
    }


def _check_decider(change: RoleChangeRequest, by: User) -> None:
    if not by.is_active or not by.has_role(Role.ADMIN, Role.DPO):
        raise PermissionDenied(
            _("Only another administrator or the data protection officer may decide.")
        )
    if by.pk == change.requested_by_id:
        raise ValidationError(_("You asked for this change: a second person must confirm it."))
    if by.pk == change.user_id:
        raise ValidationError(_("You cannot decide a change of your own roles."))
    if not change.is_pending:
        raise ValidationError(_("This request has already been decided."))


@transaction.atomic
def role_change_confirm(
    *, change: RoleChangeRequest, by: User, note: str = "", request: HttpRequest | None = None
) -> None:
    """The second person's confirmation: only now do the roles and unit change."""
    change = RoleChangeRequest.objects.select_for_update().get(pk=change.pk)
    _check_decider(change, by)
    user = User.objects.select_for_update().get(pk=change.user_id)
    current = sorted(user.roles.values_list("role", flat=True))
    if (current, user.agency_id, user.unit_id, user.region_id) != (
        change.roles_before,
        change.agency_before_id,
        change.unit_before_id,
        change.region_before_id,
    ):
        raise ValidationError(
            _("The account has changed since this request was made. Reject it and ask again.")
        )
    _apply_roles(user=user, roles=change.roles_after, by=by)
    user.agency_id = change.agency_after_id
    user.unit_id = change.unit_after_id
    user.region_id = change.region_after_id
    user.save(update_fields=["agency", "unit", "region", "is_staff"])
    if change.reset_two_factor:
        user_reset_mfa(user=user, by=by)
    _decide(change, RoleChangeRequest.Status.CONFIRMED, by, note, user, request)
    _tell_the_dpo(user=user, exclude=by)


@transaction.atomic
def role_change_reject(
    *, change: RoleChangeRequest, by: User, note: str = "", request: HttpRequest | None = None
) -> None:
    change = RoleChangeRequest.objects.select_for_update().get(pk=change.pk)
    _check_decider(change, by)
    _decide(change, RoleChangeRequest.Status.REJECTED, by, note, change.user, request)


def _decide(
    change: RoleChangeRequest,
    status: str,
    by: User,
    note: str,
    user: User,
    request: HttpRequest | None,
) -> None:
    """Close the request as confirmed or rejected; the account's log says so."""
    change.status = status
    change.decided_by = by
    change.decided_at = timezone.now()
    change.decision_note = note.strip()
    change.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    record(
        actor=by,
        action=Action.PERMISSION_CHANGE,
        obj=user,
        request=request,
        detail={"stage": str(status), **_change_detail(change)},
    )


@transaction.atomic
def user_disable(*, user: User, by: User | None = None) -> None:
    user.is_active = False
    user.save(update_fields=["is_active"])
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    record(
        actor=by or "system", action=Action.PERMISSION_CHANGE, obj=user, detail={"disabled": True}
    )


def user_unlock(*, user: User, by: User | None = None) -> int:
    """Lift a sign-in lockout before it expires on its own; returns the attempts cleared."""
    from axes.handlers.proxy import AxesProxyHandler

    from .lockout import clear_account_failures

    username = user.get_username().lower()
    cleared = AxesProxyHandler.reset_attempts(username=username)
    clear_account_failures(username)
    record(
        actor=by or "system", action=Action.PERMISSION_CHANGE, obj=user, detail={"unlocked": True}
    )
    return cleared


@transaction.atomic
def user_reset_mfa(*, user: User, by: User | None = None) -> int:
    """Remove the user's authenticators; they enrol again at their next login. Staff ask for
    it through a role change request (two people); only the server's operator command and
    the confirmation of such a request call this."""
    deleted, _ = Authenticator.objects.filter(user=user).delete()
    record(actor=by or "system", action=Action.MFA_CHANGE, obj=user, detail={"reset": True})
    return deleted


@transaction.atomic
def competency_grant(
    *,
    user: User,
    competency: str,
    expires_at: datetime | None = None,
    source: str = "",
    by: User | None = None,
) -> StaffCompetency:
    grant = StaffCompetency(
        user=user, competency=competency, expires_at=expires_at, source=source, granted_by=by
    )
    grant.full_clean()
    grant.save()
    record(
        actor=by or "system",
        action=Action.PERMISSION_CHANGE,
        obj=user,
        detail={"competency": competency, "granted": True, "source": source},
    )
    return grant


@transaction.atomic
def competency_revoke(*, grant: StaffCompetency, by: User | None = None, reason: str = "") -> None:
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    record(
        actor=by or "system",
        action=Action.PERMISSION_CHANGE,
        obj=grant.user,
        detail={"competency": grant.competency, "revoked": True, "reason": reason},
    )


@transaction.atomic
def api_token_issue(*, user: User, request: HttpRequest | None = None) -> tuple[str, ApiToken]:
    """A new token; the plain key is returned once and never stored."""
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user,
        key_hash=ApiToken.hash_key(key),
        expires_at=timezone.now() + settings.API_TOKEN_LIFETIME,
    )
    record(actor=user, action=Action.TOKEN_ISSUED, obj=token, request=request)
    return key, token


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User, request: HttpRequest | None = None) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    record(actor=by, action=Action.TOKEN_REVOKED, obj=token, request=request)
