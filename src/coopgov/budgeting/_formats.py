"""Budgeting input files other than pabulib: CSV and JSON; and :func:`read_election`.

CSV layout
----------
The pabulib layout with commas: a ``META`` section (``key,value`` rows), a ``PROJECTS`` section
and a ``VOTES`` section, each starting with a header row, fields separated by ``,`` and quoted
when they contain commas — so a list of projects in a vote is written ``"p1,p2,p3"``.  This is what
a spreadsheet saves when the pabulib tables are pasted into one sheet, and it is read by the
pabulib reader (same columns, same checks, same line numbers)::

    META
    key,value
    budget,100000
    vote_type,approval
    PROJECTS
    project_id,cost,name
    p1,40000,Library
    p2,55000,Park
    VOTES
    voter_id,vote
    v1,"p1,p2"
    v2,p2

JSON layout (``"format": "coopgov-pb/1"``)
-----------------------------------------
::

    {"format": "coopgov-pb/1",
     "meta": {"description": "...", "currency": "GBP", ...},      # strings, optional
     "budget": 100000,                    # number, or a decimal string such as "2532645.83"
     "vote_type": "approval",             # approval | choose-1 | cumulative | scoring | ordinal
     "constraints": {"max_length": 2},    # optional: the pabulib ballot limits
     "projects": [{"id": "p1", "cost": 40000, "name": "Library",
                   "categories": [], "targets": [], "district": null,
                   "votes": null, "score": null, "selected": null, "extra": {}}],
     "ballots": [{"vote": ["p1", "p2"], "points": [2, 1], "count": 1, "voters": ["v1"]}]}

``points`` only for cumulative/scoring ballots, ``count`` defaults to 1 (or the number of
``voters``).  Errors name the file and the field (``projects[3].cost``).
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Mapping
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import IO

from ._model import (
    VOTE_TYPES,
    Ballot,
    BallotConstraints,
    BudgetingError,
    Election,
    Instance,
    Number,
    Profile,
    Project,
)
from ._pabulib import ProgressFn, _fmt, pabulib_string, parse_pabulib, read_pabulib

__all__ = [
    "election_from_json",
    "election_to_json",
    "parse_csv",
    "read_election",
    "write_election",
]

JSON_FORMAT = "coopgov-pb/1"


def read_election(
    path: str | os.PathLike[str],
    *,
    voter_ids: bool = True,
    keep_attributes: bool = False,
    progress: ProgressFn | None = None,
) -> Election:
    """Read ``.pb`` (pabulib), ``.csv`` or ``.json`` (the layouts above), by file extension."""
    name = str(path)
    suffix = Path(name).suffix.lower()
    if suffix == ".pb":
        return read_pabulib(path, voter_ids=voter_ids, keep_attributes=keep_attributes, progress=progress)
    if suffix not in (".csv", ".json"):
        raise BudgetingError("unknown file type (expected .pb, .csv or .json)", name)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise BudgetingError(f"cannot read file: {exc.strerror or exc}", name) from None
    except UnicodeDecodeError:
        raise BudgetingError("file is not valid UTF-8", name) from None
    if suffix == ".csv":
        return parse_csv(text, name, keep_attributes=keep_attributes)
    return election_from_json(text, name)


def write_election(
    election: Election,
    path: str | os.PathLike[str],
    *,
    selected: Iterable[int] | None = None,
) -> None:
    """Write ``election`` as ``.pb``, ``.csv`` or ``.json`` (by extension)."""
    name = str(path)
    suffix = Path(name).suffix.lower()
    if suffix == ".pb":
        text = pabulib_string(election, selected)
    elif suffix == ".csv":
        text = _pb_to_csv(pabulib_string(election, selected))
    elif suffix == ".json":
        text = json.dumps(election_to_json(election, selected), ensure_ascii=False, indent=1)
    else:
        raise BudgetingError("unknown file type (expected .pb, .csv or .json)", name)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)


# ------------------------------------------------------------------------------------ CSV


def _convert(text: str, src: str, dst: str, file: str) -> str:
    """Re-delimit a sectioned table, one output line per input line (line numbers kept)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=dst, lineterminator="\n")
    reader = csv.reader(io.StringIO(text), delimiter=src)
    try:
        for row in reader:  # a blank line reads as [] and is written back as a blank line
            if row:
                writer.writerow(row)
            else:
                out.write("\n")
    except csv.Error as exc:
        raise BudgetingError(f"cannot read line: {exc}", file, reader.line_num) from None
    return out.getvalue()


def parse_csv(text: str, file: str = "<string>", *, keep_attributes: bool = False) -> Election:
    """Read the CSV layout (see the module docstring)."""
    return parse_pabulib(_convert(text, ",", ";", file), file, keep_attributes=keep_attributes)


def _pb_to_csv(pb_text: str) -> str:
    return _convert(pb_text, ";", ",", "<pabulib>")


