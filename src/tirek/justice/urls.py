from __future__ import annotations

from django.urls import path

from . import views

app_name = "justice"
urlpatterns = [
    path("case/<int:case_id>/", views.case_justice, name="case"),
    path("case/<int:case_id>/update/", views.case_update, name="update"),
    path("case/<int:case_id>/update/<slug:kind>/", views.case_update_post, name="update_post"),
    path("case/<int:case_id>/<slug:part>/", views.case_add, name="add"),
]
