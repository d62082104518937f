"""The public certificate check: /verify/ asks for a code, /verify/<code>/ answers
(no sign-in; exempt from MFA)."""

from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("", views.verify_start, name="verify-start"),
    path("<str:code>/", views.verify, name="verify"),
]
