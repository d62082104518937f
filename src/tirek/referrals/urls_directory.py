from __future__ import annotations

from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("", views.directory, name="search"),
    path("providers/new/", views.provider_edit, name="provider_new"),
    path("providers/<int:provider_id>/", views.provider_detail, name="provider"),
    path("providers/<int:provider_id>/edit/", views.provider_edit, name="provider_edit"),
    path("providers/<int:provider_id>/services/new/", views.service_edit, name="service_new"),
    path("<int:service_id>/edit/", views.service_edit, name="service_edit"),
]
