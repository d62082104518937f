from __future__ import annotations

from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("consents/person/<int:person_id>/new/", views.consent_new, name="consent_new"),
    path("consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("consents/<int:pk>/approve/", views.consent_approve, name="consent_approve"),
    path("emergency/open/", views.emergency_open, name="emergency_open"),
    path("emergency/", views.review_list, name="review_list"),
    path("emergency/<int:pk>/", views.review_detail, name="review_detail"),
]
