from __future__ import annotations

from django import template

from coopgov.ownership import OwnershipModel

register = template.Library()

_TAGS = {
    "Outstanding": "govuk-tag--green",
    "Good": "govuk-tag--turquoise",
    "Requires improvement": "govuk-tag--yellow",
    "Inadequate": "govuk-tag--red",
}


@register.filter
def rating_tag(rating: str) -> str:
    """The GOV.UK tag colour for a CQC rating (the text is always shown too)."""
    return _TAGS.get(rating, "govuk-tag--grey")


@register.filter
def model_label(value: str) -> str:
    """An ownership model's label from its value (``"for_profit"`` → ``"For-profit"``)."""
    try:
        return OwnershipModel(value).label
    except ValueError:
        return value


@register.filter
def get_item(d: dict[str, str], key: str) -> str:
    return d.get(key, "")
