"""Who may do what in training. Training records are about staff, not children:
no case data is read here, so the case access policy is not involved."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404

from tirek.accounts.roles import Role

from .models import Event

if TYPE_CHECKING:
    from tirek.accounts.models import User


def is_coordinator(user: User) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.TRAINING_COORDINATOR))


def sees_events_nav(user: User) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.TRAINING_COORDINATOR, Role.TRAINER))


def require_coordinator(user: User) -> None:
    if not is_coordinator(user):
        raise PermissionDenied


def delivers(user: User, event: Event) -> bool:
    return event.trainers.filter(user=user).exists()


def may_manage_event(user: User, event: Event) -> bool:
    """Coordinators manage every event; a trainer the events they deliver."""
    return is_coordinator(user) or (user.is_authenticated and delivers(user, event))


def require_event_manager(user: User, event: Event) -> None:
    # An event the user neither coordinates nor delivers does not exist for them.
    if not may_manage_event(user, event):
        raise Http404
