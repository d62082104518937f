from __future__ import annotations

from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.security, name="security"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("role-changes/", views.role_changes, name="role_changes"),
    path("role-changes/new/", views.role_change_new, name="role_change_new"),
    path(
        "role-changes/<int:change_id>/<str:decision>/",
        views.role_change_decide,
        name="role_change_decide",
    ),
]
