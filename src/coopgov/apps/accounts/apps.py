from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "coopgov.apps.accounts"
    label = "accounts"
    verbose_name = "Accounts"
