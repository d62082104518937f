"""The public certificate check at /verify/<code>/ (no sign-in; exempt from MFA)."""

from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [path("<str:code>/", views.verify, name="verify")]
