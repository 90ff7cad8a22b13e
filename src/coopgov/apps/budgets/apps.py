from django.apps import AppConfig


class BudgetsConfig(AppConfig):
    name = "coopgov.apps.budgets"
    label = "budgets"
    verbose_name = "Participatory budgeting"
