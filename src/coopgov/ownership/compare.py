"""Comparison of CQC ratings by ownership model.

* :func:`share_table` — for each group (ownership model, optionally crossed with service type,
  region and/or year): the number of *rated* units (a grade on the chosen key question:
  Outstanding, Good, Requires improvement or Inadequate — "Not rated" and blanks are left out),
  the share rated Good or Outstanding and the share rated Inadequate, each with a Wilson score
  interval (:func:`coopgov.stats.wilson_interval`).
* :func:`flag_table` — the same for a binary outcome such as ``forced_closure``; the denominator
  is the units whose flag is known.
* :func:`rating_regression` — proportional-odds logistic regression of the rating
  (Inadequate < Requires improvement < Good < Outstanding) on ownership with controls (service
  type, size, region, year), reported as odds ratios of a *better* rating against the
  reference model (for-profit unless told otherwise) with Wald intervals
  (:func:`coopgov.stats.ordinal_logit`, statsmodels ``OrderedModel``).

Everything works on the overall rating or on any key question (``key_question``).
Groups are listed in a fixed order: ownership models in :class:`OwnershipModel` order, other
fields alphabetically.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from coopgov.ownership._model import ComparisonRecord, Location, OwnershipModel
from coopgov.ownership._ratings import GRADES_LOW_TO_HIGH, KEY_QUESTIONS, Rating
from coopgov.ownership.classify import Classification
from coopgov.stats import Interval, OrdinalResult, ordinal_logit, wilson_interval

GROUP_FIELDS = ("ownership", "service_type", "region", "year")

SERVICE_TYPE_PRIORITY: tuple[str, ...] = (
    "Care home service with nursing",
    "Care home service without nursing",
    "Domiciliary care service",
    "Supported living service",
    "Extra Care housing services",
    "Shared Lives",
)
"""A location with several service types is compared under the first of these it has
(else the alphabetically first of its own types, else "Other")."""


def primary_service_type(types: Iterable[str]) -> str:
    ts = set(types)
    for t in SERVICE_TYPE_PRIORITY:
        if t in ts:
            return t
    return min(ts) if ts else "Other"


SIZE_BANDS: tuple[tuple[int, str], ...] = (
    (9, "1-9 beds"),
    (24, "10-24 beds"),
    (39, "25-39 beds"),
    (60, "40-60 beds"),
)
"""CQC's own bands ("Size of care home (bands by number of beds)" in its ASC exports)."""


def size_band(size: float | None) -> str:
    """Care-home beds in CQC's bands (1-9, 10-24, 25-39, 40-60, 61 and over); no beds → "no beds"."""
    if size is None or size <= 0:
        return "no beds"
    for upper, label in SIZE_BANDS:
        if size <= upper:
            return label
    return "61 beds and over"


def records_from_locations(
    locations: Iterable[Location], classifications: Mapping[str, Classification]
) -> list[ComparisonRecord]:
    """Join locations to their provider's classification (unclassified providers → unknown)."""
    out: list[ComparisonRecord] = []
    for loc in locations:
        c = classifications.get(loc.provider_id)
        out.append(
            ComparisonRecord(
                unit_id=loc.location_id,
                ownership=c.model if c is not None else OwnershipModel.UNKNOWN,
                ratings=loc.ratings,
                service_type=primary_service_type(loc.service_types),
                region=loc.region,
                year=loc.publication_date.year if loc.publication_date else None,
                size=float(loc.beds) if loc.beds is not None else None,
            )
        )
    return out


def latest_per_unit(records: Iterable[ComparisonRecord]) -> list[ComparisonRecord]:
    """Keep one record per ``unit_id``: the latest year (ties: the later one in input order)."""
    best: dict[str, tuple[int, int, ComparisonRecord]] = {}
    for i, r in enumerate(records):
        key = (r.year if r.year is not None else -1, i)
        cur = best.get(r.unit_id)
        if cur is None or key >= cur[:2]:
            best[r.unit_id] = (key[0], key[1], r)
    return [v[2] for v in sorted(best.values(), key=lambda v: v[1])]


SIZE_TERM = "size[log2 beds]"
"""The size control in the regression: log₂ of the care-home beds (0 for services without
beds, whose difference from care homes the service-type control carries). Its odds ratio is per
doubling of beds. A banded size would be collinear with service type (only care homes have
beds), so bands are used for the tables only (:func:`size_band`)."""