# ----------------------------------------------------------------------------------- JSON


def election_to_json(election: Election, selected: Iterable[int] | None = None) -> dict[str, object]:
    """The JSON layout as a dict (``selected`` overrides the projects' ``selected`` flags)."""
    inst, prof = election.instance, election.profile
    sel = None if selected is None else frozenset(selected)
    budget: object = inst.budget if isinstance(inst.budget, int) else _fmt(inst.budget)
    cons = {
        k: (v if isinstance(v, int) else _fmt(v))
        for k, v in ((f, getattr(prof.constraints, f)) for f in BallotConstraints.__dataclass_fields__)
        if v is not None
    }
    projects = []
    for i, p in enumerate(inst.projects):
        projects.append(
            {
                "id": p.id,
                "cost": p.cost,
                "name": p.name,
                "categories": list(p.categories),
                "targets": list(p.targets),
                "district": p.district,
                "votes": p.votes,
                "score": p.score,
                "selected": (1 if i in sel else 0) if sel is not None else p.selected,
                "extra": dict(p.extra),
            }
        )
    ballots = []
    for b in prof.ballots:
        entry: dict[str, object] = {"vote": [inst.projects[i].id for i in b.items]}
        if b.points is not None:
            entry["points"] = list(b.points)
        entry["count"] = b.multiplicity
        if b.voter_ids:
            entry["voters"] = list(b.voter_ids)
        ballots.append(entry)
    return {
        "format": JSON_FORMAT,
        "meta": dict(inst.meta),
        "budget": budget,
        "vote_type": prof.vote_type,
        "constraints": cons,
        "projects": projects,
        "ballots": ballots,
    }


def _need(cond: bool, file: str, field: str, message: str) -> None:
    if not cond:
        raise BudgetingError(f"{field}: {message}", file)


def _int_field(value: object, file: str, field: str, *, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise BudgetingError(f"{field}: expected a whole number, got {value!r}", file)
    try:
        f = Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError):
        raise BudgetingError(f"{field}: {value!r} is not a number", file) from None
    if f.denominator != 1:
        raise BudgetingError(f"{field}: {value!r} is not a whole number", file)
    return f.numerator


def _number_field(value: object, file: str, field: str) -> Number:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise BudgetingError(f"{field}: expected a number, got {value!r}", file)
    try:
        f = Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError):
        raise BudgetingError(f"{field}: {value!r} is not a number", file) from None
    return f.numerator if f.denominator == 1 else f


