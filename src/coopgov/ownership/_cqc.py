"""Importers for CQC's own files.

* :func:`read_cqc_directory` — a location directory as CQC publishes it (the "care directory with
  ratings" / HSCA active-locations download, CSV or ODS, and the adult-social-care export with
  provider characteristics). The header row need not be the first (CQC puts title lines above
  it). Regulated activities, service types and service-user bands come either as one column per
  item holding ``Y`` or blank (``"Regulated activity - …"``, ``"Service type - …"``,
  ``"Service user band - …"``) or as one comma-separated column; both become sets.
* :func:`read_cqc_latest_ratings` — the latest-ratings file, one row per location × key question
  (``Domain``), pivoted to one record per location with Overall, Safe, Effective, Caring,
  Responsive and Well-led. Only rows for the whole location (``Service / Population Group`` =
  ``Overall``) are used; hospital core-service rows are skipped.
* :func:`read_cqc_api` — CQC API location and provider JSON records (a JSON array, one object,
  ``{"locations": [...]}`` or JSON lines), and CSV dumps of API records whose nested fields are
  Python-repr strings (parsed with :func:`ast.literal_eval`, never ``eval``).
"""

from __future__ import annotations

import ast
import json
import math
import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from coopgov.ownership._errors import ImportReport, OwnershipInputError
from coopgov.ownership._model import Location, ProviderFacts, normalise_company_number
from coopgov.ownership._ratings import KEY_QUESTIONS, Rating, UnknownRating, normalise_rating
from coopgov.ownership._tabular import Progress, Table, cell, counted, open_table

LOCATION_ID = re.compile(r"^(1-\d{5,}|[A-Z][A-Z0-9]{2,8})$")
"""CQC location IDs: ``1-`` and digits; NHS trust locations use their ODS site code (``RX3LD``)."""
OWNERSHIP_TYPES = {"Organisation", "Individual", "Partnership", "NHS Body"}

_COLS: dict[str, tuple[str, ...]] = {
    "location_id": ("Location ID", "CQC Location ID (for office use only)", "locationId"),
    "name": ("Location Name", "Name"),
    "provider_id": ("Provider ID", "CQC Provider ID (for office use only)", "providerId"),
    "provider_name": ("Provider Name",),
    "region": ("Location Region", "Region", "Location ADASS Region"),
    "local_authority": ("Location Local Authority", "Local authority"),
    "postcode": ("Location Postal Code", "Postcode", "Location Postcode"),
    "category": ("Location Primary Inspection Category", "Primary inspection category"),
    "service_types": ("Service Types", "Service types"),
    "user_bands": ("Service users supported", "Specialisms/services", "Location Specialisms"),
    "care_home": ("Care home?", "Care Home"),
    "beds": ("Care homes beds", "Care home beds"),
    "publication": ("Publication Date", "Report publication date", "Date of latest check"),
    "ownership_type": ("Provider Ownership Type",),
    "ch_number": ("Provider Companies House Number",),
    "charity": ("Provider Charity Number",),
    "brand_id": ("Brand ID",),
    "brand_name": ("Brand Name",),
    "group_size": ("Provider characteristic - national group size (based on locations)",),
    "provider_locations": ("Provider characteristic - number of locations",),
}
_RATING_COLS: dict[str, tuple[str, ...]] = {
    "Overall": ("Location Latest Overall Rating", "Latest overall rating", "Latest Rating"),
    "Safe": ("Location safe rating", "Safe"),
    "Effective": ("Location effective rating", "Effective"),
    "Caring": ("Location caring rating", "Caring"),
    "Responsive": ("Location responsive rating", "Responsive"),
    "Well-led": ("Location well-led rating", "Well-led"),
}
_MULTI_PREFIXES = {
    "regulated activity - ": "regulated_activities",
    "service type - ": "service_types",
    "service user band - ": "service_user_bands",
}
_YES = {"y", "yes", "true", "1"}


_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


