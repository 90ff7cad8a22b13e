"""Lean Method of Equal Shares runs for the add1 completion: which projects, nothing else.

The add1 loop (:func:`.mes._add1`) needs, for each virtual budget, only the projects MES would
select; the payments and explanations are needed for the one run it returns.  :class:`LeanMes`
does those runs with the optional C kernel ``_cmes`` (built with the package when a C compiler
is there; see ``_cmes.c``), which refuses every close call: it returns ``None`` and the caller
runs the exact-checked engine (:func:`._mes_engine.run_mes`) for that budget instead.  Without
the kernel :meth:`LeanMes.create` returns ``None`` and the add1 loop uses the engine alone.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Protocol, cast

import numpy as np
import numpy.typing as npt

from ._mes_engine import TOL, MesProblem

__all__ = ["LeanMes", "kernel"]


class _Kernel(Protocol):
    def scan(
        self,
        indptr: npt.NDArray[np.int64],
        sup: npt.NDArray[np.int64],
        util: npt.NDArray[np.float64],
        weight: npt.NDArray[np.float64],
        cost: npt.NDArray[np.float64],
        rank: npt.NDArray[np.int64],
        start: float,
        step: float,
        count: int,
        previous: npt.NDArray[np.int64],
        has_previous: bool,
        tol: float,
        integral: bool,
        gallop: bool = False,
        stop_budget: float = -1.0,
        /,
    ) -> tuple[int, int, list[int] | None, int, int]: ...


def kernel() -> _Kernel | None:
    """The compiled kernel, or ``None`` if the package was installed without it."""
    try:
        module: ModuleType = importlib.import_module("coopgov.budgeting._cmes")
    except ImportError:
        return None
    return cast(_Kernel, module)


class LeanMes:
    """A :class:`MesProblem` laid out for the kernel."""

    def __init__(self, prob: MesProblem, k: _Kernel) -> None:
        self._kernel = k
        self._free = list(prob.free)
        cands = list(prob.candidates)
        self._cands = cands
        self._position = {p: i for i, p in enumerate(cands)}
        parts = [prob.projects[p] for p in cands]
        lengths = [len(pr.sup) for pr in parts]
        self._indptr = np.zeros(len(cands) + 1, dtype=np.int64)
        np.cumsum(lengths, out=self._indptr[1:])
        self._sup = np.ascontiguousarray(
            np.concatenate([pr.sup for pr in parts]) if parts else np.zeros(0, dtype=np.int64), dtype=np.int64
        )
        self._util = np.ascontiguousarray(
            np.concatenate([pr.uf for pr in parts]) if parts else np.zeros(0), dtype=np.float64
        )
        self._weight = np.ascontiguousarray(prob.weights, dtype=np.float64)
        self._cost = np.asarray([float(prob.costs[p]) for p in cands], dtype=np.float64)
        self._rank = np.asarray([prob.ranks[p] for p in cands], dtype=np.int64)
        # exact ties can be settled in the kernel when every number is an integer it can hold
        # (exact in a double below 2**53; cost * sum of w u then stays below 2**127, the kernel's
        # 128-bit products, while the voters times the largest utility stay below 2**73)
        big = float(1 << 53)
        max_util = float(self._util.max()) if len(self._util) else 0.0
        self._integral = (
            all(isinstance(prob.costs[p], int) and 0 < prob.costs[p] < big for p in cands)
            and bool(np.all(self._util < big))
            and bool(np.all(self._weight < big))
            and float(self._weight.sum()) * max_util < float(1 << 73)
        )

    @classmethod
    def create(cls, prob: MesProblem) -> LeanMes | None:
        k = kernel()
        return None if k is None else cls(prob, k)

    def selected(self, per_voter: float, *, refuse_ties: bool = False) -> list[int] | None:
        """The projects MES selects at this budget per voter, in order (free projects first), or
        ``None`` if a decision was too close to call in floating point, or, with
        ``refuse_ties``, if the run broke an exact tie (the engine's run then reports it)."""
        _, close, picked, ties, _ = self._scan(per_voter, 0.0, 1, None)
        if close or (ties and refuse_ties) or picked is None:
            return None
        return self._free + picked

    def next_change(
        self, start: float, step: float, count: int, previous: list[int]
    ) -> tuple[int, list[int] | None, int]:
        """Find the first ``i`` in ``0, 1, ..., count - 1`` whose MES run at ``start + i * step``
        does not select ``previous`` (project indices, as :meth:`selected` gives them): returns
        ``i``, that outcome (``None`` if the run met a close call: the caller decides it with the
        engine) and how many runs the kernel computed; ``(count, previous, runs)`` if every
        budget repeats ``previous``.  The kernel jumps over budgets it certifies repeat the
        outcome (see ``certify_round`` in ``_cmes.c``), so it computes far fewer than ``i``."""
        prev = self._local(previous)
        i, close, picked, _, runs = self._scan(start, step, count, prev, gallop=True)
        if picked is None:
            return i, previous, runs
        return i, None if close else self._free + picked, runs

    def next_stop(
        self, start: float, step: float, count: int, previous: list[int], budget: float
    ) -> tuple[int, list[int] | None, int]:
        """Like :meth:`next_change`, but passing over the changes that cannot stop the add1 loop
        with real budget ``budget``: returns the first ``i`` whose outcome differs from the one
        before it and might stop the loop (it costs more than ``budget``, or no other candidate
        fits in what is left; exact with integer costs and budget, else judged with a margin, so
        the caller decides exactly, and goes on from ``i + 1`` if it does not).  The outcome is
        ``None`` if its run met a close call or broke an exact tie: the caller runs the engine
        there, which decides or reports it.  ``(count, None, runs)`` if no increment stops."""
        prev = self._local(previous)
        i, close, picked, ties, runs = self._scan(start, step, count, prev, gallop=True, stop_budget=budget)
        if picked is None or close or ties:
            return i, None, runs
        return i, self._free + picked, runs

    def _local(self, selected: list[int]) -> list[int] | None:
        """``selected`` as candidate positions, or ``None`` if it is not free projects followed by
        candidates (then it matches no kernel run)."""
        nfree = len(self._free)
        if selected[:nfree] != self._free:
            return None
        pos = self._position
        try:
            return [pos[p] for p in selected[nfree:]]
        except KeyError:
            return None

    def _scan(
        self,
        start: float,
        step: float,
        count: int,
        previous: list[int] | None,
        *,
        gallop: bool = False,
        stop_budget: float = -1.0,
    ) -> tuple[int, int, list[int] | None, int, int]:
        prev = np.asarray(previous if previous is not None else [], dtype=np.int64)
        i, close, picked, ties, runs = self._kernel.scan(
            self._indptr,
            self._sup,
            self._util,
            self._weight,
            self._cost,
            self._rank,
            start,
            step,
            count,
            prev,
            previous is not None,
            TOL,
            self._integral,
            gallop,
            stop_budget,
        )
        cands = self._cands
        return i, close, None if picked is None else [cands[k] for k in picked], ties, runs
