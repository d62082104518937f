"""E-mails to the data protection officer, sent by ``tirek worker`` rather than in the
request: the person who broke the glass does not wait for the mail server, and a mail
server outage is retried (``tirek.core.queue``) instead of lost. The task carries only the
emergency access's id; the last failure stays in the admin's task results, and the DPO's
in-app review list has the access whatever happens to the e-mail."""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from tirek.access import selectors as access_selectors
from tirek.core import queue

from . import conf
from .models import EmergencyAccess

logger = logging.getLogger(__name__)


def dpo_message(access: EmergencyAccess) -> tuple[str, str]:
    # No name of the person, no case content: the number and who opened it, for the review.
    subject = _("Tirek: emergency access to review")
    body = _(
        "%(user)s opened case %(number)s through emergency access at %(at)s. "
        "Review it under “Emergency access” in Tirek."
    ) % {
        "user": access.user.get_full_name() or access.user.username,
        "number": access.case.number,
        "at": timezone.localtime(access.granted_at).strftime("%Y-%m-%d %H:%M"),
    }
    return subject, body


@task()
def notify_dpo(access_id: int, attempt: int = 1) -> bool:
    """E-mail the DPO's mailbox about one emergency access; False if there is nothing to
    send (no mailbox configured, the record is gone)."""
    address = conf.dpo_notify_email()
    try:
        access = access_selectors.emergency_access(access_id)
    except EmergencyAccess.DoesNotExist:
        access = None
    if not address or access is None:
        return False
    subject, body = dpo_message(access)
    try:
        send_mail(subject, body, None, [address], fail_silently=False)
    except Exception:
        logger.exception("Could not e-mail the DPO about emergency access %s", access_id)
        queue.retry_later(notify_dpo, attempt, access_id)
        raise  # the task's result shows the error to the administrator
    return True
