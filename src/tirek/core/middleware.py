from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

from . import problems

SUPPORTED = {code for code, _name in settings.LANGUAGES}


class LanguageMiddleware:
    """Russian unless the user chose another language (cookie).

    Browsers' Accept-Language is ignored on pages on purpose: a shared office computer
    set to English must not change the working language. API clients may send it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in SUPPORTED:
            language = settings.LANGUAGE_CODE
            if request.path.startswith("/api/"):
                accepted = translation.get_language_from_request(request)
                language = accepted if accepted in SUPPORTED else language
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy: every script, style and font is our own."""

    CSP = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.CSP)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if request.user.is_authenticated if hasattr(request, "user") else False:
            # Pages with personal data must not linger in shared browser caches.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


class ApiProblemMiddleware:
    """Every error under /api/ answers RFC 9457 problem+json.

    Ninja's exception handlers cover errors raised inside endpoints; this catches the
    ones Django answers before (or around) ninja: an unknown path, a wrong method, a
    CSRF or size refusal, a crash in another middleware.
    """

    # Headers the original answer computed and a client still needs.
    _DROP = {"content-type", "content-length"}

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith("/api/")
            or response.get("Content-Type", "").startswith(problems.CONTENT_TYPE)
        ):
            return response
        detail = ""
        if response.status_code == 405 and response.has_header("Allow"):
            detail = _("Allowed methods: %(methods)s.") % {"methods": response["Allow"]}
        problem = problems.problem_response(request, response.status_code, detail)
        for name, value in response.items():
            if name.lower() not in self._DROP:
                problem[name] = value
        problem.cookies = response.cookies
        return problem
