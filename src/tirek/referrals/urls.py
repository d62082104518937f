from __future__ import annotations

from django.urls import path

from . import views

app_name = "referrals"
urlpatterns = [
    path("", views.referral_list, name="list"),
    path("case/<int:case_id>/", views.case_referrals, name="case"),
    path("case/<int:case_id>/to/<int:service_id>/", views.referral_new, name="new"),
    path("<int:referral_id>/", views.referral_detail, name="detail"),
    path("<int:referral_id>/<slug:action>/", views.referral_action, name="action"),
]
