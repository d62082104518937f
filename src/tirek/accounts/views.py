from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .mfa import has_mfa, mfa_required
from .models import ApiToken
from .selectors import valid_competencies


@login_required
def security(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/security.html",
        {
            "has_mfa": has_mfa(user),
            "mfa_required": mfa_required(user),
            "tokens": ApiToken.objects.usable().filter(user=user).order_by("-created_at"),
            "competencies": valid_competencies(user),  # type: ignore[arg-type]
            "roles": sorted(user.roles.all(), key=lambda r: r.role),  # type: ignore[union-attr]
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.api_token_revoke(token=token, by=request.user, request=request)  # type: ignore[arg-type]
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:security")
