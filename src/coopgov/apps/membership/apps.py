from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "coopgov.apps.membership"
    label = "membership"
    verbose_name = "Membership"

    def ready(self) -> None:
        from . import jobs  # noqa: F401  (registers the import job handlers)
