from __future__ import annotations

from django.urls import path

from . import views

app_name = "retention"

urlpatterns = [
    path("", views.work_list, name="work_list"),
    path("schedule/", views.schedule_page, name="schedule"),
    path("holds/new/", views.hold_new, name="hold_new"),
    path("holds/<int:pk>/lift/", views.hold_lift, name="hold_lift"),
    path("pass/", views.run_pass, name="run_pass"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/approve/", views.batch_approve, name="batch_approve"),
    path("batches/<int:pk>/retry/", views.batch_retry, name="batch_retry"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/approve/", views.request_approve, name="request_approve"),
    path("requests/<int:pk>/release/", views.request_release, name="request_release"),
    path("requests/<int:pk>/close/", views.request_close, name="request_close"),
    path("packages/<str:token>/", views.package_download, name="package_download"),
]
