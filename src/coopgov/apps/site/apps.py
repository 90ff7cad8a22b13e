from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "coopgov.apps.site"
    label = "site"
    verbose_name = "Site pages"
