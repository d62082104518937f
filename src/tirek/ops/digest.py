"""The daily reminder e-mail: each worker's overdue and due-this-week items.

Counts and a link only — never a name or a case number (the rule of every Tirek e-mail):
the reader signs in, and the access policy decides what the task list shows. The counts
come from the same selector as the "my work" task list, so they never include a case the
reader may not see.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from tirek.access import selectors as access_selectors
from tirek.accounts.models import User
from tirek.plans.selectors import due_cases

logger = logging.getLogger("tirek.ops")
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Digest:
    overdue: int
    due_this_week: int

    @property
    def is_empty(self) -> bool:
        return not (self.overdue or self.due_this_week)


def digest_for(user: User, now: datetime) -> Digest:
    due = due_cases(user, scope="mine", now=now)
    return Digest(
        overdue=due.filter(due_at__lt=now).count(),
        due_this_week=due.filter(due_at__gte=now, due_at__lte=now + WEEK).count(),
    )


def recipients() -> list[User]:
    """Active people with an address who are on at least one case team."""
    return list(access_selectors.users_on_any_team().filter(email__gt=""))


def message(user: User, digest: Digest) -> tuple[str, str]:
    link = str(getattr(settings, "BASE_URL", "")).rstrip("/") + reverse("work:tasks")
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        subject = _("Tirek: your tasks for this week")
        body = _(
            "Overdue: {overdue}\nDue within seven days: {week}\n\n"
            "Sign in to see them:\n{link}\n\nThis message is automatic; please do not reply."
        ).format(overdue=digest.overdue, week=digest.due_this_week, link=link)
    return subject, body


@task()
def send_digests(now_iso: str = "") -> int:
    """Scheduled daily. Idempotent within a day: a retried run skips whoever got theirs."""
    now = datetime.fromisoformat(now_iso) if now_iso else timezone.now()
    day = timezone.localdate(now).isoformat()
    sent = 0
    for user in recipients():
        digest = digest_for(user, now)
        if digest.is_empty or not cache.add(f"tirek:digest:{user.pk}:{day}", 1, 2 * 86400):
            continue
        subject, body = message(user, digest)
        try:
            send_mail(subject, body, None, [user.email], fail_silently=False)
        except Exception:
            cache.delete(f"tirek:digest:{user.pk}:{day}")  # let the next run try again
            logger.exception("digest e-mail to user %s failed", user.pk)
            raise
        sent += 1
    return sent
