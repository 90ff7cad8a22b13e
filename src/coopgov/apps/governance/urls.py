from __future__ import annotations

from django.urls import path

from . import views

app_name = "governance"

urlpatterns = [
    path("compliance/", views.overview, name="overview"),
    path("organisations/<slug:slug>/governance/", views.compliance, name="compliance"),
    path("organisations/<slug:slug>/governance/new/", views.body_create, name="body-create"),
    path("organisations/<slug:slug>/governance/<slug:body_slug>/", views.body_detail, name="body"),
]
