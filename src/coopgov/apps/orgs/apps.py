from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "coopgov.apps.orgs"
    label = "orgs"
    verbose_name = "Organisations"
