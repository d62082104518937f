"""Public verification of a certificate by its code."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tirek.audit.services import client_ip
from tirek.core.ratelimit import RateLimited
from tirek.core.ratelimit import check as rate_limit

from .. import selectors
from ..models import Certificate


def verify_start(request: HttpRequest) -> HttpResponse:
    """Public: a field to type the code printed on a certificate; a typed code goes to its
    check page (normalised there, so spaces and dashes as printed do not matter)."""
    code = request.GET.get("code", "").strip()[:64]
    if code:
        return redirect("verify", code=code)
    return render(request, "training/verify.html", {"ask": True})


def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: only validity, holder and course. Lookups are rate limited per address so
    codes cannot be enumerated."""
    try:
        rate_limit(f"verify:{client_ip(request)}", limit=20, window_seconds=60)
    except RateLimited as exc:
        response = render(request, "training/verify.html", {"limited": True}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    certificate = selectors.certificate_by_code(code[:64])
    if certificate is None:
        return render(request, "training/verify.html", {"code": code[:64]}, status=404)
    return render(
        request,
        "training/verify.html",
        {
            "found": True,
            "status": certificate.status,
            "status_label": Certificate.Status(certificate.status).label,
            "holder": certificate.holder_name,
            "course": certificate.course.title,
            "code": certificate.display_code,
        },
    )
