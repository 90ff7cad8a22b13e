from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "coopgov.apps.jobs"
    label = "jobs"
    verbose_name = "Background jobs"
