"""Read and write pabulib ``.pb`` files.

Format (pabulib, https://pabulib.org/format): UTF-8 text in three sections, each introduced by a line
``META``, ``PROJECTS`` or ``VOTES`` followed by a header row; fields are ``;``-separated and may be
double-quoted (``""`` escapes a quote), as the csv module reads them.

* ``META`` — ``key;value`` rows.  Required: ``budget`` (may be a decimal such as ``2532645.83``; kept
  exactly) and ``vote_type`` (``approval``, ``choose-1``, ``cumulative``, ``scoring``, ``ordinal``).
  Ballot rules: ``min_length``, ``max_length``, ``min_sum_points``, ``max_sum_points``,
  ``min_points``, ``max_points``, ``min_sum_cost``, ``max_sum_cost``.  Knapsack votes are stored as
  approval (the ballot's total cost is bounded by ``max_sum_cost``).
* ``PROJECTS`` — a ``project_id`` and a ``cost`` column; optional ``name``, ``category``/``categories``
  and ``target``/``targets`` (comma-separated lists), ``district`` (else ``subunit``), ``votes``,
  ``score``, ``selected``; any other column is kept in ``Project.extra``.  The value ``None`` (any
  case) means "not given", as in pabutools.
* ``VOTES`` — a ``vote`` column (comma-separated project ids; in preference order for ordinal
  ballots), ``points`` (comma-separated, parallel to ``vote``) for cumulative/scoring ballots, an
  optional ``voter_id`` and any voter attributes.

Speed: the VOTES section (the bulk of the file) is split line by line with ``str.split`` when it
contains no quote character (csv otherwise), and identical ``vote``/``points`` strings are grouped in
a dict *before* being split and checked, so a 130,000-voter file is parsed in a fraction of a second.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import IO

from . import _cvotes_api
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
    building_many_objects,
)

__all__ = ["pabulib_string", "parse_pabulib", "read_pabulib", "write_pabulib"]

_SECTIONS = ("meta", "projects", "votes")
# A section marker line; searched in "\n" + text so the regex can skip ahead to each newline.
_MARKER = re.compile(r'\n[ \t"]*(meta|projects|votes)[ \t"]*;*[ \t]*(?=\n|$)', re.I)
_CARDINAL = ("cumulative", "scoring")
_KNOWN_PROJECT_COLUMNS = frozenset(
    {
        "project_id",
        "cost",
        "name",
        "category",
        "categories",
        "target",
        "targets",
        "district",
        "votes",
        "score",
        "selected",
    }
)

ProgressFn = Callable[[str], None]


def _number(text: str, what: str, file: str, line: int) -> Fraction:
    """Parse a decimal exactly (``1000000.00``, ``1,5`` with a decimal comma)."""
    s = text.strip().replace(",", ".") if text.count(",") == 1 and "." not in text else text.strip()
    if s.isascii() and s.isdigit():  # the usual case, without Fraction's parser
        return Fraction(int(s))
    try:
        value = Fraction(s)
    except (ValueError, ZeroDivisionError):
        raise BudgetingError(f"{what} {text!r} is not a number", file, line) from None
    return value


def _whole(text: str, what: str, file: str, line: int) -> int:
    value = _number(text, what, file, line)
    if value.denominator != 1:
        raise BudgetingError(f"{what} {text!r} is not a whole number", file, line)
    return value.numerator


def _given(value: str | None) -> str | None:
    """``None`` for a missing/empty/'None' field, else the stripped text."""
    if value is None:
        return None
    v = value.strip()
    return None if v == "" or v.lower() == "none" else v


def _split_rows(lines: list[str], start: int, file: str) -> list[tuple[int, list[str]]]:
    """csv-split ``lines`` (numbered from ``start``, 1-based), skipping blank lines."""
    out: list[tuple[int, list[str]]] = []
    reader = csv.reader(lines, delimiter=";")
    try:
        for offset, row in enumerate(reader):
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            out.append((start + offset, row))
    except csv.Error as exc:
        raise BudgetingError(f"cannot read line: {exc}", file, start + reader.line_num - 1) from None
    return out


def read_pabulib(
    path: str | os.PathLike[str],
    *,
    keep_attributes: bool = False,
    voter_ids: bool = True,
    progress: ProgressFn | None = None,
) -> Election:
    """Read a ``.pb`` file.  Raises :class:`BudgetingError` (with file and line) on bad input."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise BudgetingError(f"cannot read file: {exc.strerror or exc}", name) from None
    if not keep_attributes:
        fast = _read_bytes_fast(data, name, voter_ids=voter_ids, progress=progress)
        if fast is not None:
            return fast
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BudgetingError("file is not valid UTF-8", name, line) from None
    return parse_pabulib(text, name, keep_attributes=keep_attributes, voter_ids=voter_ids, progress=progress)


