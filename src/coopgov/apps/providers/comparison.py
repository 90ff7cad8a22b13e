"""The comparison page's numbers: the core's :mod:`coopgov.ownership.compare` run on the register.

Locations become :class:`~coopgov.ownership.ComparisonRecord` exactly as
:func:`coopgov.ownership.records_from_locations` builds them from files (ownership = the
provider's effective model, service type = the primary type, year = the rating's publication
year, size = beds), so the page shows what ``coopgov ownership compare`` prints for the same data.
Results are cached under the filters and the data version (the latest import and override), so a
new import or override is visible at once and nothing else recomputes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Max

from coopgov.ownership import (
    ComparisonRecord,
    OwnershipModel,
    Rating,
    ShareRow,
    publishable_share_rows,
    rating_regression,
    share_table,
)
from coopgov.stats import OrdinalResult

from .models import RATING_FIELDS, Location, ProviderImport, ProviderOverride

SUPPRESS_BELOW = 10
"""Groups (and counts within them) under this many rated locations are shown as "<10"."""
BREAKDOWNS: dict[str, str] = {
    "": "Ownership model only",
    "service_type": "Service type",
    "region": "Region",
    "year": "Year of rating",
    "size": "Size (beds)",
}
CACHE_SECONDS = 60 * 60


@dataclass(frozen=True, slots=True)
class Filters:
    key_question: str = "Overall"
    service_type: str = ""
    region: str = ""
    year: int | None = None
    by: str = ""

    @property
    def group_by(self) -> tuple[str, ...]:
        return ("ownership", self.by) if self.by else ("ownership",)

    def cache_key(self, version: str) -> str:
        return "providers:compare:" + "|".join(
            (version, self.key_question, self.service_type, self.region, str(self.year or ""), self.by)
        )


@dataclass(slots=True)
class Comparison:
    filters: Filters
    units: int
    rows: list[ShareRow]
    published: list[dict[str, str]]
    regression: OrdinalResult | None = None
    regression_error: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def chart_rows(self, measure: str) -> list[ShareRow]:
        """Rows whose share for ``measure`` is published (a suppressed one would reveal itself)."""
        key = "good_or_outstanding_pct" if measure == "good" else "inadequate_pct"
        return [r for r, p in zip(self.rows, self.published, strict=True) if p[f"{key}"]]


def data_version() -> str:
    agg_i = ProviderImport.objects.aggregate(m=Max("id"))
    agg_o = ProviderOverride.objects.aggregate(m=Max("id"))
    return f"{agg_i['m'] or 0}.{agg_o['m'] or 0}"


_RATINGS = {r.value: r for r in Rating}


def register_records(filters: Filters | None = None) -> list[ComparisonRecord]:
    """The register's current locations as comparison records, narrowed by ``filters``."""
    qs = Location.objects.filter(provider__current=True)
    f = filters or Filters()
    if f.service_type:
        qs = qs.filter(primary_service_type=f.service_type)
    if f.region:
        qs = qs.filter(region=f.region)
    if f.year is not None:
        qs = qs.filter(publication_date__year=f.year)
    cols = list(RATING_FIELDS.values())
    out: list[ComparisonRecord] = []
    kqs = list(RATING_FIELDS)
    for row in (
        qs.order_by("id")
        .values_list(
            "cqc_location_id", "provider__model", "primary_service_type", "region", "publication_date", "beds", *cols
        )
        .iterator(chunk_size=5000)
    ):
        lid, model, st, region, pub, beds = row[:6]
        ratings = {kq: _RATINGS[v] for kq, v in zip(kqs, row[6:], strict=True) if v}
        out.append(
            ComparisonRecord(
                unit_id=lid,
                ownership=OwnershipModel(model),
                ratings=ratings,
                service_type=st,
                region=region,
                year=pub.year if pub is not None else None,
                size=float(beds) if beds is not None else None,
            )
        )
    return out


