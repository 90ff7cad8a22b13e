"""The inner loop of sequential Phragmén for participatory budgets, exact and fast.

Definition (Phragmén 1894; for budgets: Los, Christoff & Grossi, "Proportional budget
allocations: towards a systematization", IJCAI 2022; pabutools ``sequential_phragmen``):

    Voters earn virtual money continuously, at the same rate, starting from a *load* of 0.  A
    project is bought as soon as its supporters together hold its cost; the supporters spend all
    they hold, so their loads become equal.  Equivalently, in each round the project p minimising

        t(p) = (sum_{i supports p} load_i + cost(p)) / (number of supporters of p)

    is selected and every supporter's load is set to t(p).  The rule *stops* -- it does not skip
    -- as soon as one of the projects minimising t(p) would exceed the budget.

As in pabutools 1.2.3: projects dearer than the whole budget never take part; a project nobody
approves has t = infinity (so such projects are bought, in tie-breaking order, only when every
remaining one of them fits); ties in t go to the project first in the tie-breaking order.

Exactness: a voter's load is always 0 or t(k) of the last selected project k it supports, so
the state is an integer per group plus the exact t(k) of each selected project (Fractions).  Fast
mode screens candidates in floating point (loads are correctly rounded floats of exact values)
and evaluates exactly every candidate within a relative margin ``TOL`` of the minimum.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from ._mes_engine import TOL
from ._model import UtilityTable

__all__ = ["PhragmenRound", "PhragmenRun", "run_phragmen"]

IntArray = npt.NDArray[np.int64]


@dataclass(slots=True)
class PhragmenRound:
    project: int
    load: Fraction  # the supporters' common load after the purchase
    previous: IntArray  # per supporter: index into ``loads`` of its load before (0: none)
    tied_with: tuple[int, ...] = ()


@dataclass(slots=True)
class PhragmenRun:
    selected: list[int] = field(default_factory=list)
    rounds: list[PhragmenRound] = field(default_factory=list)
    loads: list[Fraction] = field(default_factory=list)  # index 0 is the initial load 0
    last: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    stopped_by: tuple[int, ...] = ()  # the tied projects that did not fit, if the rule stopped
    stop_value: Fraction | None = None
    exact_checks: int = 0


def run_phragmen(table: UtilityTable, ranks: tuple[int, ...], *, exact: bool) -> PhragmenRun:
    budget = Fraction(table.budget)
    costs = table.costs
    weights = np.asarray(table.voter_weights, dtype=np.int64)
    sups = [np.asarray(s, dtype=np.int64) for s in table.supporters]
    score = [int(weights[s].sum()) if len(s) else 0 for s in sups]
    wfs = [weights[s].astype(np.float64) for s in sups]
    remaining = {p for p in range(table.num_projects) if costs[p] <= budget}
    last = np.zeros(table.num_groups, dtype=np.int64)  # index into loads
    loads: list[Fraction] = [Fraction(0)]
    loads_f = [0.0]
    changed = np.full(table.num_groups, -1, dtype=np.int64)
    run = PhragmenRun()
    spent = Fraction(0)

    def exact_t(p: int) -> Fraction:
        run.exact_checks += 1
        counts = np.bincount(last[sups[p]], weights=wfs[p])
        total = sum(
            (loads[k] * round(float(counts[k])) for k in np.flatnonzero(counts).tolist()),
            Fraction(0),
        )
        return (total + costs[p]) / score[p]

    def float_t(p: int) -> float:
        lf = np.asarray(loads_f, dtype=np.float64)
        return (float((wfs[p] * lf[last[sups[p]]]).sum()) + costs[p]) / score[p]

    val_x: dict[int, Fraction] = {}
    val_f: dict[int, float] = {}
    computed: dict[int, int] = {}
    finite = {p for p in remaining if score[p] > 0}
    for p in finite:
        val_x[p] = Fraction(costs[p], score[p])
        val_f[p] = costs[p] / score[p]
        computed[p] = 0  # exact at the start: all loads are 0
    rnd = 0
    while remaining:
        live = [p for p in remaining if p in finite]
        tied: list[int]
        t: Fraction | None
        if live:
            fresh: dict[int, float] = {}
            best: float | None = None
            key = (lambda q: val_x[q]) if exact else (lambda q: val_f[q])
            for p in sorted(live, key=key):
                bound = float(val_x[p]) if exact else val_f[p]
                if best is not None and bound > best * (1.0 + TOL):
                    break
                if int(changed[sups[p]].max()) >= computed[p]:
                    if exact:
                        val_x[p] = exact_t(p)
                        val_f[p] = float(val_x[p])
                    else:
                        val_f[p] = float_t(p)
                    computed[p] = rnd
                fresh[p] = val_f[p]
                if best is None or val_f[p] < best:
                    best = val_f[p]
            assert best is not None
            near = [p for p, v in fresh.items() if v <= best * (1.0 + TOL)]
            exact_vals = {p: (val_x[p] if exact else exact_t(p)) for p in near}
            val_x.update(exact_vals)
            t = min(exact_vals.values())
            tied = sorted((p for p, v in exact_vals.items() if v == t), key=lambda q: ranks[q])
        else:
            t = None
            tied = sorted(remaining, key=lambda q: ranks[q])
        if any(spent + costs[p] > budget for p in tied):
            run.stopped_by = tuple(p for p in tied if spent + costs[p] > budget)
            run.stop_value = t
            break
        chosen = tied[0]
        sup = sups[chosen]
        if t is not None:
            loads.append(t)
            loads_f.append(float(t))
            idx = len(loads) - 1
            prev = last[sup].copy()
            last[sup] = idx
            changed[sup] = rnd
        else:
            prev = np.zeros(0, dtype=np.int64)
        run.rounds.append(
            PhragmenRound(
                project=chosen,
                load=t if t is not None else Fraction(0),
                previous=prev,
                tied_with=tuple(tied[1:]),
            )
        )
        run.selected.append(chosen)
        spent += costs[chosen]
        remaining.discard(chosen)
        rnd += 1
    run.loads = loads
    run.last = last
    return run
