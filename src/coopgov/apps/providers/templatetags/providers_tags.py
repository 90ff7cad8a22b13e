from __future__ import annotations

from django import template

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
def get_item(d: dict[str, str], key: str) -> str:
    return d.get(key, "")
