from __future__ import annotations

from django.urls import path

from . import views

app_name = "incidents"
urlpatterns = [
    path("case/<int:case_id>/", views.case_incidents, name="case"),
    path("case/<int:case_id>/new/", views.incident_new, name="new"),
    path("<int:incident_id>/", views.incident_detail, name="detail"),
    path("<int:incident_id>/actions/", views.action_new, name="action_new"),
    path("<int:incident_id>/close/", views.incident_close, name="close"),
    path("actions/<int:action_id>/done/", views.action_done, name="action_done"),
]
