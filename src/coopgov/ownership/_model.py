"""Records produced by the importers and consumed by classification and comparison."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from enum import Enum
from functools import lru_cache

from coopgov.ownership._ratings import Rating


class OwnershipModel(Enum):
    """Ownership models coopgov distinguishes (issue 7)."""

    LOCAL_AUTHORITY = "local_authority"
    NHS = "nhs"
    FOR_PROFIT = "for_profit"
    NOT_FOR_PROFIT = "not_for_profit"
    COOPERATIVE = "cooperative"
    """Co-operative society or community benefit society (Co-operative and Community Benefit
    Societies Act 2014, s.2)."""
    MULTI_STAKEHOLDER_COOP = "multi_stakeholder_coop"
    EMPLOYEE_OWNED = "employee_owned"
    THIRD_SECTOR = "third_sector"
    """Only for research files that code "third sector" without distinguishing charities,
    co-operatives and other not-for-profits (Bach-Mortensen et al.; Goodair)."""
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def is_public(self) -> bool:
        return self in (OwnershipModel.LOCAL_AUTHORITY, OwnershipModel.NHS)


_LABELS = {
    OwnershipModel.LOCAL_AUTHORITY: "Public: local authority",
    OwnershipModel.NHS: "Public: NHS",
    OwnershipModel.FOR_PROFIT: "For-profit",
    OwnershipModel.NOT_FOR_PROFIT: "Not-for-profit",
    OwnershipModel.COOPERATIVE: "Co-operative / community benefit society",
    OwnershipModel.MULTI_STAKEHOLDER_COOP: "Multi-stakeholder co-operative",
    OwnershipModel.EMPLOYEE_OWNED: "Employee-owned",
    OwnershipModel.THIRD_SECTOR: "Third sector (research coding)",
    OwnershipModel.UNKNOWN: "Unknown",
}


def parse_model(text: str) -> OwnershipModel:
    """Accept a model's value or label, case-insensitively (``"for-profit"``, ``"employee owned"``)."""
    key = re.sub(r"[\s\-/]+", "_", text.strip().casefold())
    for m in OwnershipModel:
        if key in (m.value, re.sub(r"[\s\-/:]+", "_", m.label.casefold())):
            return m
    aliases = {
        "public_local_authority": OwnershipModel.LOCAL_AUTHORITY,
        "la": OwnershipModel.LOCAL_AUTHORITY,
        "public_nhs": OwnershipModel.NHS,
        "co_operative": OwnershipModel.COOPERATIVE,
        "community_benefit_society": OwnershipModel.COOPERATIVE,
        "multi_stakeholder_co_operative": OwnershipModel.MULTI_STAKEHOLDER_COOP,
        "charity": OwnershipModel.NOT_FOR_PROFIT,
    }
    if key in aliases:
        return aliases[key]
    raise ValueError(f"unknown ownership model {text!r}")


_CH_NUMBER = re.compile(r"^([A-Z]{2})?(\d+)(R?)$")


@lru_cache(maxsize=131072)
def normalise_company_number(text: str) -> str:
    """Companies House number as CH prints it: 8 characters, zero-padded (``"1234567"`` →
    ``"01234567"``, ``"sc12345"`` → ``"SC012345"``). Society numbers as the FCA prints them
    (``"12345R"``) are kept. Anything else is returned upper-cased and stripped."""
    t = re.sub(r"\s+", "", text).upper()
    if t.endswith(".0") and t[:-2].isdigit():  # spreadsheets turn numbers into floats
        t = t[:-2]
    m = _CH_NUMBER.match(t)
    if not m:
        return t
    prefix, digits, r = m.group(1) or "", m.group(2), m.group(3)
    if r:
        return t
    return prefix + digits.zfill(8 - len(prefix))


