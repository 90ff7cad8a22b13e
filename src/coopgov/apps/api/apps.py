from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "coopgov.apps.api"
    label = "api"
    verbose_name = "API"