def compute(filters: Filters) -> Comparison:
    records = register_records(filters)
    rows = share_table(records, key_question=filters.key_question, by=filters.group_by)
    published = publishable_share_rows(rows, SUPPRESS_BELOW)
    result = Comparison(filters=filters, units=len(records), rows=rows, published=published)
    try:
        result.regression = rating_regression(records, key_question=filters.key_question)
    except (ValueError, ArithmeticError) as exc:
        result.regression_error = str(exc)
    except Exception as exc:
        result.regression_error = f"the regression could not be fitted ({exc.__class__.__name__})"
    return result


def cached_comparison(filters: Filters) -> Comparison:
    key = filters.cache_key(data_version())
    hit = cache.get(key)
    if isinstance(hit, Comparison):
        return hit
    result = compute(filters)
    cache.set(key, result, CACHE_SECONDS)
    return result


def filter_choices() -> dict[str, list[Any]]:
    """The service types, regions and years present in the register (for the filter lists)."""
    key = "providers:choices:" + data_version()
    hit = cache.get(key)
    if isinstance(hit, dict):
        return hit
    base = Location.objects.filter(provider__current=True)
    choices: dict[str, list[Any]] = {
        "service_types": sorted(x for x in base.values_list("primary_service_type", flat=True).distinct() if x),
        "regions": sorted(x for x in base.values_list("region", flat=True).distinct() if x),
        "years": sorted(
            {d.year for d in base.exclude(publication_date=None).dates("publication_date", "year")}, reverse=True
        ),
    }
    cache.set(key, choices, CACHE_SECONDS)
    return choices


# --------------------------------------------------------------------------------- tables out


def share_download_rows(c: Comparison) -> list[dict[str, str]]:
    return c.published


def regression_rows(c: Comparison) -> list[dict[str, Any]]:
    if c.regression is None:
        return []
    res = c.regression
    ref = "; ".join(f"{k}={v}" for k, v in res.reference_levels.items())
    return [
        {
            "key_question": c.filters.key_question,
            "term": o.term,
            "odds_ratio": f"{o.odds_ratio:.3f}",
            "ci_low": f"{o.lower:.3f}",
            "ci_high": f"{o.upper:.3f}",
            "p_value": f"{o.p_value:.4f}",
            "n": str(res.n),
            "reference": ref,
        }
        for o in res.odds_ratios
    ]


# ------------------------------------------------------------------------------ inline chart

CHART_WIDTH = 760
LABEL_WIDTH = 340
BAR_AREA = CHART_WIDTH - LABEL_WIDTH - 70
BAR_HEIGHT = 22
GAP = 12


def svg_bars(c: Comparison, measure: str) -> dict[str, Any]:
    """Geometry for the page's inline SVG bar chart (presentation attributes only, no ``style=``)."""
    rows = c.chart_rows(measure)
    bars = []
    for i, r in enumerate(rows):
        iv = r.good_share if measure == "good" else r.inadequate_share
        y = GAP + i * (BAR_HEIGHT + GAP)
        w = BAR_AREA * iv.estimate
        bars.append(
            {
                "label": r.label(),
                "n": r.rated,
                "y": y,
                "text_y": y + BAR_HEIGHT * 0.7,
                "mid_y": y + BAR_HEIGHT / 2,
                "x": LABEL_WIDTH,
                "width": round(w, 1),
                "ci_x1": round(LABEL_WIDTH + BAR_AREA * iv.lower, 1),
                "ci_x2": round(LABEL_WIDTH + BAR_AREA * iv.upper, 1),
                "value_x": round(LABEL_WIDTH + BAR_AREA * iv.upper + 6, 1),
                "pct": f"{100 * iv.estimate:.1f}%",
                "ci": f"{100 * iv.lower:.1f}% to {100 * iv.upper:.1f}%",
            }
        )
    what = "Good or Outstanding" if measure == "good" else "Inadequate"
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": GAP + len(bars) * (BAR_HEIGHT + GAP) + 24,
        "axis_y": GAP + len(bars) * (BAR_HEIGHT + GAP),
        "label_width": LABEL_WIDTH,
        "axis_end": LABEL_WIDTH + BAR_AREA,
        "title": f"Share of locations rated {what} ({c.filters.key_question}), with 95% confidence intervals",
        "desc": "; ".join(f"{b['label']}: {b['pct']} (95% CI {b['ci']}, n={b['n']})" for b in bars),
    }
