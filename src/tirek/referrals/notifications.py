"""In-app notifications, and an e-mail nudge when e-mail is configured.

Used by referrals, conferences and interviews. An e-mail never carries anything about
the child or the case — not a name, not a case number — only a generic sentence and a
link to the notification list, where the reader signs in and the access policy applies.
E-mails go out after the transaction commits, so a rolled-back change sends nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from .models import Notification

logger = logging.getLogger(__name__)


def notifications_url() -> str:
    base = str(getattr(settings, "BASE_URL", "")).rstrip("/")
    return f"{base}{reverse('notifications:list')}"


@task()
def send_notification_emails(user_ids: list[int]) -> None:
    """A queued job (``tirek worker``): the request that notified does not wait for the
    mail server."""
    _send_email(user_ids)


def _send_email(user_ids: list[int]) -> None:
    from tirek.accounts.models import User

    for user in User.objects.filter(pk__in=user_ids, is_active=True).exclude(email=""):
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            subject = _("Tirek: you have a new notification")
            body = _(
                "Something in Tirek needs your attention. Sign in to read it:\n{url}\n\n"
                "This message is automatic; please do not reply."
            ).format(url=notifications_url())
        try:
            send_mail(subject, body, None, [user.email], fail_silently=False)
        except Exception:  # a mail server outage must not break the work that was saved
            logger.exception("notification e-mail to user %s failed", user.pk)


def notify(users: Iterable[Any], *, kind: str, url: str, label: str = "") -> list[Notification]:
    """Notify each distinct active user once; e-mail those with an address on commit."""
    seen: set[int] = set()
    rows: list[Notification] = []
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, kind=kind, url=url[:300], label=label[:64]))
    Notification.objects.bulk_create(rows)
    if rows and getattr(settings, "NOTIFICATION_EMAILS", True):
        ids = [row.user_id for row in rows]
        transaction.on_commit(lambda: send_notification_emails.enqueue(ids))
    return rows
