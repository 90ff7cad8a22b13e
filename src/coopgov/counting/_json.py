"""Ballots as JSON.

Schema (all keys except ``candidates`` and ``ballots`` optional)::

    {
      "title": "Board election 2026",
      "seats": 3,
      "candidates": ["Alice", "Bob", "Carol", "Dan"],
      "withdrawn": ["Dan"],
      "ballots": [
        {"ranking": ["Alice", "Bob"], "count": 12},
        {"ranking": [2, 1]},
        ["Carol", "Alice"]
      ]
    }

A ranking lists candidates by name or by 1-based number, most preferred first; a ballot is an
object with ``ranking`` and an optional ``count`` (default 1), or just the ranking.  An inner
list (``["Alice", ["Bob", "Carol"]]``) marks candidates ranked equal: the usable sequence ends
there, as it does at a repeated candidate.
"""

from __future__ import annotations

import json

from coopgov.counting._errors import decode, read_bytes
from coopgov.counting._model import CountingError, Profile

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from os import PathLike
    from typing import Any

__all__ = ["parse_json", "read_json"]

_CUT = -1


def read_json(path: str | PathLike[str], *, seats: int | None = None, name: str | None = None) -> Profile:
    source = name if name is not None else str(path)
    data = read_bytes(path, source)
    return parse_json(data, source=source, seats=seats)


def parse_json(data: bytes | str, *, source: str = "<json>", seats: int | None = None) -> Profile:
    """Parse the JSON schema above; ``seats`` (if given) overrides the file's."""
    text = decode(data, source) if isinstance(data, bytes) else data
    if not text.strip():
        raise CountingError("the file is empty", source)
    try:
        doc: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CountingError(f"not valid JSON: {exc.msg}", source, exc.lineno) from None
    if not isinstance(doc, dict):
        raise CountingError("the top level must be an object with candidates and ballots", source)

    def fail(field: str, msg: str) -> CountingError:
        return CountingError(f"{field}: {msg}", source)

    cands = doc.get("candidates")
    if not isinstance(cands, list) or not cands or not all(isinstance(c, str) for c in cands):
        raise fail("candidates", "must be a non-empty list of names")
    names = [" ".join(c.split()) for c in cands]
    if len(set(names)) != len(names):
        raise fail("candidates", "two candidates have the same name")
    index = {n: i for i, n in enumerate(names)}

    def ident(v: Any, field: str) -> int:
        if isinstance(v, str) and " ".join(v.split()) in index:
            return index[" ".join(v.split())]
        if isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= len(names):
            return v - 1
        raise fail(field, f"unknown candidate {v!r}")

    title = doc.get("title", "")
    if not isinstance(title, str):
        raise fail("title", "must be a string")
    if seats is None:
        seats = doc.get("seats")
        if seats is None:
            raise fail("seats", "missing (or give --seats N)")
    if not isinstance(seats, int) or isinstance(seats, bool) or seats < 1:
        raise fail("seats", "must be a whole number of at least 1")
    wd_raw = doc.get("withdrawn", [])
    if not isinstance(wd_raw, list):
        raise fail("withdrawn", "must be a list")
    withdrawn = {ident(v, f"withdrawn[{k}]") for k, v in enumerate(wd_raw)}
    standing = len(names) - len(withdrawn)
    if seats >= standing:
        raise fail("seats", f"{seats} seat(s) but only {standing} candidate(s) standing")
    ballots = doc.get("ballots")
    if not isinstance(ballots, list) or not ballots:
        raise fail("ballots", "must be a non-empty list")
    rankings: list[list[int]] = []
    weights: list[int] = []
    for k, b in enumerate(ballots):
        field = f"ballots[{k}]"
        count = 1
        if isinstance(b, dict):
            raw = b.get("ranking")
            count = b.get("count", 1)
            if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                raise fail(f"{field}.count", "must be a whole number")
            field += ".ranking"
        else:
            raw = b
        if not isinstance(raw, list):
            raise fail(field, "must be a list of candidates")
        ranking: list[int] = []
        for j, v in enumerate(raw):
            if isinstance(v, list):
                for u in v:
                    ident(u, f"{field}[{j}]")
                ranking.append(_CUT)
                break
            ranking.append(ident(v, f"{field}[{j}]"))
        rankings.append(ranking)
        weights.append(count)
    notes = ["withdrawn before the count: " + "; ".join(names[c] for c in sorted(withdrawn))] if withdrawn else []
    return Profile.from_ballots(names, seats, rankings, weights, title=title, withdrawn=withdrawn, notes=notes)
