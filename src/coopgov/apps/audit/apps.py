from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "coopgov.apps.audit"
    label = "audit"
    verbose_name = "Audit log"
