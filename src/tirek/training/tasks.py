"""Certificate PDFs made by ``tirek worker``, not in the request.

- Issuing a certificate queues its PDF when the transaction commits (a rollback queues
  nothing). The task carries only the certificate's id.
- Idempotent: the file's name is fixed by the certificate's id and written atomically, so a
  job run again (a retry, a worker that died mid-job) replaces the file instead of adding
  one; a PDF that is ready is not made again.
- Retried with a limit (``tirek.core.queue``); the last failure marks the PDF "failed" with
  its reason, which the holder's download page shows (with a way to ask again), and the
  administrator sees the task's error in the admin.
- The file holds the holder's name, so it is encrypted like case attachments
  (``tirek.core.crypto``) and re-encrypted by ``tirek keys rotate``.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from tirek.core import crypto, queue

from . import pdf
from .models import Certificate, CertificatePdf

logger = logging.getLogger(__name__)


def directory() -> Path:
    path = Path(settings.MEDIA_ROOT) / "certificates"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stored_name(certificate_id: int) -> str:
    return f"certificate-{certificate_id}.bin"


def verify_url(certificate: Certificate) -> str:
    base = str(getattr(settings, "BASE_URL", "")).rstrip("/")
    return base + reverse("verify", args=[certificate.code])


def request_pdf(certificate: Certificate) -> None:
    """Queue the certificate's PDF on commit, unless it is ready or already waiting."""
    row, created = CertificatePdf.objects.get_or_create(certificate=certificate)
    if not created:
        if row.status != CertificatePdf.Status.FAILED:
            return
        CertificatePdf.objects.filter(pk=row.pk).update(
            status=CertificatePdf.Status.QUEUED, error="", updated_at=timezone.now()
        )
    queue.enqueue_on_commit(render_certificate_pdf, certificate.pk)


def stored_pdf(certificate: Certificate) -> bytes | None:
    """The PDF's bytes when it is ready; None while it is being prepared, or failed."""
    row = CertificatePdf.objects.filter(certificate=certificate).first()
    if row is None or row.status != CertificatePdf.Status.READY:
        return None
    path = directory() / row.stored_name
    if not path.exists():  # lost (a restore without media): make it again
        CertificatePdf.objects.filter(pk=row.pk).update(status=CertificatePdf.Status.FAILED)
        return None
    return crypto.decrypt_bytes(path.read_bytes())


def pdf_state(certificate: Certificate) -> CertificatePdf | None:
    return CertificatePdf.objects.filter(certificate=certificate).first()


def make(certificate_id: int) -> bool:
    """Render and store the PDF; False if it was ready already. Errors are raised."""
    row, _created = CertificatePdf.objects.get_or_create(certificate_id=certificate_id)
    name = _stored_name(certificate_id)
    if row.status == CertificatePdf.Status.READY and (directory() / name).exists():
        return False
    certificate = Certificate.objects.select_related("course").get(pk=certificate_id)
    body = pdf.render(certificate, verify_url(certificate))
    target = directory() / name
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(crypto.encrypt_bytes(body))
    os.replace(tmp, target)  # a reader sees the old file or the new one, never half
    CertificatePdf.objects.filter(pk=certificate_id).update(
        status=CertificatePdf.Status.READY, stored_name=name, error="", updated_at=timezone.now()
    )
    return True


@task()
def render_certificate_pdf(certificate_id: int, attempt: int = 1) -> bool:
    """The queued job: make the PDF, or retry, or record the failure for the holder."""
    try:
        return make(certificate_id)
    except Certificate.DoesNotExist:
        return False  # the certificate is gone: nothing to make
    except Exception as exc:
        if not queue.retry_later(render_certificate_pdf, attempt, certificate_id):
            logger.error("certificate %s PDF failed: %s", certificate_id, type(exc).__name__)
            CertificatePdf.objects.filter(pk=certificate_id).update(
                status=CertificatePdf.Status.FAILED,
                error=(str(exc) or type(exc).__name__)[:500],
                updated_at=timezone.now(),
            )
        raise  # the task's result keeps the error for the administrator


def rotate_files() -> int:
    """Re-encrypt every stored certificate PDF with the newest key (``tirek keys rotate``)."""
    count = 0
    for stored in CertificatePdf.objects.exclude(stored_name="").values_list(
        "stored_name", flat=True
    ):
        path = directory() / stored
        if not path.exists():
            continue
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(crypto.rotate_bytes(path.read_bytes()))
        os.replace(tmp, path)
        count += 1
    return count
