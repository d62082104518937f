from __future__ import annotations

from django.urls import path

from . import views

app_name = "transfers"

urlpatterns = [
    path("", views.transfer_list, name="list"),
    path("case/<int:pk>/", views.request_transfer, name="request"),
    path("family/<int:pk>/", views.request_family_transfer, name="family_request"),
    path("families/<int:pk>/", views.family_transfer_detail, name="family_detail"),
    path("families/<int:pk>/accept/", views.family_transfer_accept, name="family_accept"),
    path("families/<int:pk>/decline/", views.family_transfer_decline, name="family_decline"),
    path("families/<int:pk>/withdraw/", views.family_transfer_withdraw, name="family_withdraw"),
    path("group/", views.group_upload, name="group_upload"),
    path("group/template/", views.group_template, name="group_template"),
    path("group/<int:pk>/", views.group_preview, name="group_preview"),
    path("<int:pk>/", views.transfer_detail, name="detail"),
    path("<int:pk>/accept/", views.transfer_accept, name="accept"),
    path("<int:pk>/decline/", views.transfer_decline, name="decline"),
    path("<int:pk>/withdraw/", views.transfer_withdraw, name="withdraw"),
]
