from __future__ import annotations

from django.urls import path

from . import views

app_name = "conferences"
urlpatterns = [
    path("", views.conference_list, name="list"),
    path("new/", views.conference_new, name="new"),
    path("<int:conference_id>/", views.conference_detail, name="detail"),
    path("<int:conference_id>/minutes/", views.conference_minutes, name="minutes"),
    path("<int:conference_id>/minutes.pdf", views.minutes_pdf, name="pdf"),
    path("<int:conference_id>/participants/", views.participant_add, name="participant_add"),
    path(
        "<int:conference_id>/participants/<int:participant_id>/attendance/",
        views.attendance,
        name="attendance",
    ),
    path("<int:conference_id>/actions/", views.action_add, name="action_add"),
    path("<int:conference_id>/approve-plan/", views.approve_plan, name="approve_plan"),
    path("actions/<int:action_id>/close/", views.action_close, name="action_close"),
]
