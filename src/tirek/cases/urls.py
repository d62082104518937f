from __future__ import annotations

from django.urls import path

from . import case_page, views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/sections/<slug:tab>/", case_page.case_section, name="section"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path("<int:pk>/team/", views.team, name="team"),
    path("<int:pk>/team/<int:member_id>/remove/", views.team_remove, name="team_remove"),
    path("<int:pk>/notes/new/", views.note_create, name="note_create"),
    path("<int:pk>/notes/<int:note_id>/edit/", views.note_edit, name="note_edit"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
