from __future__ import annotations

from django import template

from coopgov.apps.budgets.services import money as _money

register = template.Library()


@register.filter
def money(amount: int | None, currency: str = "GBP") -> str:
    """``{{ idea.ballot_cost|money:process.currency }}`` → ``£25,000`` (or ``25,000 PLN``)."""
    return "" if amount is None else _money(int(amount), currency)
