"""Public JSON API for the provider register (mounted at ``/api/providers/``): providers with their
ownership model and evidence, and the comparison (the same cached numbers as the page, small
numbers suppressed)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from coopgov.apps.api.auth import OptionalAuth
from coopgov.ownership import KEY_QUESTIONS

from . import comparison
from .models import MODEL_CHOICES, Provider

router = Router(tags=["providers"])
PUBLIC = [OptionalAuth()]
MAX_PAGE_SIZE = 500
_MODELS = {v for v, _ in MODEL_CHOICES}


class ProviderOut(Schema):
    cqc_provider_id: str
    name: str
    ownership_model: str
    automatic_model: str
    rule: str
    overridden: bool
    needs_review: bool
    chain: bool
    private_equity: bool
    locations: int


class ProviderPage(Schema):
    count: int
    results: list[ProviderOut]


class ComparisonOut(Schema):
    filters: dict[str, Any]
    units: int
    suppressed_below: int
    shares: list[dict[str, str]]
    regression: list[dict[str, Any]]
    regression_error: str
    warnings: list[str]


def _out(p: Provider) -> dict[str, Any]:
    return {
        "cqc_provider_id": p.cqc_provider_id,
        "name": p.name,
        "ownership_model": p.model,
        "automatic_model": p.automatic_model,
        "rule": "OVERRIDE" if p.override_model else p.automatic_rule,
        "overridden": bool(p.override_model),
        "needs_review": p.needs_review,
        "chain": p.chain,
        "private_equity": p.private_equity,
        "locations": p.number_of_locations,
    }


@router.get("/", response=ProviderPage, auth=PUBLIC)
def list_providers(
    request: HttpRequest, q: str = "", model: str = "", offset: int = 0, limit: int = 100
) -> dict[str, Any]:
    """Current providers by name; ``model`` filters by (effective) ownership model."""
    qs = Provider.objects.filter(current=True)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(cqc_provider_id=q))
    if model in _MODELS:
        qs = qs.filter(model=model)
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    offset = max(0, offset)
    return {
        "count": qs.count(),
        "results": [_out(p) for p in qs.order_by("name", "id")[offset : offset + limit]],
    }


@router.get("/compare", response=ComparisonOut, auth=PUBLIC)
def compare(
    request: HttpRequest,
    key_question: str = "Overall",
    service_type: str = "",
    region: str = "",
    year: int | None = None,
    by: str = "",
) -> dict[str, Any]:
    """Shares Good-or-Outstanding and Inadequate by ownership model (Wilson intervals, small numbers
    suppressed) and the ordinal regression's odds ratios."""
    f = comparison.Filters(
        key_question=key_question if key_question in KEY_QUESTIONS else "Overall",
        service_type=service_type,
        region=region,
        year=year,
        by=by if by in comparison.BREAKDOWNS else "",
    )
    c = comparison.cached_comparison(f)
    return {
        "filters": {
            "key_question": f.key_question,
            "service_type": f.service_type,
            "region": f.region,
            "year": f.year,
            "by": f.by,
        },
        "units": c.units,
        "suppressed_below": comparison.SUPPRESS_BELOW,
        "shares": c.published,
        "regression": comparison.regression_rows(c),
        "regression_error": c.regression_error,
        "warnings": list(c.regression.warnings) if c.regression is not None else [],
    }


@router.get("/{provider_id}", auth=PUBLIC)
def provider_detail(request: HttpRequest, provider_id: str) -> dict[str, Any]:
    """One provider: its model, the automatic classification with evidence, override, locations."""
    p = get_object_or_404(Provider, cqc_provider_id=provider_id)
    return {
        **_out(p),
        "classification": p.classification,
        "override": {"model": p.override_model, "reason": p.override_reason} if p.override_model else None,
        "locations_detail": [loc.as_dict() for loc in p.locations.order_by("name", "id")],
    }
