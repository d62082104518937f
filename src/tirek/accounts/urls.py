from __future__ import annotations

from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.security, name="security"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
