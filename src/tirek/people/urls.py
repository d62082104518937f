from __future__ import annotations

from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="list"),
    path("new/", views.register, name="register"),
    path("new/check/", views.duplicate_check_fragment, name="check"),
    path("merges/", views.merge_list, name="merges"),
    path("merges/<int:merge_id>/", views.merge_decide, name="merge_decide"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/names/", views.name_add, name="name_add"),
    path("<int:pk>/names/<int:name_id>/remove/", views.name_remove, name="name_remove"),
    path("<int:pk>/documents/new/", views.document_add, name="document_add"),
    path(
        "<int:pk>/documents/<int:document_id>/remove/",
        views.document_remove,
        name="document_remove",
    ),
    path("<int:pk>/photo/", views.photo, name="photo"),
    path("<int:pk>/photo/upload/", views.photo_upload, name="photo_upload"),
    path("<int:pk>/photo/remove/", views.photo_remove, name="photo_remove"),
    path("<int:pk>/open-case/", views.open_case, name="open_case"),
    path("<int:pk>/family/", views.family, name="family"),
    path("<int:pk>/family/new/", views.relative_add, name="relative_add"),
    path("<int:pk>/family/<int:rel_id>/remove/", views.relative_remove, name="relative_remove"),
    path("<int:pk>/household/", views.household_edit, name="household"),
    path("<int:pk>/merge/", views.merge_request, name="merge_request"),
]
