from __future__ import annotations

from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("consents/person/<int:person_id>/new/", views.consent_new, name="consent_new"),
    path("consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("consents/<int:pk>/approve/", views.consent_approve, name="consent_approve"),
    path("emergency/open/", views.emergency_open, name="emergency_open"),
    path("emergency/extensions/", views.emergency_extensions, name="emergency_extensions"),
    path(
        "emergency/extensions/<int:pk>/revoke/",
        views.emergency_extension_revoke,
        name="emergency_extension_revoke",
    ),
    path("emergency/", views.review_list, name="review_list"),
    path("emergency/<int:pk>/", views.review_detail, name="review_detail"),
]
