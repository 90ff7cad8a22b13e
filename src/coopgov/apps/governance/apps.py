from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "coopgov.apps.governance"
    label = "governance"
    verbose_name = "Governing bodies"
