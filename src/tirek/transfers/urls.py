from __future__ import annotations

from django.urls import path

from . import views

app_name = "transfers"

urlpatterns = [
    path("", views.transfer_list, name="list"),
    path("case/<int:pk>/", views.request_transfer, name="request"),
    path("group/", views.group_upload, name="group_upload"),
    path("group/template/", views.group_template, name="group_template"),
    path("group/<int:pk>/", views.group_preview, name="group_preview"),
    path("<int:pk>/", views.transfer_detail, name="detail"),
    path("<int:pk>/accept/", views.transfer_accept, name="accept"),
    path("<int:pk>/decline/", views.transfer_decline, name="decline"),
    path("<int:pk>/withdraw/", views.transfer_withdraw, name="withdraw"),
]
