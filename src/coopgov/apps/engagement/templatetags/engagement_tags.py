from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def index(seq: Any, i: int) -> Any:
    try:
        return seq[i]
    except (IndexError, TypeError, KeyError):
        return None