@lru_cache(maxsize=65536)
def parse_date(text: str) -> date | None:
    """CQC dates: ``2020-11-27``, ``27/11/2020``, ``11/27/2020 12:00:00 AM`` (US, in exports),
    ``27-Nov-20``. Returns ``None`` for blank; raises ``ValueError`` otherwise."""
    t = text.strip()
    if not t:
        return None
    m = _DMY.match(t)
    if m:  # the common case, without strptime
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        try:
            return date(y, b, a) if a > 12 or b <= 12 else date(y, a, b)
        except ValueError:
            raise ValueError(f"not a date: {text!r}") from None
    m = _ISO.match(t)
    if m and (len(t) == 10 or t[10] in "T "):
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            raise ValueError(f"not a date: {text!r}") from None
    us = bool(re.search(r"\d\s*[AP]M$", t, flags=re.IGNORECASE))  # "1/2/2025 12:00:00 AM" is US
    t = re.sub(r"([T\s]+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(\s*[AP]M)?Z?)$", "", t, flags=re.IGNORECASE)
    slash = ("%m/%d/%Y", "%d/%m/%Y") if us else ("%d/%m/%Y", "%m/%d/%Y")
    for fmt in ("%Y-%m-%d", *slash, "%d-%b-%y", "%d-%b-%Y", "%d %B %Y"):
        try:
            return datetime.strptime(t, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r}")


def _split_list(text: str) -> frozenset[str]:
    # CQC joins with ", " or "|"; names themselves contain ", " rarely ("Treatment of disease,
    # disorder or injury") -- we keep them split: a set for filtering, not a legal record.
    parts = re.split(r"\s*[|,]\s*(?=[A-Z])", text)
    return frozenset(p.strip() for p in parts if p.strip())


class _DirectoryColumns:
    def __init__(self, table: Table) -> None:
        self.i = {k: table.index(*v) for k, v in _COLS.items()}
        self.location_id = table.require(*_COLS["location_id"])
        self.ratings = {kq: table.index(*names) for kq, names in _RATING_COLS.items()}
        self.multi: list[tuple[int, str, str]] = []
        for j, (key, orig) in enumerate(zip(table.header, table.original, strict=True)):
            for prefix, target in _MULTI_PREFIXES.items():
                if key.startswith(prefix):
                    self.multi.append((j, target, orig[len(prefix) :].strip()))
        if self.i["provider_name"] is None:
            # the public care directory calls it "Provider name" but also has "Name"
            self.i["provider_name"] = table.index("Provider name")


def read_cqc_directory(
    path: str | Path,
    *,
    report: ImportReport | None = None,
    progress: Progress | None = None,
) -> Iterator[Location]:
    """Stream locations from a CQC directory file (CSV or ODS); bad rows go to ``report``."""
    rep = report if report is not None else ImportReport()
    rep.path, rep.kind = str(path), "cqc-directory"
    table, rows = open_table(path, _COLS["location_id"])
    cols = _DirectoryColumns(table)
    width = len(table.header)
    for line, fields in counted(rows, progress):
        if not any(f.strip() for f in fields):
            continue
        rep.rows_read += 1
        if len(fields) != width:
            rep.problem(line, f"{len(fields)} fields where the header has {width}: columns misaligned")
            continue
        loc = _directory_row(table, cols, line, fields, rep)
        if loc is not None:
            rep.records += 1
            yield loc


