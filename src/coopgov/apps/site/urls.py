from __future__ import annotations

from django.urls import path

from . import views

app_name = "site"

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("organisations/", views.directory, name="directory"),
    path("my-memberships/", views.my_memberships, name="my-memberships"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation"),
    path("organisations/<slug:slug>/join/", views.apply, name="apply"),
    path("organisations/<slug:slug>/register/", views.register, name="register"),
    path("organisations/<slug:slug>/register/export.csv", views.register_export, name="register-export"),
    path("organisations/<slug:slug>/register/import/", views.register_import, name="import"),
    path("organisations/<slug:slug>/register/import/confirm/", views.register_import_confirm, name="import-confirm"),
    path("organisations/<slug:slug>/register/<int:membership_id>/", views.member_detail, name="member"),
    path("organisations/<slug:slug>/jobs/<uuid:job_id>/", views.job_status, name="job"),
    path("organisations/<slug:slug>/audit/", views.audit_log, name="audit"),
]
