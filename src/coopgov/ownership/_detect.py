"""Recognise which kind of file a path is from its header row."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from coopgov.ownership._errors import ImportReport, OwnershipInputError
from coopgov.ownership._tabular import Progress, open_table

# (kind, columns that must all be present), most specific first
_SIGNATURES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("bach-mortensen-carehomes", ("forced_closure", "ownership")),
    ("bach-mortensen-by-year", ("forced_closures_england",)),
    ("goodair-inspections", ("locationid", "overall", "ownership")),
    ("cqc-api", ("locationid",)),
    ("cqc-api", ("providerid", "ownershiptype")),
    ("cqc-latest-ratings", ("location id", "domain", "latest rating")),
    ("cqc-directory", ("location id",)),
    ("cqc-directory", ("cqc location id (for office use only)",)),
    ("companies-house", ("companynumber", "companycategory")),
    ("fca-mutuals", ("society number",)),
    ("charity-commission", ("registered_charity_number",)),
    ("employee-owned", ("company_number",)),
    ("employee-owned", ("company number",)),
)

KINDS: tuple[str, ...] = tuple(dict.fromkeys(k for k, _ in _SIGNATURES))


def detect_kind(path: str | Path) -> str:
    """The kind of ``path`` (one of :data:`KINDS`), from its header row; JSON is ``cqc-api``."""
    p = Path(path)
    if p.suffix.casefold() in (".json", ".jsonl", ".ndjson"):
        return "cqc-api"
    anchors = tuple({cols[0] for _, cols in _SIGNATURES})
    table, _ = open_table(p, anchors)
    have = set(table.header)
    for kind, cols in _SIGNATURES:
        if all(c in have for c in cols):
            return kind
    raise OwnershipInputError("cannot tell what this file is from its header row", path=p, line=table.header_line)


def _readers() -> dict[str, Callable[..., Iterator[Any]]]:
    from coopgov.ownership import _cqc, _registers, _research

    return {
        "bach-mortensen-carehomes": _research.read_bach_mortensen_carehomes,
        "bach-mortensen-by-year": _research.read_bach_mortensen_by_year,
        "goodair-inspections": _research.read_goodair_inspections,
        "cqc-api": _cqc.read_cqc_api,
        "cqc-latest-ratings": _cqc.read_cqc_latest_ratings,
        "cqc-directory": _cqc.read_cqc_directory,
        "companies-house": _registers.read_companies_house,
        "fca-mutuals": _registers.read_fca_mutuals,
        "charity-commission": _registers.read_charity_commission,
        "employee-owned": _registers.read_employee_owned,
    }


def read_any(
    path: str | Path,
    kind: str | None = None,
    *,
    report: ImportReport | None = None,
    progress: Progress | None = None,
) -> Iterator[Any]:
    """Stream records from ``path`` with the importer for ``kind`` (detected when ``None``)."""
    k = kind or detect_kind(path)
    readers = _readers()
    if k not in readers:
        raise OwnershipInputError(f"unknown file kind {k!r}: use one of {', '.join(KINDS)}", path=path)
    return readers[k](path, report=report, progress=progress)
