from __future__ import annotations

from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("cases/<int:pk>/summary/", views.summary_new, name="summary_new"),
    path("cases/<int:pk>/summary/releases/", views.release_new, name="release_new"),
    path(
        "cases/<int:pk>/summary/releases/<int:release_id>/revoke/",
        views.release_revoke,
        name="release_revoke",
    ),
    path("summaries/<str:token>/", views.summary_download, name="summary_download"),
]