def election_from_json(text: str | Mapping[str, object], file: str = "<json>") -> Election:
    """Read the JSON layout (a string, or an already decoded dict)."""
    if isinstance(text, str):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BudgetingError(f"not valid JSON: {exc.msg}", file, exc.lineno) from None
    else:
        data = text
    _need(isinstance(data, dict), file, "top level", "expected a JSON object")
    assert isinstance(data, dict)
    fmt = data.get("format", JSON_FORMAT)
    _need(fmt == JSON_FORMAT, file, "format", f"expected {JSON_FORMAT!r}, got {fmt!r}")
    for key in ("budget", "vote_type", "projects", "ballots"):
        _need(key in data, file, key, "missing")
    meta_raw = data.get("meta", {})
    _need(isinstance(meta_raw, dict), file, "meta", "expected an object")
    meta = {str(k): str(v) for k, v in meta_raw.items()}
    budget = _number_field(data["budget"], file, "budget")
    _need(budget >= 0, file, "budget", "negative budget")
    vote_type = data["vote_type"]
    _need(vote_type in VOTE_TYPES, file, "vote_type", f"unknown vote type {vote_type!r}")
    meta.setdefault("budget", _fmt(budget))
    meta["vote_type"] = vote_type
    cons_raw = data.get("constraints", {})
    _need(isinstance(cons_raw, dict), file, "constraints", "expected an object")
    cons_kwargs: dict[str, Number | None] = {}
    for k, v in cons_raw.items():
        _need(k in BallotConstraints.__dataclass_fields__, file, f"constraints.{k}", "unknown")
        cons_kwargs[k] = (
            _number_field(v, file, f"constraints.{k}")
            if k.endswith("_cost")
            else _int_field(v, file, f"constraints.{k}")
        )
    cons = BallotConstraints(**cons_kwargs)  # type: ignore[arg-type]

    projects_raw = data["projects"]
    _need(isinstance(projects_raw, list), file, "projects", "expected a list")
    projects: list[Project] = []
    index: dict[str, int] = {}
    for j, pr in enumerate(projects_raw):
        where = f"projects[{j}]"
        _need(isinstance(pr, dict), file, where, "expected an object")
        _need("id" in pr and "cost" in pr, file, where, "needs 'id' and 'cost'")
        pid = str(pr["id"]).strip()
        _need(pid != "", file, f"{where}.id", "empty project id")
        _need(pid not in index, file, f"{where}.id", f"duplicate project id {pid!r}")
        cost = _int_field(pr["cost"], file, f"{where}.cost")
        assert cost is not None
        _need(cost >= 0, file, f"{where}.cost", f"project {pid!r} has a negative cost ({cost})")
        index[pid] = j

        def strs(key: str, pr: Mapping[str, object] = pr, where: str = where) -> tuple[str, ...]:
            v = pr.get(key) or []
            _need(isinstance(v, list), file, f"{where}.{key}", "expected a list")
            assert isinstance(v, list)
            return tuple(str(x) for x in v)

        extra = pr.get("extra") or {}
        _need(isinstance(extra, dict), file, f"{where}.extra", "expected an object")
        district = pr.get("district")
        projects.append(
            Project(
                id=pid,
                cost=cost,
                name=str(pr.get("name") or ""),
                categories=strs("categories"),
                targets=strs("targets"),
                district=None if district is None else str(district),
                extra=MappingProxyType({str(k): str(v) for k, v in extra.items()}),
                votes=_int_field(pr.get("votes"), file, f"{where}.votes", allow_none=True),
                score=_int_field(pr.get("score"), file, f"{where}.score", allow_none=True),
                selected=_int_field(pr.get("selected"), file, f"{where}.selected", allow_none=True),
            )
        )
    instance = Instance(MappingProxyType(meta), budget, tuple(projects))

    ballots_raw = data["ballots"]
    _need(isinstance(ballots_raw, list), file, "ballots", "expected a list")
    cardinal = vote_type in ("cumulative", "scoring")
    max_len = cons.max_length if cons.max_length is not None else (1 if vote_type == "choose-1" else None)
    counts: dict[tuple[tuple[int, ...], tuple[int, ...] | None], int] = {}
    id_lists: dict[tuple[tuple[int, ...], tuple[int, ...] | None], list[str]] = {}
    seen_voters: set[str] = set()
    for j, br in enumerate(ballots_raw):
        where = f"ballots[{j}]"
        _need(isinstance(br, dict), file, where, "expected an object")
        vote = br.get("vote")
        _need(isinstance(vote, list), file, f"{where}.vote", "expected a list of project ids")
        assert isinstance(vote, list)
        items: list[int] = []
        for pid in vote:
            p = index.get(str(pid))
            _need(p is not None, file, f"{where}.vote", f"unknown project {pid!r}")
            assert p is not None
            _need(p not in items, file, f"{where}.vote", f"project {pid!r} listed twice")
            items.append(p)
        k = len(items)
        if max_len is not None:
            _need(k <= max_len, file, where, f"ballot lists {k} projects, more than the maximum of {max_len}")
        if cons.min_length is not None:
            _need(
                k >= cons.min_length,
                file,
                where,
                f"ballot lists {k} projects, fewer than the minimum of {cons.min_length}",
            )
        points: tuple[int, ...] | None = None
        if cardinal:
            pts = br.get("points")
            _need(
                isinstance(pts, list) and len(pts) == k,
                file,
                f"{where}.points",
                f"expected {k} points, one per project in the vote",
            )
            assert isinstance(pts, list)
            values = [_int_field(x, file, f"{where}.points") for x in pts]
            points = tuple(x for x in values if x is not None)
            from ._pabulib import _points_error

            err = _points_error(list(points), cons, vote_type)
            _need(err is None, file, where, str(err))
        voters = br.get("voters") or []
        _need(isinstance(voters, list), file, f"{where}.voters", "expected a list")
        assert isinstance(voters, list)
        count = _int_field(br.get("count", len(voters) or 1), file, f"{where}.count")
        assert count is not None
        _need(count >= 1, file, f"{where}.count", "must be at least 1")
        _need(
            not voters or len(voters) == count,
            file,
            f"{where}.voters",
            f"{len(voters)} voter ids for a count of {count}",
        )
        for v in voters:
            _need(str(v) not in seen_voters, file, f"{where}.voters", f"voter {v!r} votes twice")
            seen_voters.add(str(v))
        if vote_type != "ordinal":
            if points is None:
                items.sort()
            else:
                pairs = sorted(zip(items, points, strict=True))
                items = [a for a, _ in pairs]
                points = tuple(b for _, b in pairs)
        ckey = (tuple(items), points)
        counts[ckey] = counts.get(ckey, 0) + count
        id_lists.setdefault(ckey, []).extend(str(v) for v in voters)
    ballots = [
        Ballot(it, pt, cnt, tuple(id_lists[(it, pt)]) if len(id_lists[(it, pt)]) == cnt else ())
        for (it, pt), cnt in counts.items()
    ]
    return Election(instance, Profile(vote_type, tuple(ballots), cons))


def dump_json(obj: object, out: IO[str]) -> None:
    json.dump(obj, out, ensure_ascii=False, indent=1, default=str)
