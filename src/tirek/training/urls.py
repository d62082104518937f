from __future__ import annotations

from django.urls import path, register_converter

from . import views
from .converters import IdConverter

register_converter(IdConverter, "id")

app_name = "training"
urlpatterns = [
    path("", views.my_courses, name="my_courses"),
    path("courses/<id:course_id>/", views.course_detail, name="course"),
    path(
        "courses/<id:course_id>/certificate/", views.course_certificate, name="course_certificate"
    ),
    path("lessons/<id:lesson_id>/", views.lesson_detail, name="lesson"),
    path("quizzes/<id:quiz_id>/", views.quiz_take, name="quiz"),
    path("assets/<id:asset_id>/", views.asset, name="asset"),
    path("certificates/<id:certificate_id>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path(
        "certificates/<id:certificate_id>/revoke/",
        views.certificate_revoke,
        name="certificate_revoke",
    ),
    path("events/", views.events, name="events"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/<id:event_id>/", views.event_detail, name="event"),
    path("events/<id:event_id>/edit/", views.event_edit, name="event_edit"),
    path("events/<id:event_id>/trainers/", views.trainer_add, name="trainer_add"),
    path(
        "events/<id:event_id>/trainers/<id:assignment_id>/remove/",
        views.trainer_remove,
        name="trainer_remove",
    ),
    path("events/<id:event_id>/participants/add/", views.participant_add, name="participant_add"),
    path(
        "events/<id:event_id>/participants/import/",
        views.participant_import,
        name="participant_import",
    ),
    path(
        "events/<id:event_id>/participants/<id:participant_id>/remove/",
        views.participant_remove,
        name="participant_remove",
    ),
    path(
        "events/<id:event_id>/participants/<id:participant_id>/certificate/",
        views.certificate_issue,
        name="certificate_issue",
    ),
    path("events/<id:event_id>/attendance/", views.attendance, name="attendance"),
    path("events/<id:event_id>/scores/", views.scores, name="scores"),
    path("events/<id:event_id>/export.csv", views.event_export, name="event_export"),
    path("manage/", views.manage, name="manage"),
    path("manage/courses/new/", views.course_create, name="course_create"),
    path("manage/courses/<id:course_id>/", views.course_manage, name="course_manage"),
    path("manage/courses/<id:course_id>/quiz/", views.quiz_add, name="quiz_add"),
    path("manage/quizzes/<id:quiz_id>/", views.quiz_manage, name="quiz_manage"),
    path("manage/lessons/<id:lesson_id>/", views.lesson_edit, name="lesson_edit"),
    path("cascade/", views.cascade, name="cascade"),
    path("needs/", views.needs, name="needs"),
    path("reports/", views.report, name="report"),
]
