from __future__ import annotations

from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import include, path, re_path

from tirek.api import api
from tirek.core import views as core_views
from tirek.core.registry import url_includes
from tirek.ops.views import health


def _disabled(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    # Accounts are provisioned by administrators; no self sign-up, e-mail or password reset by mail.
    raise Http404


urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", health, name="healthz"),  # database, cache, worker, disk
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    re_path(r"^accounts/(signup|email|password/reset|3rdparty)(/.*)?$", _disabled),
    path("accounts/", include("allauth.urls")),
    path("me/", include("tirek.accounts.urls")),
    path("audit/", include("tirek.audit.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    *[path(prefix, include(module)) for prefix, module in url_includes],
]

handler403 = "tirek.core.views.permission_denied"
handler404 = "tirek.core.views.not_found"
handler500 = "tirek.core.views.server_error"
