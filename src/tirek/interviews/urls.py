from __future__ import annotations

from django.urls import path

from . import views

app_name = "interviews"
urlpatterns = [
    path("", views.my_interviews, name="mine"),
    path("case/<int:case_id>/", views.case_interviews, name="case"),
    path("case/<int:case_id>/new/", views.interview_new, name="new"),
    path("<int:interview_id>/", views.interview_detail, name="detail"),
    path("<int:interview_id>/<slug:action>/", views.interview_action, name="action"),
]