def parse_pabulib(
    text: str,
    file: str = "<string>",
    *,
    keep_attributes: bool = False,
    voter_ids: bool = True,
    progress: ProgressFn | None = None,
) -> Election:
    """Parse the text of a ``.pb`` file (``file`` is only used in error messages)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            text = text.replace("\r", "\n")
    instance, vote_type, constraints, votes_line, votes_pos = _parse_head(text, file, progress)
    vtext = text[votes_pos:].lstrip(' \t;"')
    if vtext.startswith("\n"):
        vtext = vtext[1:]
    if progress:
        progress(f"reading VOTES ({vtext.count(chr(10)):,} lines)")
    args = (vtext, votes_line + 1, instance, vote_type, constraints, file)
    profile = None
    with building_many_objects():
        if not keep_attributes:
            profile = _parse_votes_fast(*args, voter_ids=voter_ids)
        if profile is None:  # unusual layout, or an error to locate: the line-by-line reader
            profile = _parse_votes(*args, keep_attributes=keep_attributes)
    return Election(instance, profile)


def _read_bytes_fast(data: bytes, file: str, *, voter_ids: bool, progress: ProgressFn | None) -> Election | None:
    """The usual file, read without decoding its VOTES bulk in Python: the C reader takes the
    bytes (and checks they are UTF-8).  ``None`` for anything else (``\\r``, quotes, a byte-order
    mark, a section marker twice, voter ids or points wanted, a row the C reader does not take):
    :func:`parse_pabulib` then reads the whole text, and finds and locates any error."""
    if not _cvotes_api.available() or not data.startswith(b"META\n") or b"\r" in data:
        return None
    at = data.find(b"\nVOTES\n")
    if at < 0:
        return None
    start = at + len(b"\nVOTES\n")
    if (
        data.find(b"\nVOTES\n", at + 1) >= 0
        or data.find(b"\nPROJECTS\n", at) >= 0
        or data.find(b"\nMETA\n", at) >= 0
        or data.find(b'"', start) >= 0
    ):
        return None
    nl = data.find(b"\n", start)
    if nl < 0:
        return None
    try:
        head = data[:start].decode("utf-8")
        header = data[start:nl].decode("utf-8")
    except UnicodeDecodeError:
        return None
    instance, vote_type, cons, votes_line, _ = _parse_head(head, file, progress)
    try:
        _, cols, iv, ip, iid = _votes_header([header], votes_line + 1, vote_type, file)
    except BudgetingError:
        return None
    if not header.strip():
        return None
    end = len(data)
    while end > nl + 1 and data[end - 1] in b" \t\n\x0b\x0c":
        end -= 1
    if end <= nl + 1:
        return None
    if progress:
        lines = data.count(b"\n", start)
        progress(f"reading VOTES ({lines:,} lines)")
    body = memoryview(data)[nl + 1 : end]
    ballots = _tally_in_c(body, instance, vote_type, cons, cols, iv, ip, with_ids=voter_ids and iid >= 0)
    if ballots is None:
        return None
    return Election(instance, Profile(vote_type=vote_type, ballots=ballots, constraints=cons))


def _tally_in_c(
    body: str | memoryview,
    instance: Instance,
    vote_type: str,
    cons: BallotConstraints,
    cols: list[str],
    vote_col: int,
    points_col: int,
    *,
    with_ids: bool,
) -> tuple[Ballot, ...] | None:
    """The VOTES rows ``body`` (columns ``cols``) read by the C reader, or ``None``: C not built,
    not the usual case it takes (voter ids or points wanted, a cost limit per ballot), or a row
    it leaves to the Python reader."""
    if with_ids or points_col >= 0 or cons.max_sum_cost is not None:
        return None
    max_len = cons.max_length
    if vote_type == "choose-1" and max_len is None:
        max_len = 1
    return _cvotes_api.tally(
        body,
        [p.id for p in instance.projects],
        vote_col=vote_col,
        exact_fields=len(cols) == vote_col + 1,
        ordinal=vote_type == "ordinal",
        min_len=cons.min_length,
        max_len=max_len,
    )


def _parse_head(
    text: str, file: str, progress: ProgressFn | None
) -> tuple[Instance, str, BallotConstraints, int, int]:
    """META and PROJECTS of ``text``, which runs at least to the VOTES marker: the instance, the
    vote type, the ballot rules, and the line index and offset of the VOTES marker's end.
    Lines end with ``\\n`` alone."""
    # Locate the three section markers (line indices, 0-based) without splitting the VOTES bulk.
    marks: dict[str, int] = {}
    pos: dict[str, int] = {}
    quick = _quick_markers(text)
    if quick is not None:
        for word, at in zip(_SECTIONS, quick, strict=True):
            marks[word] = text.count("\n", 0, at)
            pos[word] = at + len(word)
    for m in () if quick is not None else _MARKER.finditer("\n" + text):
        word = m.group(1).lower()
        lineno = text.count("\n", 0, m.start())
        if word in marks:
            raise BudgetingError(f"second {word.upper()} section", file, lineno + 1)
        marks[word] = lineno
        pos[word] = m.end() - 1
    for sec in _SECTIONS:
        if sec not in marks:
            where = 1 if sec == "meta" else text.rstrip().count("\n") + 1
            raise BudgetingError(f"missing {sec.upper()} section", file, where)
    if not marks["meta"] < marks["projects"] < marks["votes"]:
        raise BudgetingError("sections must come in the order META, PROJECTS, VOTES", file, marks["projects"] + 1)
    lines = text[: pos["votes"]].split("\n")
    if any(line.strip() for line in lines[: marks["meta"]]):
        first = next(i for i, line in enumerate(lines) if line.strip())
        raise BudgetingError("text before the META section", file, first + 1)
    if progress:
        progress("reading META and PROJECTS")
    meta = _parse_meta(lines, marks["meta"], marks["projects"], file)
    vote_type = meta.get("vote_type")
    if vote_type is None:
        raise BudgetingError("META has no vote_type", file, marks["meta"] + 1)
    if vote_type not in VOTE_TYPES:
        raise BudgetingError(
            f"unknown vote_type {vote_type!r} (expected one of {', '.join(VOTE_TYPES)})",
            file,
            _meta_line(lines, marks["meta"], marks["projects"], "vote_type"),
        )
    if "budget" not in meta:
        raise BudgetingError("META has no budget", file, marks["meta"] + 1)
    bline = _meta_line(lines, marks["meta"], marks["projects"], "budget")
    budget_f = _number(meta["budget"], "budget", file, bline)
    if budget_f < 0:
        raise BudgetingError(f"budget {meta['budget']!r} is negative", file, bline)
    budget: Number = budget_f.numerator if budget_f.denominator == 1 else budget_f
    constraints = _constraints(meta, lines, marks, file)
    projects = _parse_projects(lines, marks["projects"], marks["votes"], file)
    instance = Instance(meta=MappingProxyType(dict(meta)), budget=budget, projects=projects)
    return instance, vote_type, constraints, marks["votes"], pos["votes"]


def _quick_markers(text: str) -> tuple[int, int, int] | None:
    """Offsets of the usual upper-case ``META``/``PROJECTS``/``VOTES`` lines, if each occurs once."""
    if not text.startswith("META\n"):
        return None
    found = [0]
    for word in ("\nPROJECTS\n", "\nVOTES\n"):
        at = text.find(word)
        if at < 0 or text.find(word, at + 1) >= 0:
            return None
        found.append(at + 1)
    if text.find("\nMETA\n") >= 0 or not found[0] < found[1] < found[2]:
        return None
    return found[0], found[1], found[2]


def _meta_line(lines: list[str], start: int, end: int, key: str) -> int:
    for i in range(start + 1, end):
        if lines[i].split(";", 1)[0].strip() == key:
            return i + 1
    return start + 1


def _parse_meta(lines: list[str], start: int, end: int, file: str) -> dict[str, str]:
    rows = _split_rows(lines[start + 1 : end], start + 2, file)
    if not rows:
        raise BudgetingError("META section has no header row", file, start + 1)
    meta: dict[str, str] = {}
    for lineno, row in rows[1:]:
        if len(row) < 2:
            raise BudgetingError("META row needs a key and a value", file, lineno)
        key = row[0].strip()
        meta[key] = ";".join(row[1:]).strip()
    return meta


def _constraints(meta: Mapping[str, str], lines: list[str], marks: Mapping[str, int], file: str) -> BallotConstraints:
    def get(key: str) -> int | None:
        v = _given(meta.get(key))
        if v is None:
            return None
        return _whole(v, key, file, _meta_line(lines, marks["meta"], marks["projects"], key))

    def getn(key: str) -> Number | None:
        v = _given(meta.get(key))
        if v is None:
            return None
        x = _number(v, key, file, _meta_line(lines, marks["meta"], marks["projects"], key))
        return x.numerator if x.denominator == 1 else x

    return BallotConstraints(
        min_length=get("min_length"),
        max_length=get("max_length"),
        min_sum_points=get("min_sum_points"),
        max_sum_points=get("max_sum_points"),
        min_points=get("min_points"),
        max_points=get("max_points"),
        min_sum_cost=getn("min_sum_cost"),
        max_sum_cost=getn("max_sum_cost"),
    )


def _opt_int(rec: Mapping[str, str], key: str, pid: str, file: str, lineno: int) -> int | None:
    v = _given(rec.get(key))
    return None if v is None else _whole(v, f"{key} of project {pid!r}", file, lineno)


def _listed(rec: Mapping[str, str], *keys: str) -> tuple[str, ...]:
    for k in keys:
        v = _given(rec.get(k))
        if v is not None:
            return tuple(x.strip() for x in v.split(",") if x.strip())
    return ()


def _parse_projects(lines: list[str], start: int, end: int, file: str) -> tuple[Project, ...]:
    rows = _split_rows(lines[start + 1 : end], start + 2, file)
    if not rows:
        raise BudgetingError("PROJECTS section has no header row", file, start + 1)
    hline, header = rows[0]
    cols = [h.strip() for h in header]
    for required in ("project_id", "cost"):
        if required not in cols:
            raise BudgetingError(f"PROJECTS header has no {required!r} column", file, hline)
    seen: dict[str, int] = {}
    projects: list[Project] = []
    for lineno, row in rows[1:]:
        if len(row) != len(cols):
            raise BudgetingError(f"PROJECTS row has {len(row)} fields, the header has {len(cols)}", file, lineno)
        rec = dict(zip(cols, row, strict=True))
        pid = rec["project_id"].strip()
        if not pid:
            raise BudgetingError("empty project_id", file, lineno)
        if pid in seen:
            raise BudgetingError(f"duplicate project id {pid!r} (first on line {seen[pid]})", file, lineno)
        seen[pid] = lineno
        cost_text = _given(rec["cost"])
        if cost_text is None:
            raise BudgetingError(f"project {pid!r} has no cost", file, lineno)
        cost_f = _number(cost_text, f"cost of project {pid!r}", file, lineno)
        if cost_f < 0:
            raise BudgetingError(f"project {pid!r} has a negative cost ({cost_text})", file, lineno)
        if cost_f.denominator != 1:
            raise BudgetingError(
                f"project {pid!r} has a cost that is not a whole number ({cost_text}); "
                "coopgov needs costs in whole units of currency",
                file,
                lineno,
            )

        district = _given(rec.get("district"))
        extra = {k: v.strip() for k, v in rec.items() if k not in _KNOWN_PROJECT_COLUMNS and _given(v) is not None}
        projects.append(
            Project(
                id=pid,
                cost=cost_f.numerator,
                name=(rec.get("name") or "").strip(),
                categories=_listed(rec, "category", "categories"),
                targets=_listed(rec, "target", "targets"),
                district=district,
                extra=MappingProxyType(extra),
                votes=_opt_int(rec, "votes", pid, file, lineno),
                score=_opt_int(rec, "score", pid, file, lineno),
                selected=_opt_int(rec, "selected", pid, file, lineno),
            )
        )
    return tuple(projects)


class _Retry(Exception):
    """Raised by the fast VOTES reader when the line-by-line reader must locate an error."""


def _votes_header(vlines: list[str], offset: int, vote_type: str, file: str) -> tuple[int, list[str], int, int, int]:
    """Find the VOTES header: (its index in vlines, columns, vote/points/voter_id positions)."""
    h = 0
    n = len(vlines)
    while h < n and not vlines[h].strip():
        h += 1
    if h >= n:
        raise BudgetingError("VOTES section has no header row", file, offset)
    cols = [c.strip() for c in next(csv.reader([vlines[h]], delimiter=";"))]
    if "vote" not in cols:
        raise BudgetingError("VOTES header has no 'vote' column", file, offset + h + 1)
    cardinal = vote_type in _CARDINAL
    if cardinal and "points" not in cols:
        raise BudgetingError(f"{vote_type} VOTES need a 'points' column", file, offset + h + 1)
    iv = cols.index("vote")
    ip = cols.index("points") if cardinal else -1
    iid = cols.index("voter_id") if "voter_id" in cols else -1
    return h, cols, iv, ip, iid


def _parse_votes_fast(
    vtext: str,
    offset: int,
    instance: Instance,
    vote_type: str,
    cons: BallotConstraints,
    file: str,
    *,
    voter_ids: bool,
) -> Profile | None:
    """The common case in one regex pass: no quotes, no blank lines, every row well-formed.

    Returns ``None`` when the file needs the line-by-line reader (which also locates errors).
    """
    nl = vtext.find("\n")
    if nl < 0 or '"' in vtext:
        return None
    head = vtext[:nl]
    if not head.strip():
        return None
    _, cols, iv, ip, iid = _votes_header([head], offset, vote_type, file)
    body = vtext[nl + 1 :].rstrip()
    if not body or "\n\n" in body:
        return None
    with_ids = voter_ids and iid >= 0
    wanted = {iv, ip, iid} if with_ids else {iv, ip}
    wanted.discard(-1)
    need = max(wanted)
    # the usual case (approval, choice or ordinal votes): rows read and grouped in C
    ballots = _tally_in_c(body, instance, vote_type, cons, cols, iv, ip, with_ids=with_ids)
    if ballots is not None:
        return Profile(vote_type=vote_type, ballots=ballots, constraints=cons)
    parts = ["([^;\n]*)" if j in wanted else "[^;\n]*" for j in range(need + 1)]
    tail = "(?:;[^\n]*)?" if len(cols) > need + 1 else ""
    pattern = re.compile("^" + ";".join(parts) + tail + "$", re.M)
    found = pattern.findall(body)
    if len(found) != body.count("\n") + 1:
        return None
    order = sorted(wanted)
    if len(order) == 1:
        keys: list[object] = found
    else:
        kv = order.index(iv)
        if ip >= 0:
            kp = order.index(ip)
            keys = [(t[kv], t[kp]) for t in found]
        else:
            keys = [t[kv] for t in found]
    groups: dict[object, list[str]] | dict[object, int]
    if with_ids:
        ki = order.index(iid)
        ids = [t[ki] for t in found]
        if len(set(ids)) != len(ids):
            return None
        groups = _group(keys, ids)
    else:
        groups = dict(Counter(keys))

    def first_line(key: object) -> int:
        raise _Retry

    try:
        return _make_profile(groups, first_line, instance, vote_type, cons, file, with_ids)
    except _Retry:
        return None


def _group(keys: list[object], ids: list[str]) -> dict[object, list[str]]:
    groups: dict[object, list[str]] = {}
    for k, vid in zip(keys, ids, strict=True):
        g = groups.get(k)
        if g is None:
            groups[k] = [vid]
        else:
            g.append(vid)
    return groups


def _parse_votes(
    vtext: str,
    offset: int,
    instance: Instance,
    vote_type: str,
    cons: BallotConstraints,
    file: str,
    *,
    keep_attributes: bool,
) -> Profile:
    """The line-by-line VOTES reader (``offset``: 0-based line number of vtext's first line)."""
    lines = vtext.split("\n")
    h, cols, iv, ip, iid = _votes_header(lines, offset, vote_type, file)
    cardinal = vote_type in _CARDINAL
    ncols = len(cols)
    first = h + 1  # index in ``lines`` of the first vote line
    fa = offset + first  # ... and its 0-based line number in the file
    last = len(lines)
    while last > first and not lines[last - 1].strip():
        last -= 1
    body = lines[first:last]
    quoted = any('"' in line for line in body)
    rows: list[list[str]]
    linenos: list[int] | None = None
    if quoted:
        rows, linenos = _rows_with_lines(body, fa, file)
    elif keep_attributes:
        rows = [line.split(";") for line in body]
    else:
        # Only the columns we need are split off; attribute columns stay in one unsplit tail.
        need = max(iv, ip, iid)
        rows = [line.split(";", need + 1) for line in body]
        ncols = min(ncols, need + 2)
    if any(len(r) != ncols for r in rows):
        keep: list[list[str]] = []
        kept_lines: list[int] = []
        for j, r in enumerate(rows):
            lineno = linenos[j] if linenos is not None else fa + 1 + j
            if len(r) == ncols:
                keep.append(r)
                kept_lines.append(lineno)
            elif len(r) > 1 or (r and r[0].strip()):
                raise BudgetingError(f"VOTES row has {len(r)} fields, the header has {len(cols)}", file, lineno)
        rows, linenos = keep, kept_lines

    def line_of(j: int) -> int:
        return linenos[j] if linenos is not None else fa + 1 + j

    keys: list[tuple[str, str]] | list[str]
    keys = [(r[iv], r[ip]) for r in rows] if cardinal else [r[iv] for r in rows]
    ids = [r[iid] for r in rows] if iid >= 0 else [str(j + 1) for j in range(len(rows))]
    attrs: dict[str, dict[str, str]] = {}
    attr_idx = [j for j in range(len(cols)) if j not in (iv, ip, iid)]
    attr_cols = tuple(cols[j] for j in attr_idx)
    if keep_attributes:
        for vid, r in zip(ids, rows, strict=True):
            attrs[vid] = {cols[j]: r[j].strip() for j in attr_idx}
    if iid >= 0 and len(set(ids)) != len(ids):
        seen: dict[str, int] = {}
        for j, vid in enumerate(ids):
            if vid in seen:
                raise BudgetingError(f"voter id {vid!r} votes twice (first on line {seen[vid]})", file, line_of(j))
            seen[vid] = line_of(j)
    key_list: list[object] = list(keys)

    def first_line(key: object) -> int:
        return line_of(key_list.index(key))

    profile = _make_profile(_group(key_list, ids), first_line, instance, vote_type, cons, file, iid >= 0)
    if keep_attributes:
        return dataclasses.replace(profile, voter_attributes=MappingProxyType(attrs), attribute_columns=attr_cols)
    return profile


def _make_profile(
    groups: Mapping[object, list[str]] | Mapping[object, int],
    first_line: Callable[[object], int],
    instance: Instance,
    vote_type: str,
    cons: BallotConstraints,
    file: str,
    with_ids: bool,
) -> Profile:
    """Split, check and canonicalise each distinct vote string (``groups``: key -> voter ids, or
    key -> count); ``first_line(key)`` gives the line to blame."""
    cardinal = vote_type in _CARDINAL
    index = instance.index()
    costs = instance.costs
    canonical: dict[tuple[tuple[int, ...], tuple[int, ...] | None], list[str]] = {}
    counts: dict[tuple[tuple[int, ...], tuple[int, ...] | None], int] = {}
    ordinal = vote_type == "ordinal"
    max_len = cons.max_length
    if vote_type == "choose-1" and max_len is None:
        max_len = 1
    min_len = cons.min_length
    max_cost = cons.max_sum_cost
    lookup = index.__getitem__
    if not cardinal and not with_ids and max_cost is None:
        fast = _simple_ballots(groups, lookup, ordinal, max_len, min_len)
        if fast is not None:
            return Profile(vote_type=vote_type, ballots=fast, constraints=cons)
    for key, gids in groups.items():
        if isinstance(key, tuple):
            vote_s, points_s = key
        else:
            vote_s, points_s = key, ""
        items: list[int]
        try:
            items = list(map(lookup, vote_s.split(","))) if vote_s else []
        except KeyError:
            items = _items_slow(vote_s, index, file, first_line(key))
        k = len(items)
        if len(set(items)) != k:
            names = [x.strip() for x in vote_s.split(",")]
            dup = next(x for x in names if names.count(x) > 1)
            raise BudgetingError(f"vote lists project {dup!r} more than once", file, first_line(key))
        if max_len is not None and k > max_len:
            raise BudgetingError(
                f"ballot lists {k} projects, more than the maximum of {max_len}",
                file,
                first_line(key),
            )
        if min_len is not None and k < min_len:
            raise BudgetingError(
                f"ballot lists {k} projects, fewer than the minimum of {min_len}",
                file,
                first_line(key),
            )
        points: tuple[int, ...] | None = None
        if cardinal:
            pts_s = points_s.split(",") if points_s.strip() else []
            if len(pts_s) != k:
                raise BudgetingError(f"vote lists {k} projects but {len(pts_s)} points", file, first_line(key))
            try:
                pts = [int(x) for x in pts_s]
            except ValueError:
                lineno = first_line(key)
                pts = [_whole(x, "points", file, lineno) for x in pts_s]
            err = _points_error(pts, cons, vote_type)
            if err:
                raise BudgetingError(err, file, first_line(key))
            points = tuple(pts)
        if max_cost is not None:
            spent = sum(costs[p] for p in items)
            if spent > max_cost:
                raise BudgetingError(
                    f"ballot costs {spent}, more than the maximum of {_fmt(max_cost)}",
                    file,
                    first_line(key),
                )
        if not ordinal:
            if points is None:
                items.sort()
            else:
                pairs = sorted(zip(items, points, strict=True))
                items = [a for a, _ in pairs]
                points = tuple(b for _, b in pairs)
        ckey = (tuple(items), points)
        if isinstance(gids, int):
            counts[ckey] = counts.get(ckey, 0) + gids
        else:
            have = canonical.get(ckey)
            if have is None:
                canonical[ckey] = gids
            else:
                have.extend(gids)
    ballots: tuple[Ballot, ...]
    if canonical:
        ballots = tuple(
            Ballot(items_t, pts_t, len(gids), tuple(gids) if with_ids else ())
            for (items_t, pts_t), gids in canonical.items()
        )
    else:
        ballots = tuple(Ballot(it, pt, c, ()) for (it, pt), c in counts.items())
    return Profile(vote_type=vote_type, ballots=ballots, constraints=cons)


def _simple_ballots(
    groups: Mapping[object, list[str]] | Mapping[object, int],
    lookup: Callable[[str], int],
    ordinal: bool,
    max_len: int | None,
    min_len: int | None,
) -> tuple[Ballot, ...] | None:
    """The hot loop for the usual case (approval/ordinal vote strings with counts, no voter ids,
    no cost limit).  Returns ``None`` on anything unusual: the general loop then finds and
    locates the problem."""
    counts: dict[tuple[int, ...], int] = {}
    get = counts.get
    hi = max_len if max_len is not None else 1 << 30
    lo = min_len if min_len is not None else 0
    first = next(iter(groups.items()), None)
    if first is not None and not (isinstance(first[0], str) and isinstance(first[1], int)):
        return None
    try:
        for vote_s, cnt in groups.items():
            if not vote_s:
                items: tuple[int, ...] = ()
            elif ordinal:
                items = tuple(map(lookup, vote_s.split(",")))  # type: ignore[attr-defined]
            else:
                items = tuple(sorted(map(lookup, vote_s.split(","))))  # type: ignore[attr-defined]
            k = len(items)
            if k > hi or k < lo or len(set(items)) != k:
                return None
            counts[items] = get(items, 0) + cnt  # type: ignore[operator]
    except KeyError:
        return None
    new = tuple.__new__
    return tuple([new(Ballot, (it, None, c, ())) for it, c in counts.items()])


def _rows_with_lines(body: list[str], first: int, file: str) -> tuple[list[list[str]], list[int]]:
    """csv rows of ``body`` with the (1-based) line each starts on (quoted fields may span lines)."""
    reader = csv.reader(body, delimiter=";")
    rows: list[list[str]] = []
    linenos: list[int] = []
    start = 0
    try:
        for row in reader:
            rows.append(row)
            linenos.append(first + 1 + start)
            start = reader.line_num
    except csv.Error as exc:
        raise BudgetingError(f"cannot read line: {exc}", file, first + reader.line_num) from None
    return rows, linenos


def _items_slow(vote_s: str, index: Mapping[str, int], file: str, lineno: int) -> list[int]:
    items: list[int] = []
    for raw in vote_s.split(","):
        pid = raw.strip()
        p = index.get(pid)
        if p is None:
            what = "an empty project id" if pid == "" else f"unknown project {pid!r}"
            raise BudgetingError(f"vote names {what}", file, lineno)
        items.append(p)
    return items


def _points_error(pts: list[int], cons: BallotConstraints, vote_type: str) -> str | None:
    for x in pts:
        if vote_type == "cumulative" and x < 0:
            return f"negative points ({x}) on a cumulative ballot"
        if cons.max_points is not None and x > cons.max_points:
            return f"{x} points for one project, more than the maximum of {cons.max_points}"
        if cons.min_points is not None and x < cons.min_points:
            return f"{x} points for one project, fewer than the minimum of {cons.min_points}"
    s = sum(pts)
    if cons.max_sum_points is not None and s > cons.max_sum_points:
        return f"ballot gives {s} points in all, more than the maximum of {cons.max_sum_points}"
    if cons.min_sum_points is not None and pts and s < cons.min_sum_points:
        return f"ballot gives {s} points in all, fewer than the minimum of {cons.min_sum_points}"
    return None


# --------------------------------------------------------------------------------------- writing


def _fmt(x: Number) -> str:
    if isinstance(x, int):
        return str(x)
    if x.denominator == 1:
        return str(x.numerator)
    # A decimal with a terminating expansion (as read from a file) is written back as a decimal.
    d = x.denominator
    k = 0
    while d % 10 == 0 or d % 2 == 0 or d % 5 == 0:
        if d % 10 == 0:
            d //= 10
        elif d % 2 == 0:
            d //= 2
        else:
            d //= 5
        k += 1
    if d == 1:
        scaled = x * 10**k
        s = str(abs(scaled.numerator)).rjust(k + 1, "0")
        return ("-" if x < 0 else "") + s[:-k] + "." + s[-k:]
    return str(x)


def pabulib_string(election: Election, selected: Iterable[int] | None = None) -> str:
    """The election as ``.pb`` text.  With ``selected``, the ``selected`` column is set from it."""
    buf = io.StringIO()
    write_pabulib(election, buf, selected=selected)
    return buf.getvalue()


def write_pabulib(
    election: Election,
    dest: str | os.PathLike[str] | IO[str],
    *,
    selected: Iterable[int] | None = None,
) -> None:
    """Write a ``.pb`` file.  ``selected`` (project indices) overrides the ``selected`` flags."""
    if isinstance(dest, str | os.PathLike):
        with open(dest, "w", encoding="utf-8", newline="") as fh:
            _write(election, fh, selected)
    else:
        _write(election, dest, selected)


def _write(election: Election, out: IO[str], selected: Iterable[int] | None) -> None:
    inst, prof = election.instance, election.profile
    w = csv.writer(out, delimiter=";", lineterminator="\n")
    meta = dict(inst.meta)
    meta["budget"] = _fmt(inst.budget)
    meta["vote_type"] = prof.vote_type
    meta["num_projects"] = str(len(inst.projects))
    meta["num_votes"] = str(prof.num_voters)
    out.write("META\n")
    w.writerow(["key", "value"])
    for k, v in meta.items():
        w.writerow([k, v])

    sel = None if selected is None else frozenset(selected)
    ps = inst.projects
    has = {
        "votes": any(p.votes is not None for p in ps),
        "score": any(p.score is not None for p in ps),
        "name": any(p.name for p in ps),
        "category": any(p.categories for p in ps),
        "target": any(p.targets for p in ps),
        "district": any(p.district is not None for p in ps),
        "selected": sel is not None or any(p.selected is not None for p in ps),
    }
    extra_cols: list[str] = []
    for p in ps:
        for k in p.extra:
            if k not in extra_cols:
                extra_cols.append(k)
    cols = ["project_id", "cost"] + [c for c, ok in has.items() if ok] + extra_cols
    out.write("PROJECTS\n")
    w.writerow(cols)
    for i, p in enumerate(ps):
        flag: int | None = (1 if i in sel else 0) if sel is not None else p.selected
        values = {
            "project_id": p.id,
            "cost": str(p.cost),
            "votes": "" if p.votes is None else str(p.votes),
            "score": "" if p.score is None else str(p.score),
            "name": p.name,
            "category": ",".join(p.categories),
            "target": ",".join(p.targets),
            "district": p.district or "",
            "selected": "" if flag is None else str(flag),
        }
        w.writerow([values[c] if c in values else p.extra.get(c, "") for c in cols])

    cardinal = prof.vote_type in _CARDINAL
    attr_cols = list(prof.attribute_columns)
    vcols = ["voter_id", "vote"] + (["points"] if cardinal else []) + attr_cols
    out.write("VOTES\n")
    w.writerow(vcols)
    counter = 0
    for b in prof.ballots:
        vote = ",".join(ps[i].id for i in b.items)
        pts = ",".join(str(x) for x in b.points) if b.points is not None else ""
        ids: Iterable[str]
        if b.voter_ids:
            ids = b.voter_ids
        else:
            ids = [str(counter + j + 1) for j in range(b.multiplicity)]
            counter += b.multiplicity
        for vid in ids:
            row = [vid, vote] + ([pts] if cardinal else [])
            if attr_cols:
                a = prof.voter_attributes.get(vid, {})
                row += [a.get(c, "") for c in attr_cols]
            w.writerow(row)
