from __future__ import annotations

from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("<int:case_id>/assessments/", views.case_assessments, name="case_assessments"),
    path("<int:case_id>/assessments/start/", views.assessment_start, name="start"),
    path("<int:case_id>/assessments/<int:assessment_id>/", views.assessment_detail, name="detail"),
]