_LABEL = {m: m.label for m in OwnershipModel}
_GETTERS: dict[str, Callable[[ComparisonRecord], str]] = {
    "ownership": lambda r: _LABEL[r.ownership],
    "service_type": lambda r: r.service_type or "Other",
    "region": lambda r: r.region or "Unknown",
    "year": lambda r: str(r.year) if r.year is not None else "Unknown",
    "size": lambda r: size_band(r.size),
}


def _key_function(by: Sequence[str]) -> Callable[[ComparisonRecord], tuple[str, ...]]:
    getters = [_GETTERS[f] for f in by]
    if len(getters) == 1:
        (g,) = getters
        return lambda r: (g(r),)
    if len(getters) == 2:
        g1, g2 = getters
        return lambda r: (g1(r), g2(r))
    return lambda r: tuple(g(r) for g in getters)


def _group_value(r: ComparisonRecord, field: str) -> str:
    if field == "ownership":
        return r.ownership.label
    if field == "service_type":
        return r.service_type or "Other"
    if field == "region":
        return r.region or "Unknown"
    if field == "year":
        return str(r.year) if r.year is not None else "Unknown"
    if field == "size":
        return size_band(r.size)
    raise ValueError(f"cannot group by {field!r}: use one of {', '.join((*GROUP_FIELDS, 'size'))}")


_GRADES = frozenset(r for r in Rating if r.is_grade)
_MODEL_ORDER = {m.label: i for i, m in enumerate(OwnershipModel)}


def _sort_key(group: tuple[str, ...], by: Sequence[str]) -> tuple[tuple[int, str], ...]:
    return tuple((_MODEL_ORDER.get(v, 99), v) if f == "ownership" else (0, v) for f, v in zip(by, group, strict=True))


def _check(key_question: str, by: Sequence[str]) -> None:
    if key_question not in KEY_QUESTIONS:
        raise ValueError(f"unknown key question {key_question!r}: use one of {', '.join(KEY_QUESTIONS)}")
    for f in by:
        if f not in (*GROUP_FIELDS, "size"):
            raise ValueError(f"cannot group by {f!r}: use one of {', '.join((*GROUP_FIELDS, 'size'))}")


@dataclass(frozen=True, slots=True)
class ShareRow:
    group: tuple[tuple[str, str], ...]
    """(field, value) pairs, e.g. ``(("ownership", "For-profit"),)``."""
    key_question: str
    rated: int
    good_or_outstanding: int
    inadequate: int
    good_share: Interval
    inadequate_share: Interval

    def label(self) -> str:
        return " / ".join(v for _, v in self.group)


