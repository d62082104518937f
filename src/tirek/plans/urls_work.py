from __future__ import annotations

from django.urls import path

from . import views

app_name = "work"

urlpatterns = [
    path("tasks/", views.tasks, name="tasks"),
]
