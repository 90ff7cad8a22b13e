from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "coopgov.apps.engagement"
    label = "engagement"
    verbose_name = "Engagement"