@dataclass(frozen=True, slots=True)
class Location:
    """A CQC-registered location with its provider and latest ratings."""

    location_id: str
    name: str = ""
    provider_id: str = ""
    provider_name: str = ""
    region: str = ""
    local_authority: str = ""
    postcode: str = ""
    """The location's postcode as CQC gives it (the platform's directory searches by its area)."""
    inspection_category: str = ""
    service_types: frozenset[str] = frozenset()
    regulated_activities: frozenset[str] = frozenset()
    service_user_bands: frozenset[str] = frozenset()
    care_home: bool | None = None
    beds: int | None = None
    ratings: Mapping[str, Rating] = field(default_factory=dict)
    """Key question (see ``KEY_QUESTIONS``) → rating; absent when blank."""
    publication_date: date | None = None
    provider_ownership_type: str = ""
    """CQC's ``Provider Ownership Type`` — the legal form (Organisation, Individual, Partnership,
    NHS Body), *not* the ownership model."""
    companies_house_number: str = ""
    charity_number: str = ""
    brand_id: str = ""
    brand_name: str = ""
    provider_group_size: str = ""
    provider_locations: int | None = None
    source: str = ""
    line: int = 0

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: sets as sorted lists, ratings as their CQC text, the date as ISO."""
        out: dict[str, object] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, frozenset):
                v = sorted(v)
            elif f.name == "ratings":
                v = {kq: r.value for kq, r in v.items()}
            elif isinstance(v, date):
                v = v.isoformat()
            out[f.name] = v
        return out


@dataclass(frozen=True, slots=True)
class ProviderFacts:
    """What the CQC files say about a provider, gathered from its locations."""

    provider_id: str
    name: str = ""
    cqc_ownership_type: str = ""
    companies_house_number: str = ""
    charity_number: str = ""
    brand_names: frozenset[str] = frozenset()
    group_size: str = ""
    number_of_locations: int = 0


@dataclass(frozen=True, slots=True)
class CompanyRecord:
    """A row of Companies House's basic company data."""

    number: str
    name: str
    category: str
    status: str
    sic_codes: tuple[str, ...] = ()
    dissolution_date: str = ""
    line: int = 0
    source: str = ""


@dataclass(frozen=True, slots=True)
class SocietyRecord:
    """A row of the FCA Mutuals Public Register extract."""

    number: str
    name: str
    registration_act: str
    society_type: str
    status: str
    line: int = 0
    source: str = ""


@dataclass(frozen=True, slots=True)
class CharityRecord:
    """A row of the Charity Commission register extract."""

    number: str
    name: str
    status: str
    charity_type: str = ""
    company_number: str = ""
    line: int = 0
    source: str = ""


@dataclass(frozen=True, slots=True)
class EmployeeOwnedRecord:
    """A row of the user-supplied list of employee-owned (or multi-stakeholder) businesses."""

    company_number: str
    name: str
    model: OwnershipModel = OwnershipModel.EMPLOYEE_OWNED
    source_note: str = ""
    line: int = 0
    source: str = ""


@dataclass(frozen=True, slots=True)
class ComparisonRecord:
    """One unit (usually a location) for the comparison: ownership, ratings and controls."""

    unit_id: str
    ownership: OwnershipModel
    ratings: Mapping[str, Rating] = field(default_factory=dict)
    service_type: str = ""
    region: str = ""
    year: int | None = None
    size: float | None = None
    flags: Mapping[str, bool] = field(default_factory=dict)
    """Other binary outcomes, e.g. ``{"forced_closure": True}``."""


def merge_locations(*sources: Iterable[Location]) -> list[Location]:
    """Combine location records from several files (directory, latest ratings, API), by location ID.

    Records keep the order in which locations are first seen. For a location seen again, the
    later record's ratings replace the earlier ones key question by key question (so pass the
    latest-ratings file after the directory), blank text fields are filled, sets are united and
    the later publication date is kept.
    """
    merged: dict[str, Location] = {}
    for source in sources:
        for loc in source:
            old = merged.get(loc.location_id)
            if old is None:
                merged[loc.location_id] = loc
                continue
            changes: dict[str, object] = {}
            for f in fields(Location):
                a, b = getattr(old, f.name), getattr(loc, f.name)
                if f.name == "ratings":
                    changes[f.name] = {**a, **b}
                elif isinstance(a, frozenset):
                    changes[f.name] = a | b
                elif f.name == "publication_date":
                    changes[f.name] = max((d for d in (a, b) if d is not None), default=None)
                elif f.name in ("source", "line"):
                    continue
                elif (a is None or a == "") and b not in (None, ""):
                    changes[f.name] = b
            merged[loc.location_id] = replace(old, **changes)  # type: ignore[arg-type]
    return list(merged.values())
