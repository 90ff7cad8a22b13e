"""Ranked ballots as CSV, one ballot per row, in either of two layouts.

*Rank columns* — the header names ranks and the cells hold candidate names::

    1st,2nd,3rd            (also "Rank 1", "Preference 2", "choice_3", "1", "2", ...)
    Alice,Bob,
    Bob,,Carol             <- a skipped rank: only "Bob" is used

*Candidate columns* — the header names the candidates and the cells hold rank numbers::

    Alice,Bob,Carol
    1,2,
    2,1,3
    1,1,2                  <- rank 1 given twice: no usable preference, counted invalid

Optional columns in either layout: ``weight`` (or ``count``/``ballots``/``n``), the number of
identical ballots the row stands for, and ``id`` (or ``ballot``/``ballot_id``/``voter``), ignored.
The usable sequence of a ballot ends at the first skipped, repeated or equal preference.  The
file carries no seat count; the caller supplies it.  In the rank-column layout the candidates are
the names met in the cells, in order of first appearance.
"""

from __future__ import annotations

import csv
import io
import re

from coopgov.counting._errors import decode, read_bytes
from coopgov.counting._model import CountingError, Profile

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from os import PathLike

__all__ = ["parse_csv", "read_csv"]

_RANK_HEADER = re.compile(
    r"^(?:(?:rank|preference|pref|choice)[\s_#-]*)?(\d+)(?:st|nd|rd|th)?"
    r"(?:[\s_-]*(?:choice|preference|pref|rank))?$",
    re.IGNORECASE,
)
_WEIGHT = {"weight", "count", "ballots", "n", "number"}
_IDS = {"id", "ballot", "ballot_id", "ballotid", "voter", "voter_id"}
_CUT = -1


def read_csv(path: str | PathLike[str], *, seats: int | None, name: str | None = None) -> Profile:
    source = name if name is not None else str(path)
    data = read_bytes(path, source)
    return parse_csv(data, source=source, seats=seats)


def _collapse(s: str) -> str:
    return " ".join(s.split())


def parse_csv(data: bytes | str, *, source: str = "<csv>", seats: int | None) -> Profile:
    """Parse ranked-ballot CSV in either layout into a grouped :class:`Profile`."""
    text = decode(data, source) if isinstance(data, bytes) else data
    if not text.strip():
        raise CountingError("the file is empty", source)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [_collapse(h) for h in next(reader)]
    except csv.Error as exc:
        raise CountingError(f"not readable as CSV: {exc}", source, 1) from None
    weight_col: int | None = None
    data_cols: list[int] = []
    for j, h in enumerate(header):
        key = h.lower()
        if key in _WEIGHT and weight_col is None:
            weight_col = j
        elif key in _IDS:
            continue
        else:
            data_cols.append(j)
    if not data_cols:
        raise CountingError("the header names no rank or candidate columns", source, 1)
    rank_layout = all(_RANK_HEADER.match(header[j]) for j in data_cols)
    if rank_layout:
        order = [int(m.group(1)) for j in data_cols if (m := _RANK_HEADER.match(header[j]))]
        if sorted(order) != list(range(1, len(order) + 1)):
            raise CountingError("rank columns must be numbered 1, 2, 3, ... without gaps", source, 1)
        data_cols = [j for _, j in sorted(zip(order, data_cols, strict=True))]
        candidates: list[str] = []
        index: dict[str, int] = {}
    else:
        candidates = [header[j] for j in data_cols]
        if len(set(candidates)) != len(candidates):
            raise CountingError("two columns have the same candidate name", source, 1)
        if any(not c for c in candidates):
            raise CountingError("a candidate column has no name in the header", source, 1)
        index = {c: k for k, c in enumerate(candidates)}

    rankings: list[list[int]] = []
    weights: list[int] = []
    invalid = 0
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                raise CountingError(f"{len(row)} cells but the header has {len(header)} columns", source, line)
            row = row + [""] * (len(header) - len(row))
            weight = 1
            if weight_col is not None:
                cell = row[weight_col].strip()
                if not cell.isdigit():
                    raise CountingError(f"the weight must be a whole number, found {cell!r}", source, line)
                weight = int(cell)
            if rank_layout:
                ranking = _rank_row(row, data_cols, candidates, index)
            else:
                ranking = _candidate_row(row, data_cols, header, source, line)
            if ranking and ranking[0] != _CUT:
                rankings.append(ranking)
                weights.append(weight)
            else:
                invalid += weight
    except csv.Error as exc:
        raise CountingError(f"not readable as CSV: {exc}", source, reader.line_num) from None
    if not rankings and not invalid:
        raise CountingError("the file holds no ballots", source, 2)
    if seats is None:
        raise CountingError("a CSV file carries no seat count: give --seats N", source)
    if seats < 1:
        raise CountingError("the number of seats must be at least 1", source)
    if seats >= len(candidates):
        raise CountingError(f"{seats} seat(s) but only {len(candidates)} candidate(s): nothing to count", source)
    return Profile.from_ballots(candidates, seats, rankings, weights, invalid=invalid)


def _rank_row(row: list[str], cols: list[int], candidates: list[str], index: dict[str, int]) -> list[int]:
    ranking: list[int] = []
    gap = False
    for j in cols:
        name = _collapse(row[j])
        if not name:
            gap = True
            continue
        if name not in index:
            index[name] = len(candidates)
            candidates.append(name)
        if gap:  # a skipped rank: the usable sequence has ended
            ranking.append(_CUT)
            break
        ranking.append(index[name])
    return ranking


def _candidate_row(row: list[str], cols: list[int], header: list[str], source: str, line: int) -> list[int]:
    marks: dict[int, list[int]] = {}
    for k, j in enumerate(cols):
        cell = row[j].strip()
        if not cell:
            continue
        if not cell.isdigit() or int(cell) < 1:
            raise CountingError(
                f"column {header[j]!r}: a rank must be a whole number from 1, found {cell!r}",
                source,
                line,
            )
        marks.setdefault(int(cell), []).append(k)
    ranking: list[int] = []
    expected = 1
    for rank in sorted(marks):
        if rank != expected or len(marks[rank]) > 1:  # skipped or repeated rank
            ranking.append(_CUT)
            break
        ranking.append(marks[rank][0])
        expected += 1
    return ranking
