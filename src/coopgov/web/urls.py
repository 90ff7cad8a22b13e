from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from coopgov.apps.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("coopgov.apps.accounts.urls")),
    path("api/", api.urls),
    path("", include("coopgov.apps.governance.urls")),
    path("", include("coopgov.apps.elections.urls")),
    path("", include("coopgov.apps.engagement.urls")),
    path("budgets/", include("coopgov.apps.budgets.urls")),
    path("providers/", include("coopgov.apps.providers.urls")),
    path("", include("coopgov.apps.site.urls")),
]