def share_table(
    records: Iterable[ComparisonRecord],
    *,
    key_question: str = "Overall",
    by: Sequence[str] = ("ownership",),
    confidence: float = 0.95,
) -> list[ShareRow]:
    """Shares rated Good-or-Outstanding and Inadequate per group, with Wilson intervals."""
    _check(key_question, by)
    counts: dict[tuple[str, ...], list[int]] = {}
    key = _key_function(by)
    good_grades = (Rating.GOOD, Rating.OUTSTANDING)
    for r in records:
        rating = r.ratings.get(key_question)
        if rating is None or rating not in _GRADES:
            continue
        g = key(r)
        c = counts.get(g)
        if c is None:
            c = counts[g] = [0, 0, 0]
        c[0] += 1
        if rating in good_grades:
            c[1] += 1
        elif rating is Rating.INADEQUATE:
            c[2] += 1
    rows = []
    for g in sorted(counts, key=lambda g: _sort_key(g, by)):
        n, good, inad = counts[g]
        rows.append(
            ShareRow(
                group=tuple(zip(by, g, strict=True)),
                key_question=key_question,
                rated=n,
                good_or_outstanding=good,
                inadequate=inad,
                good_share=wilson_interval(good, n, confidence),
                inadequate_share=wilson_interval(inad, n, confidence),
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class FlagRow:
    group: tuple[tuple[str, str], ...]
    flag: str
    known: int
    count: int
    share: Interval

    def label(self) -> str:
        return " / ".join(v for _, v in self.group)


def flag_table(
    records: Iterable[ComparisonRecord],
    flag: str,
    *,
    by: Sequence[str] = ("ownership",),
    confidence: float = 0.95,
) -> list[FlagRow]:
    """Share of units with ``flags[flag]`` true, per group, among units where the flag is known."""
    _check("Overall", by)
    counts: dict[tuple[str, ...], list[int]] = {}
    key = _key_function(by)
    for r in records:
        v = r.flags.get(flag)
        if v is None:
            continue
        g = key(r)
        c = counts.setdefault(g, [0, 0])
        c[0] += 1
        c[1] += int(v)
    return [
        FlagRow(
            group=tuple(zip(by, g, strict=True)),
            flag=flag,
            known=counts[g][0],
            count=counts[g][1],
            share=wilson_interval(counts[g][1], counts[g][0], confidence),
        )
        for g in sorted(counts, key=lambda g: _sort_key(g, by))
    ]


def rating_regression(
    records: Iterable[ComparisonRecord],
    *,
    key_question: str = "Overall",
    controls: Sequence[str] = ("service_type", "size", "region", "year"),
    reference: OwnershipModel | None = OwnershipModel.FOR_PROFIT,
    confidence: float = 0.95,
    include_unknown: bool = False,
) -> OrdinalResult:
    """Ordinal logit of the rating on ownership with controls; odds ratios > 1 mean better ratings.

    Units without a grade on ``key_question`` are left out, as are units of unknown ownership
    unless ``include_unknown``. Controls: service type, region and year (fixed effects) are
    categorical; size is :data:`SIZE_TERM`. A control with one level is dropped, as is any
    column collinear with earlier ones (listed in the result's ``dropped``).
    """
    _check(key_question, controls)
    if "ownership" in controls:
        raise ValueError("ownership is the exposure, not a control")
    y: list[str] = []
    categorical = [c for c in controls if c != "size"]
    cats: dict[str, list[str]] = {"ownership": [], **{c: [] for c in categorical}}
    size: list[float] = []
    for r in records:
        rating = r.ratings.get(key_question)
        if rating is None or not rating.is_grade:
            continue
        if r.ownership is OwnershipModel.UNKNOWN and not include_unknown:
            continue
        y.append(rating.value)
        cats["ownership"].append(r.ownership.label)
        for c in categorical:
            cats[c].append(_group_value(r, c))
        size.append(math.log2(r.size) if r.size is not None and r.size > 0 else 0.0)
    if len(set(cats["ownership"])) < 2:
        raise ValueError("the regression needs rated units of at least two ownership models")
    ref: dict[str, str] = {}
    if reference is not None and reference.label in cats["ownership"]:
        ref["ownership"] = reference.label
    numeric = {SIZE_TERM: size} if "size" in controls else {}
    return ordinal_logit(y, GRADES_LOW_TO_HIGH, cats, numeric, reference=ref, confidence=confidence)


def publishable_share_rows(rows: Sequence[ShareRow], threshold: int = 10) -> list[dict[str, str]]:
    """The share table as display strings with small numbers suppressed for publication.

    Uses :func:`coopgov.stats.suppress_counts`: a group's *rated* count under ``threshold`` is
    shown as ``"<10"`` (with secondary suppression across the groups, since the sum of the rated
    counts is public), and then every figure of that group is withheld. Within a group, a count
    of Good-or-Outstanding or of Inadequate under ``threshold`` is shown as ``"<10"`` and its
    percentage and interval are withheld (they would reveal it).
    """
    from coopgov.stats import CellStatus, suppress_counts

    small = f"<{threshold}"
    rated = suppress_counts({i: r.rated for i, r in enumerate(rows)}, threshold=threshold)
    out: list[dict[str, str]] = []
    for i, r in enumerate(rows):
        row: dict[str, str] = {"key_question": r.key_question, **dict(r.group)}
        cell = rated.cells[i]
        row["rated"] = cell.display
        hidden = cell.status is not CellStatus.SHOWN
        for name, count, iv in (
            ("good_or_outstanding", r.good_or_outstanding, r.good_share),
            ("inadequate", r.inadequate, r.inadequate_share),
        ):
            if hidden:
                row[name] = row[f"{name}_pct"] = row[f"{name}_ci"] = ""
            elif 0 < count < threshold:
                row[name], row[f"{name}_pct"], row[f"{name}_ci"] = small, "", ""
            else:
                row[name] = str(count)
                row[f"{name}_pct"] = f"{100 * iv.estimate:.1f}"
                row[f"{name}_ci"] = f"{100 * iv.lower:.1f}-{100 * iv.upper:.1f}"
        out.append(row)
    return out
