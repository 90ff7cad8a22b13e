"""Typed access to the optional C reader ``_cvotes`` (see ``_cvotes.c``).

:func:`tally` and :func:`table` return ``None`` whenever the C module is not built or the input is
not the usual case; the callers then do the work in Python, which is also where every error is
found and located.  Both give exactly what the Python code gives.
"""

from __future__ import annotations

import importlib
from itertools import chain
from typing import Protocol, cast

import numpy as np
import numpy.typing as npt

from ._model import Ballot

__all__ = ["available", "flat_int64", "table", "tally"]


class _Module(Protocol):
    def tally(
        self,
        body: bytes | memoryview,
        ids: list[str],
        exact_fields: bool,
        vote_col: int,
        ordinal: bool,
        min_len: int,
        max_len: int,
        ballot_type: type,
        /,
    ) -> tuple[Ballot, ...] | None: ...

    def flat(self, rows: tuple[tuple[int, ...], ...], /) -> bytes | None: ...

    def table(
        self, ballots: tuple[Ballot, ...], m: int, mode: int, costs: tuple[int, ...], top: int, /
    ) -> tuple[tuple[tuple[int, ...], ...], tuple[tuple[int, ...], ...]] | None: ...


def _load() -> _Module | None:
    try:
        return cast(_Module, importlib.import_module("coopgov.budgeting._cvotes"))
    except ImportError:
        return None


_C = _load()

TABLE_MODES = {"approval": 0, "cost": 1, "positional": 2, "borda": 3, "krakow-321": 4}
"""Scorings :func:`table` builds, by its mode number."""


def available() -> bool:
    """Whether the C reader was built."""
    return _C is not None


def tally(
    body: str | bytes | memoryview,
    ids: list[str],
    *,
    vote_col: int,
    exact_fields: bool,
    ordinal: bool,
    min_len: int | None,
    max_len: int | None,
) -> tuple[Ballot, ...] | None:
    """The grouped ballots of the VOTES rows ``body`` (no header, no quotes, no blank row), as
    :func:`._pabulib._simple_ballots` makes them; ``None`` if C is not there or a row is unusual.

    The vote is field ``vote_col``; each row needs that many fields before it at least (exactly
    the vote's, as the last field, with ``exact_fields``)."""
    if _C is None:
        return None
    return _C.tally(
        body.encode("utf-8") if isinstance(body, str) else body,
        ids,
        exact_fields,
        vote_col,
        ordinal,
        0 if min_len is None else min_len,
        -1 if max_len is None else max_len,
        Ballot,
    )


def table(
    ballots: tuple[Ballot, ...], m: int, scoring: str, costs: tuple[int, ...], top: int
) -> tuple[tuple[tuple[int, ...], ...], tuple[tuple[int, ...], ...]] | None:
    """``(supporters, utilities)`` of :meth:`._model.Election.utilities` for ``scoring`` (one of
    :data:`TABLE_MODES`; ``top`` is the fixed scale of ``krakow-321``), or ``None``."""
    if _C is None or scoring not in TABLE_MODES:
        return None
    return _C.table(ballots, m, TABLE_MODES[scoring], costs, top)


def flat_int64(rows: tuple[tuple[int, ...], ...]) -> npt.NDArray[np.int64]:
    """The numbers of ``rows``, one row after another, as one int64 array (read-only when made
    in C).  Raises ``OverflowError`` for a number that does not fit."""
    if _C is not None:
        data = _C.flat(rows)
        if data is not None:
            return np.frombuffer(data, dtype=np.int64)
    return np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=sum(map(len, rows)))