def _directory_row(
    table: Table, cols: _DirectoryColumns, line: int, raw: list[str], rep: ImportReport
) -> Location | None:
    # rows have been checked to be as wide as the header, so indexing is safe
    f = [x.strip() for x in raw]
    v = {k: (f[j] if j is not None else "") for k, j in cols.i.items()}
    lid = f[cols.location_id]
    st = v["service_types"]
    if not lid and st in OWNERSHIP_TYPES:
        rep.problem(
            line,
            f"provider record in a location file: no location ID and 'Service types' holds the "
            f"ownership type {st!r} -- columns misaligned",
            table.original[cols.location_id],
        )
        return None
    if not LOCATION_ID.match(lid):
        why = "missing" if not lid else f"{lid!r} is not a CQC location ID (1-nnnnn or an ODS code)"
        rep.problem(line, f"location ID {why}", table.original[cols.location_id])
        return None
    ratings: dict[str, Rating] = {}
    for kq, j in cols.ratings.items():
        if j is None or not f[j]:
            continue
        try:
            r = normalise_rating(f[j])
        except UnknownRating as exc:
            rep.problem(line, str(exc), table.original[j])
            return None
        if r is not None:
            ratings[kq] = r
    beds_text = v["beds"]
    beds: int | None = None
    if beds_text:
        try:
            beds = int(float(beds_text))
        except ValueError:
            rep.problem(line, f"care home beds {beds_text!r} is not a number", "Care homes beds")
            return None
    try:
        pub = parse_date(v["publication"])
    except ValueError as exc:
        rep.problem(line, str(exc), "Publication Date")
        return None
    sets: dict[str, set[str]] = {
        "regulated_activities": set(),
        "service_types": set(_split_list(st)) if st else set(),
        "service_user_bands": set(),
    }
    bands = v["user_bands"]
    if bands:
        sets["service_user_bands"].update(_split_list(bands))
    for j, target, item in cols.multi:
        flag = f[j]
        if flag and flag.casefold() in _YES:
            sets[target].add(item)
    ch = v["care_home"].casefold()
    pl = v["provider_locations"]
    return Location(
        location_id=lid,
        name=v["name"],
        provider_id=v["provider_id"],
        provider_name=v["provider_name"],
        region=re.sub(r"\s*\(ADASS Region\)$", "", v["region"]),
        local_authority=v["local_authority"],
        postcode=v["postcode"],
        inspection_category=v["category"],
        service_types=frozenset(sets["service_types"]),
        regulated_activities=frozenset(sets["regulated_activities"]),
        service_user_bands=frozenset(sets["service_user_bands"]),
        care_home=(ch in _YES) if ch else (bool(beds) if beds is not None else None),
        beds=beds,
        ratings=ratings,
        publication_date=pub,
        provider_ownership_type=v["ownership_type"],
        companies_house_number=normalise_company_number(v["ch_number"]) if v["ch_number"] else "",
        charity_number=v["charity"].removesuffix(".0"),
        brand_id=v["brand_id"],
        brand_name=v["brand_name"].removeprefix("BRAND "),
        provider_group_size=v["group_size"],
        provider_locations=int(float(pl)) if re.fullmatch(r"\d+(\.0)?", pl) else None,
        source=table.path,
        line=line,
    )


# ---------------------------------------------------------------- latest ratings (long format)

_LR = {
    "location_id": ("Location ID",),
    "name": ("Location Name",),
    "provider_id": ("Provider ID",),
    "provider_name": ("Provider Name",),
    "region": ("Location Region",),
    "local_authority": ("Location Local Authority",),
    "group": ("Service / Population Group",),
    "domain": ("Domain", "Key Question"),
    "rating": ("Latest Rating", "Rating"),
    "publication": ("Publication Date",),
    "brand_id": ("Brand ID",),
    "brand_name": ("Brand Name",),
    "care_home": ("Care Home?",),
}


