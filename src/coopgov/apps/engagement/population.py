"""Reading an officer's population table and deprivation lookup (CSV), all-or-nothing.

Population table: census-shaped, one row per cell::

    geography,dimension,category,count
    Devon,age_band,18-24,61234
    Devon,sex,Female,412345

``dimension`` is one of ``age_band``, ``sex``, ``ethnic_group``, ``disability``,
``deprivation_decile`` (or its label, e.g. "Age band"); ``category`` is a code or the census label
(e.g. ``white`` or ``White``; deciles ``1``..``10``).  "Prefer not to say" is not a census category
and is refused.  Counts are whole numbers ≥ 0.  A repeated (geography, dimension, category) is refused.

Deprivation lookup: ``postcode_district,decile`` with decile 1 (most deprived) .. 10.

Every problem is reported with the file name, line and column; nothing is saved unless the whole
file is valid.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from .metrics import dimension_categories
from .models import Dimension

MAX_ROWS = 100_000
POSTCODE_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


class PopulationFileError(ValueError):
    """A problem in an uploaded file, naming the file and the line (and column)."""

    def __init__(self, filename: str, line: int | None, message: str) -> None:
        self.filename, self.line, self.message = filename, line, message
        where = f"{filename}, line {line}" if line is not None else filename
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Cell:
    geography: str
    dimension: str
    category: str
    count: int


def _decode(data: bytes, filename: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PopulationFileError(filename, None, "is not UTF-8 text; save it as CSV UTF-8") from exc


def _reader(text: str, filename: str, required: list[str]) -> tuple[csv.DictReader[str], dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise PopulationFileError(filename, 1, "the file is empty; the first line must name the columns")
    names = {n.strip().lower().replace(" ", "_"): n for n in reader.fieldnames if n}
    missing = [c for c in required if c not in names]
    if missing:
        raise PopulationFileError(
            filename, 1, f"missing column(s) {', '.join(missing)}; the columns must be {', '.join(required)}"
        )
    return reader, names


def _lookup() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    dims: dict[str, str] = {}
    cats: dict[str, dict[str, str]] = {}
    for code, label in Dimension.choices:
        dims[code.lower()] = code
        dims[str(label).lower()] = code
        table: dict[str, str] = {}
        for c, lab in dimension_categories(code):
            table[c.lower()] = c
            table[lab.lower()] = c
        cats[code] = table
    return dims, cats


def parse_population(data: bytes, filename: str = "population.csv") -> list[Cell]:
    text = _decode(data, filename)
    reader, names = _reader(text, filename, ["geography", "dimension", "category", "count"])
    dims, cats = _lookup()
    seen: dict[tuple[str, str, str], int] = {}
    cells: list[Cell] = []
    for row in reader:
        line = reader.line_num
        if len(cells) >= MAX_ROWS:
            raise PopulationFileError(filename, line, f"more than {MAX_ROWS:,} rows")
        if None in row:
            raise PopulationFileError(filename, line, "more values than there are columns")
        geo = (row[names["geography"]] or "").strip()
        dim_text = (row[names["dimension"]] or "").strip()
        cat_text = (row[names["category"]] or "").strip()
        count_text = (row[names["count"]] or "").strip().replace(",", "")
        if not (geo or dim_text or cat_text or count_text):
            continue
        if not geo:
            raise PopulationFileError(filename, line, "column geography is empty")
        dim = dims.get(dim_text.lower())
        if dim is None:
            raise PopulationFileError(
                filename,
                line,
                f"column dimension: unknown dimension {dim_text!r}; use one of {', '.join(Dimension.values)}",
            )
        cat = cats[dim].get(cat_text.lower())
        if cat is None:
            allowed = ", ".join(c for c, _ in dimension_categories(dim))
            raise PopulationFileError(
                filename,
                line,
                f"column category: unknown {Dimension(dim).label.lower()} category {cat_text!r}; use one of {allowed}",
            )
        try:
            count = int(count_text)
        except ValueError:
            raise PopulationFileError(filename, line, f"column count: {count_text!r} is not a whole number") from None
        if count < 0:
            raise PopulationFileError(filename, line, f"column count: {count} is negative")
        key = (geo, dim, cat)
        if key in seen:
            raise PopulationFileError(filename, line, f"repeats {geo} / {dim} / {cat} from line {seen[key]}")
        seen[key] = line
        cells.append(Cell(geo, dim, cat, count))
    if not cells:
        raise PopulationFileError(filename, None, "has no rows of data")
    return cells


def parse_deprivation(data: bytes, filename: str = "deprivation.csv") -> dict[str, int]:
    text = _decode(data, filename)
    reader, names = _reader(text, filename, ["postcode_district", "decile"])
    out: dict[str, int] = {}
    lines: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if None in row:
            raise PopulationFileError(filename, line, "more values than there are columns")
        district = (row[names["postcode_district"]] or "").strip().upper().replace(" ", "")
        decile_text = (row[names["decile"]] or "").strip()
        if not district and not decile_text:
            continue
        if not POSTCODE_DISTRICT.match(district):
            raise PopulationFileError(
                filename, line, f"column postcode_district: {district!r} is not a postcode district"
            )
        try:
            decile = int(decile_text)
        except ValueError:
            raise PopulationFileError(filename, line, f"column decile: {decile_text!r} is not a whole number") from None
        if not 1 <= decile <= 10:
            raise PopulationFileError(filename, line, f"column decile: {decile} is not between 1 and 10")
        if district in out:
            raise PopulationFileError(
                filename, line, f"repeats postcode district {district} from line {lines[district]}"
            )
        out[district], lines[district] = decile, line
    if not out:
        raise PopulationFileError(filename, None, "has no rows of data")
    return out
