from __future__ import annotations

from django.urls import path

from . import views

app_name = "engagement"

urlpatterns = [
    path("organisations/<slug:slug>/engagement/", views.dashboard, name="dashboard"),
    path("organisations/<slug:slug>/engagement/data.<str:fmt>", views.dashboard_data, name="dashboard-data"),
    path("organisations/<slug:slug>/engagement/manage/", views.manage, name="manage"),
    path("organisations/<slug:slug>/engagement/reports/", views.reports, name="reports"),
    path("organisations/<slug:slug>/engagement/reports/<int:year>/", views.report, name="report"),
    path("organisations/<slug:slug>/engagement/reports/<int:year>/edit/", views.report_edit, name="report-edit"),
    path("organisations/<slug:slug>/engagement/reports/<int:year>/report.pdf", views.report_pdf, name="report-pdf"),
    path(
        "organisations/<slug:slug>/engagement/reports/<int:year>/data.<str:fmt>",
        views.report_data,
        name="report-data",
    ),
]
