"""The certificate as a one-page PDF in the holder's language, with a QR code to the
public verification page."""

from __future__ import annotations

from io import BytesIO

import qrcode
from django.utils import formats, translation
from django.utils.translation import gettext as _

from tirek.core.pdf import ACCENT, FAMILY, INK, Document

from .models import Certificate


def _qr_png(url: str) -> BytesIO:
    image = qrcode.make(url, box_size=8, border=2)
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


def render(certificate: Certificate, verify_url: str) -> bytes:
    language = certificate.language or "ru"
    with translation.override(language):
        title = (
            _("Trainer certificate")
            if certificate.kind == Certificate.Kind.TRAINER
            else _("Certificate of completion")
        )
        course = certificate.course.title_in(language)
        pdf = Document(title, orientation="L", author=True, bottom_margin=None)
        # The code is also in the document's metadata, readable by any PDF tool.
        pdf.set_subject(f"{title} {certificate.display_code}")
        pdf.set_keywords(certificate.code)
        pdf.add_page()
        pdf.set_draw_color(*ACCENT)
        pdf.set_line_width(1.2)
        pdf.rect(10, 10, 277, 190)
        pdf.set_y(28)
        pdf.set_font(FAMILY, "B", 28)
        pdf.set_text_color(*ACCENT)
        pdf.cell(0, 14, title, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*INK)
        pdf.set_font(FAMILY, "", 14)
        pdf.ln(6)
        pdf.cell(0, 8, _("This certifies that"), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FAMILY, "B", 22)
        pdf.ln(2)
        pdf.multi_cell(0, 12, certificate.holder_name, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FAMILY, "", 14)
        pdf.ln(2)
        completed = (
            _("has completed the training of trainers for the course")
            if certificate.kind == Certificate.Kind.TRAINER
            else _("has completed the course")
        )
        pdf.cell(0, 8, completed, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FAMILY, "B", 16)
        pdf.ln(2)
        pdf.multi_cell(0, 9, f"«{course}»", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FAMILY, "", 12)
        pdf.ln(4)
        if certificate.event_id and certificate.event:
            event = certificate.event
            pdf.multi_cell(
                0,
                7,
                f"{event.title}, {formats.date_format(event.start_date)} — "
                f"{formats.date_format(event.end_date)}",
                align="C",
                new_x="LMARGIN",
                new_y="NEXT",
            )
        pdf.set_xy(20, 150)
        pdf.set_font(FAMILY, "", 11)
        issued = formats.date_format(certificate.issued_at.date())
        expires = formats.date_format(certificate.expires_at.date())
        pdf.multi_cell(
            190,
            7,
            "\n".join(
                [
                    _("Issued: %(date)s") % {"date": issued},
                    _("Valid until: %(date)s") % {"date": expires},
                    _("Verification code: %(code)s") % {"code": certificate.display_code},
                    _("Check this certificate at %(url)s") % {"url": verify_url},
                ]
            ),
        )
        pdf.image(_qr_png(verify_url), x=235, y=140, w=42, h=42)
        return pdf.render()