def read_cqc_latest_ratings(
    path: str | Path,
    *,
    report: ImportReport | None = None,
    progress: Progress | None = None,
) -> Iterator[Location]:
    """Pivot CQC's latest-ratings file (location × key question rows) to one record per location.

    Records are yielded in first-seen order once the file is read (a location's rows are not
    guaranteed to be adjacent). A location's publication date is the latest of its rows'.
    """
    rep = report if report is not None else ImportReport()
    rep.path, rep.kind = str(path), "cqc-latest-ratings"
    table, rows = open_table(path, _LR["location_id"])
    i = {k: table.index(*v) for k, v in _LR.items()}
    table.require(*_LR["location_id"])
    table.require(*_LR["domain"])
    table.require(*_LR["rating"])
    acc: dict[str, dict[str, Any]] = {}
    for line, f in counted(rows, progress):
        if not any(x.strip() for x in f):
            continue
        rep.rows_read += 1
        lid = cell(f, i["location_id"])
        if not LOCATION_ID.match(lid):
            rep.problem(line, f"location ID {lid!r} is not a CQC location ID", "Location ID")
            continue
        group = cell(f, i["group"])
        if group and group.casefold() != "overall":
            continue  # a core service / population group rating, not the location's
        domain = cell(f, i["domain"])
        kq = next((k for k in KEY_QUESTIONS if k.casefold() == domain.casefold()), None)
        if kq is None:
            rep.problem(line, f"unknown key question {domain!r}", "Domain")
            continue
        try:
            rating = normalise_rating(cell(f, i["rating"]))
            pub = parse_date(cell(f, i["publication"]))
        except ValueError as exc:
            rep.problem(line, str(exc))
            continue
        rec = acc.setdefault(
            lid,
            {
                "location_id": lid,
                "name": cell(f, i["name"]),
                "provider_id": cell(f, i["provider_id"]),
                "provider_name": cell(f, i["provider_name"]),
                "region": cell(f, i["region"]),
                "local_authority": cell(f, i["local_authority"]),
                "brand_id": cell(f, i["brand_id"]),
                "brand_name": cell(f, i["brand_name"]).removeprefix("BRAND "),
                "ratings": {},
                "publication_date": None,
                "source": table.path,
                "line": line,
            },
        )
        if rating is not None:
            rec["ratings"][kq] = rating
        if pub is not None and (rec["publication_date"] is None or pub > rec["publication_date"]):
            rec["publication_date"] = pub
    for rec in acc.values():
        rep.records += 1
        yield Location(**rec)


# ---------------------------------------------------------------- CQC API records


def _literal(value: Any) -> Any:
    """Nested fields of CSV dumps of the API are Python reprs: parse them safely."""
    if isinstance(value, str) and value[:1] in "[{":
        return ast.literal_eval(value)
    return value


