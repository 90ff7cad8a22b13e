"""Importers for the research files in ``shared/data/care`` (published replication data).

* Bach-Mortensen, Goodair & Degli Esposti (2024), "Involuntary closures of care homes in
  England", *Lancet Healthy Longevity*: one row per care home 2011–2023 (``ownership`` For-Profit /
  Third sector / Local Authority; one-hot latest rating ``inadequate``, ``requiresimprovement``,
  ``good``, ``outstanding`` with ``missing_quality`` = 1 when unrated; ``forced_closure``;
  ``carehomesbeds``; ``nurse``; ``year_location_end``) and the by-year closure counts.
* Goodair (ITV analysis): every published overall rating of community adult social care
  locations, one row per inspection (``reportdate``, ``overall``, ``ownership``, ``locationid``).

Their ownership coding is the authors': "Third sector" becomes
:attr:`OwnershipModel.THIRD_SECTOR`, which coopgov does not split further.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from coopgov.ownership._cqc import parse_date
from coopgov.ownership._errors import ImportReport
from coopgov.ownership._model import ComparisonRecord, OwnershipModel
from coopgov.ownership._ratings import Rating, UnknownRating, normalise_rating
from coopgov.ownership._tabular import Progress, cell, counted, open_table

_RESEARCH_OWNERSHIP = {
    "for-profit": OwnershipModel.FOR_PROFIT,
    "for profit": OwnershipModel.FOR_PROFIT,
    "third sector": OwnershipModel.THIRD_SECTOR,
    "local authority": OwnershipModel.LOCAL_AUTHORITY,
}
_ONE_HOT = (
    ("inadequate", Rating.INADEQUATE),
    ("requiresimprovement", Rating.REQUIRES_IMPROVEMENT),
    ("good", Rating.GOOD),
    ("outstanding", Rating.OUTSTANDING),
)


def _flag(text: str) -> bool | None:
    t = text.strip()
    if t in ("", "."):
        return None
    v = float(t)
    if v not in (0.0, 1.0):
        raise ValueError(f"{text!r} is not 0 or 1")
    return v == 1.0


def read_bach_mortensen_carehomes(
    path: str | Path, *, report: ImportReport | None = None, progress: Progress | None = None
) -> Iterator[ComparisonRecord]:
    """One :class:`ComparisonRecord` per care home. ``flags["forced_closure"]`` is absent when the
    file leaves it blank; ``ratings`` is empty when ``missing_quality`` = 1. A blank ownership is
    :attr:`OwnershipModel.UNKNOWN`. A home whose one-hot rating columns are inconsistent is kept
    without a rating and reported (6 such rows in the published file)."""
    rep = report if report is not None else ImportReport()
    rep.path, rep.kind = str(path), "bach-mortensen-carehomes"
    table, rows = open_table(path, ("forced_closure",))
    i = {
        k: table.require(k)
        for k in ("ownership", "forced_closure", "missing_quality", "carehomesbeds", "year_location_end")
    }
    hot = [(table.require(name), rating) for name, rating in _ONE_HOT]
    nurse = table.index("nurse")
    closed = table.index("closed_complete")
    for line, f in counted(rows, progress):
        if not any(x.strip() for x in f):
            continue
        rep.rows_read += 1
        try:
            own_text = cell(f, i["ownership"])
            own = _RESEARCH_OWNERSHIP.get(own_text.casefold()) if own_text else OwnershipModel.UNKNOWN
            if own is None:
                raise ValueError(f"unknown ownership {own_text!r}")
            ratings: dict[str, Rating] = {}
            if not _flag(cell(f, i["missing_quality"])):
                chosen = [r for j, r in hot if _flag(cell(f, j))]
                if len(chosen) == 1:
                    ratings["Overall"] = chosen[0]
                else:  # keep the home (its closure data is sound), without a rating
                    rep.problem(
                        line,
                        f"{len(chosen)} rating columns set where exactly one should be "
                        "(missing_quality = 0); the home is kept without a rating",
                    )
            flags: dict[str, bool] = {}
            fc = _flag(cell(f, i["forced_closure"]))
            if fc is not None:
                flags["forced_closure"] = fc
            cc = _flag(cell(f, closed))
            if cc is not None:
                flags["closed"] = cc
            beds = cell(f, i["carehomesbeds"])
            year = cell(f, i["year_location_end"])
            nursing = _flag(cell(f, nurse))
        except ValueError as exc:
            rep.problem(line, str(exc))
            continue
        rep.records += 1
        yield ComparisonRecord(
            unit_id=f"{Path(path).name}:{line}",
            ownership=own,
            ratings=ratings,
            service_type=""
            if nursing is None
            else ("Care home service with nursing" if nursing else "Care home service without nursing"),
            year=int(float(year)) if year else None,
            size=float(beds) if beds else None,
            flags=flags,
        )


@dataclass(frozen=True, slots=True)
class ClosureYear:
    year: int
    forced_closures: int
    forced_closed_beds: int
    total_closures: int
    proportion_forced_closures: float


def read_bach_mortensen_by_year(
    path: str | Path, *, report: ImportReport | None = None, progress: Progress | None = None
) -> Iterator[ClosureYear]:
    """The yearly closure counts of Bach-Mortensen et al. (``year_location_end`` is the year)."""
    rep = report if report is not None else ImportReport()
    rep.path, rep.kind = str(path), "bach-mortensen-by-year"
    table, rows = open_table(path, ("forced_closures_england",))
    y = table.require("year_location_end")
    fc = table.require("forced_closures_england")
    fb = table.require("force_closed_beds")
    tc = table.require("total_closures_adjusted")
    pf = table.require("proportion_forced_closures")
    seen: set[int] = set()
    for line, f in counted(rows, progress):
        rep.rows_read += 1
        try:
            rec = ClosureYear(int(cell(f, y)), int(cell(f, fc)), int(cell(f, fb)), int(cell(f, tc)), float(cell(f, pf)))
        except ValueError as exc:
            rep.problem(line, f"not a number: {exc}")
            continue
        if rec.year in seen:
            rep.notes.append(f"line {line}: year {rec.year} repeated (start-year row of the series)")
            continue
        seen.add(rec.year)
        rep.records += 1
        yield rec


def read_goodair_inspections(
    path: str | Path, *, report: ImportReport | None = None, progress: Progress | None = None
) -> Iterator[ComparisonRecord]:
    """One :class:`ComparisonRecord` per published overall rating (several per location);
    ``year`` is the report year. Use :func:`latest_per_unit` for one per location."""
    rep = report if report is not None else ImportReport()
    rep.path, rep.kind = str(path), "goodair-inspections"
    table, rows = open_table(path, ("locationid",))
    loc = table.require("locationid")
    overall = table.require("overall")
    own_i = table.require("ownership")
    date_i = table.require("reportdate")
    for line, f in counted(rows, progress):
        if not any(x.strip() for x in f):
            continue
        rep.rows_read += 1
        own_text = cell(f, own_i)
        own = _RESEARCH_OWNERSHIP.get(own_text.casefold())
        if own is None:
            rep.problem(line, f"unknown ownership {own_text!r}", "ownership")
            continue
        try:
            rating = normalise_rating(cell(f, overall))
            d = parse_date(cell(f, date_i))
        except (UnknownRating, ValueError) as exc:
            rep.problem(line, str(exc))
            continue
        rep.records += 1
        yield ComparisonRecord(
            unit_id=cell(f, loc),
            ownership=own,
            ratings={"Overall": rating} if rating is not None else {},
            service_type="Community based adult social care",
            year=d.year if d else None,
        )
