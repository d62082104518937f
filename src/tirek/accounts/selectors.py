"""Reads about staff accounts."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import ApiToken, StaffCompetency, User


def user_by_token(key: str) -> User | None:
    """The active user holding this usable token, or None."""
    token = (
        ApiToken.objects.usable()
        .select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    # Touch at most once a minute so reads stay cheap.
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    user = token.user
    user.current_api_token = token
    return user


def valid_competencies(user: User) -> QuerySet[StaffCompetency]:
    now = timezone.now()
    return user.competencies.filter(revoked_at__isnull=True).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


def has_competency(user: User, competency: str) -> bool:
    return valid_competencies(user).filter(competency=competency).exists()
