from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "coopgov.apps.elections"
    label = "elections"
    verbose_name = "Elections"

    def ready(self) -> None:
        from . import jobs  # noqa: F401  (registers the background job handlers)
