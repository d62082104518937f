"""Account administration: each function is one use case and leaves an audit entry."""

from __future__ import annotations

from datetime import datetime

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.organisations.models import Agency, Region, Unit

from .models import ApiToken, StaffCompetency, User, UserRole
from .roles import Role


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
) -> User:
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        agency=agency,
        unit=unit,
        region=region or (agency.region if agency else None),
        is_demo=is_demo,
    )
    if check_password:
        validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user_set_roles(user=user, roles=roles, by=by)
    record(actor=by or "system", action=Action.CREATE, obj=user, detail={"roles": sorted(roles)})
    return user


@transaction.atomic
def user_set_roles(*, user: User, roles: list[str], by: User | None = None) -> None:
    current = set(user.roles.values_list("role", flat=True))
    wanted = set(roles)
    user.roles.filter(role__in=current - wanted).delete()
    UserRole.objects.bulk_create(
        [UserRole(user=user, role=role, granted_by=by) for role in sorted(wanted - current)]
    )
    user.__dict__.pop("_role_cache", None)
    # The Django admin is the system administrator's tool; nobody else gets staff status.
    is_admin = Role.ADMIN in wanted
    if user.is_staff != is_admin:
        user.is_staff = is_admin
        user.save(update_fields=["is_staff"])
    if current != wanted:
        record(
            actor=by or "system",
            action=Action.PERMISSION_CHANGE,
            obj=user,
            detail={"added": sorted(wanted - current), "removed": sorted(current - wanted)},
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

    cleared = AxesProxyHandler.reset_attempts(username=user.get_username().lower())
    record(
        actor=by or "system", action=Action.PERMISSION_CHANGE, obj=user, detail={"unlocked": True}
    )
    return cleared


@transaction.atomic
def user_reset_mfa(*, user: User, by: User | None = None) -> int:
    """Remove the user's authenticators; they enrol again at their next login."""
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
