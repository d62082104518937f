"""The daily reminder e-mail: each worker's overdue and due-this-week items, and the
consents on their open cases that expire within the notice period or have expired.

Counts and a link only — never a name or a case number (the rule of every Tirek e-mail):
the reader signs in, and the access policy decides what the task list shows. The counts
come from the same selector as the "my work" task list, so they never include a case the
reader may not see; the consent counts come from ``tirek.privacy.selectors``, which asks
the access policy which cases (and whose consent section) the reader may see.

The consent reminder rides in this digest rather than in a second daily e-mail: one
message a morning is read, two are filtered; and it shares the once-a-day mark below.

The once-a-day mark is a ``DigestSent`` row (unique per person and day), claimed before
the e-mail goes out: a cache flush, a retried run or a second worker never sends twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from tirek.access import selectors as access_selectors
from tirek.accounts.models import User
from tirek.plans.selectors import due_cases
from tirek.privacy.conf import CONSENT_EXPIRY_WARNING_DAYS
from tirek.privacy.selectors import consent_reminder

from . import queue
from .models import DigestSent

logger = logging.getLogger("tirek.ops")
WEEK = timedelta(days=7)
KEEP_MARKS = timedelta(days=30)


@dataclass(frozen=True)
class Digest:
    overdue: int
    due_this_week: int
    consents_expiring: int = 0
    consents_expired: int = 0

    @property
    def is_empty(self) -> bool:
        return not (
            self.overdue or self.due_this_week or self.consents_expiring or self.consents_expired
        )


def digest_for(user: User, now: datetime) -> Digest:
    due = due_cases(user, scope="mine", now=now)
    consents = consent_reminder(user, now)
    return Digest(
        overdue=due.filter(due_at__lt=now).count(),
        due_this_week=due.filter(due_at__gte=now, due_at__lte=now + WEEK).count(),
        consents_expiring=consents.expiring,
        consents_expired=consents.expired,
    )


def recipients() -> list[User]:
    """Active people with an address who are on at least one case team."""
    return list(access_selectors.users_on_any_team().filter(email__gt=""))


def message(user: User, digest: Digest) -> tuple[str, str]:
    base = str(getattr(settings, "BASE_URL", "")).rstrip("/")
    link = base + reverse("work:tasks")
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        subject = _("Tirek: your tasks for this week")
        body = _(
            "Overdue: {overdue}\nDue within seven days: {week}\n\n"
            "Sign in to see them:\n{link}\n\nThis message is automatic; please do not reply."
        ).format(overdue=digest.overdue, week=digest.due_this_week, link=link)
        if digest.consents_expiring or digest.consents_expired:
            consents = _(
                "Consents on your cases that expire within {days} days: {expiring}\n"
                "Consents on your cases that have expired: {expired}\n"
                "See them on your work page:\n{link}"
            ).format(
                days=CONSENT_EXPIRY_WARNING_DAYS,
                expiring=digest.consents_expiring,
                expired=digest.consents_expired,
                link=base + reverse("home"),
            )
            body = f"{consents}\n\n{body}"
    return subject, body


def _claim(user: User, day: date) -> DigestSent | None:
    """The day's mark for ``user``, or None if someone (a retried run, a second worker)
    holds it already."""
    try:
        with transaction.atomic():
            return DigestSent.objects.create(user=user, day=day)
    except IntegrityError:
        return None


@task()
def send_digests(now_iso: str = "", attempt: int = 1) -> int:
    """Scheduled daily. Idempotent within a day: a retried run skips whoever got theirs.
    An e-mail that fails does not stop the others; the run is then retried (with a limit,
    ``tirek.ops.queue``) for those only, and its error shows in the admin's task results."""
    now = datetime.fromisoformat(now_iso) if now_iso else timezone.now()
    day = timezone.localdate(now)
    DigestSent.objects.filter(day__lt=day - KEEP_MARKS).delete()
    done = set(DigestSent.objects.filter(day=day).values_list("user_id", flat=True))
    sent = 0
    failed: list[int] = []
    for user in recipients():
        if user.pk in done:
            continue
        digest = digest_for(user, now)
        if digest.is_empty:
            continue
        mark = _claim(user, day)
        if mark is None:
            continue
        subject, body = message(user, digest)
        try:
            send_mail(subject, body, None, [user.email], fail_silently=False)
        except Exception:
            mark.delete()  # the retry tries this person again
            logger.exception("digest e-mail to user %s failed", user.pk)
            failed.append(user.pk)
            continue
        sent += 1
    if failed:
        queue.retry_later(send_digests, attempt, now.isoformat())
        raise DigestFailed(f"{len(failed)} digest e-mail(s) failed (attempt {attempt})")
    return sent


class DigestFailed(RuntimeError):
    """Some digests could not be sent; the task result shows it to the administrator."""
