from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "coopgov.apps.elections"
    label = "elections"
    verbose_name = "Elections"
