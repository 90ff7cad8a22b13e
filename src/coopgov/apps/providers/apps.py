from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "coopgov.apps.providers"
    label = "providers"
    verbose_name = "Care providers by ownership model"

    def ready(self) -> None:
        from . import jobs  # noqa: F401  (registers the background import job)
