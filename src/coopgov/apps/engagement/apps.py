from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "coopgov.apps.engagement"
    label = "engagement"
    verbose_name = "Engagement"

    def ready(self) -> None:
        from . import jobs  # noqa: F401  (registers the snapshot refresh job)
