from __future__ import annotations

from django.urls import path

from . import views

app_name = "families"

urlpatterns = [
    path("", views.family_list, name="list"),
    path("register/", views.register, name="register"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/plan/versions/<int:number>/", views.plan_version, name="plan_version"),
    path("<int:pk>/<slug:what>/", views.action, name="action"),
]
