from __future__ import annotations

from django.urls import path, re_path

from . import views

app_name = "providers"

urlpatterns = [
    path("", views.directory, name="directory"),
    re_path(r"^locations\.(?P<fmt>csv|json)$", views.directory_download, name="directory-download"),
    path("compare/", views.compare, name="compare"),
    path("import/", views.import_files, name="import"),
    path("import/jobs/<uuid:job_id>/", views.import_job, name="import-job"),
    path("import/<int:pk>/", views.import_detail, name="import-detail"),
    re_path(r"^compare/chart\.(?P<fmt>svg|png)$", views.compare_chart, name="compare-chart"),
    re_path(
        r"^compare/(?P<table>shares|regression)\.(?P<fmt>csv|json)$", views.compare_download, name="compare-download"
    ),
    path("<str:provider_id>/", views.provider_detail, name="provider"),
    path("<str:provider_id>/classification.json", views.provider_json, name="provider-json"),
    path("<str:provider_id>/override/", views.provider_override, name="override"),
]
