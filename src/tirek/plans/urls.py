from __future__ import annotations

from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("<int:case_id>/plan/", views.plan, name="plan"),
    path("<int:case_id>/plan/goals/new/", views.goal_new, name="goal_new"),
    path("<int:case_id>/plan/goals/<int:goal_id>/", views.goal_edit, name="goal_edit"),
    path(
        "<int:case_id>/plan/goals/<int:goal_id>/interventions/new/",
        views.intervention_new,
        name="intervention_new",
    ),
    path(
        "<int:case_id>/plan/interventions/<int:intervention_id>/",
        views.intervention_edit,
        name="intervention_edit",
    ),
    path("<int:case_id>/plan/submit/", views.plan_submit, name="submit"),
    path("<int:case_id>/plan/decide/", views.plan_decide, name="decide"),
    path("<int:case_id>/plan/versions/<int:number>/", views.plan_version, name="version"),
    path("<int:case_id>/plan/pdf/", views.plan_pdf, name="pdf"),
    path("<int:case_id>/plan/versions/<int:number>/pdf/", views.plan_pdf, name="version_pdf"),
    path("<int:case_id>/reviews/", views.reviews, name="reviews"),
    path("<int:case_id>/closure/", views.closure, name="closure"),
]