def _text(value: Any) -> str:
    """A scalar API field as text; missing values (``None``, NaN, "nan" from pandas dumps) → ""."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value).strip()
    return "" if text.casefold() == "nan" else text


def _api_location(rec: Mapping[str, Any], source: str, line: int) -> Location:
    def names(key: str, attr: str = "name") -> frozenset[str]:
        items = _literal(rec.get(key)) or []
        return frozenset(str(x.get(attr) or x.get("name")) for x in items if isinstance(x, dict))

    ratings: dict[str, Rating] = {}
    current = _literal(rec.get("currentRatings")) or {}
    overall = current.get("overall") or {} if isinstance(current, dict) else {}
    pub: date | None = None
    if overall:
        r = normalise_rating(overall.get("rating"))
        if r is not None:
            ratings["Overall"] = r
        for kq in overall.get("keyQuestionRatings") or []:
            r = normalise_rating(kq.get("rating"))
            name = str(kq.get("name", ""))
            match = next((k for k in KEY_QUESTIONS if k.casefold() == name.casefold()), None)
            if r is not None and match:
                ratings[match] = r
        pub = parse_date(str(overall.get("reportDate") or current.get("reportDate") or ""))
    beds = rec.get("numberOfBeds")
    beds_i = int(float(beds)) if beds not in (None, "") and str(beds) != "nan" else None
    care_home = _text(rec.get("careHome")).casefold()
    return Location(
        location_id=str(rec.get("locationId")),
        name=_text(rec.get("name")),
        provider_id=_text(rec.get("providerId")),
        region=_text(rec.get("region")),
        local_authority=_text(rec.get("localAuthority")),
        postcode=_text(rec.get("postalCode")),
        inspection_category=", ".join(sorted(names("inspectionCategories"))),
        service_types=names("gacServiceTypes", "description"),
        regulated_activities=names("regulatedActivities"),
        service_user_bands=names("specialisms"),
        care_home=(care_home in _YES) if care_home else None,
        beds=beds_i,
        ratings=ratings,
        publication_date=pub,
        brand_id=_text(rec.get("brandId")),
        brand_name=_text(rec.get("brandName")).removeprefix("BRAND "),
        source=source,
        line=line,
    )


def _api_provider(rec: Mapping[str, Any]) -> ProviderFacts:
    ch = _text(rec.get("companiesHouseNumber"))
    return ProviderFacts(
        provider_id=str(rec.get("providerId")),
        name=_text(rec.get("name")),
        cqc_ownership_type=_text(rec.get("ownershipType")),
        companies_house_number=normalise_company_number(ch) if ch else "",
        charity_number=_text(rec.get("charityNumber")),
        brand_names=frozenset({str(rec["brandName"])}) if rec.get("brandName") else frozenset(),
    )


def _api_records(path: Path) -> Iterator[tuple[int, Mapping[str, Any]]]:
    if path.suffix.casefold() == ".csv":
        table, rows = open_table(path, ("locationId", "providerId"))
        for line, f in rows:
            if len(f) != len(table.original):
                yield line, {"__error__": f"{len(f)} fields where the header has {len(table.original)}"}
                continue
            yield line, {k: (v if v != "" else None) for k, v in zip(table.original, f, strict=True)}
        return
    with path.open(encoding="utf-8-sig", errors="replace") as fh:
        head = fh.read(1 << 16)
        fh.seek(0)
        first = head.lstrip()[:1]
        first_line = head.lstrip().split("\n", 1)[0]
        json_lines = first == "{" and _is_json_object(first_line) and "\n" in head.strip()
        if first == "[" or (first == "{" and not json_lines):
            try:
                data = json.load(fh)  # one JSON document: arrays cannot be streamed with the stdlib
            except json.JSONDecodeError as exc:
                raise OwnershipInputError(f"invalid JSON: {exc.msg}", path=path, line=exc.lineno) from None
            items = (data.get("locations") or data.get("providers") or [data]) if isinstance(data, dict) else data
            for n, item in enumerate(items, start=1):
                yield n, item if isinstance(item, dict) else {"__error__": "not a JSON object"}
            return
        for n, raw in enumerate(fh, start=1):  # JSON lines: streamed
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as exc:
                yield n, {"__error__": f"invalid JSON: {exc.msg}"}
                continue
            yield n, obj if isinstance(obj, dict) else {"__error__": "not a JSON object"}


def _is_json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except json.JSONDecodeError:
        return False


def read_cqc_api(
    path: str | Path,
    *,
    report: ImportReport | None = None,
    progress: Progress | None = None,
) -> Iterator[Location | ProviderFacts]:
    """Stream CQC API records: locations become :class:`Location`, providers :class:`ProviderFacts`.

    ``line`` in problems is the physical line for CSV and JSON lines, the record's 1-based
    position for a JSON array.
    """
    p = Path(path)
    if not p.is_file():
        raise OwnershipInputError("file not found", path=p)
    rep = report if report is not None else ImportReport()
    rep.path, rep.kind = str(path), "cqc-api"
    for line, rec in counted(_api_records(p), progress):
        rep.rows_read += 1
        if "__error__" in rec:
            rep.problem(line, str(rec["__error__"]))
            continue
        try:
            if rec.get("locationId"):
                if not LOCATION_ID.match(str(rec["locationId"])):
                    rep.problem(line, f"{rec['locationId']!r} is not a CQC location ID", "locationId")
                    continue
                out: Location | ProviderFacts = _api_location(rec, str(path), line)
            elif rec.get("providerId"):
                out = _api_provider(rec)
            else:
                rep.problem(line, "neither locationId nor providerId")
                continue
        except (ValueError, SyntaxError, TypeError, AttributeError) as exc:
            rep.problem(line, f"malformed nested field: {exc}")
            continue
        rep.records += 1
        yield out
