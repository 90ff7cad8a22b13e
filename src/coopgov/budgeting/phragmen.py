"""Sequential Phragmén for participatory budgets.

Definition: Phragmén (1894); for budgets, Los, Christoff & Grossi (IJCAI 2022) and pabutools
1.2.3 ``sequential_phragmen`` (the oracle the tests compare with).  Voters earn virtual money at
the same rate; a project is bought as soon as its supporters hold its cost, and they spend all
they hold (their *loads* become equal).  In each round the project minimising

    t(p) = (sum of its supporters' loads + cost(p)) / number of its supporters

is bought and its supporters' loads are set to t(p).  The rule **stops** when one of the
projects minimising t(p) does not fit in what is left of the budget (it does not skip).  Projects
costing more than the budget never take part; ties go to the project first in the tie-breaking
order (pabutools' ``lexico_tie_breaking``: project id as a string).  The inner loop, exact and
fast, is in :mod:`._phragmen_engine`.

Phragmén is defined for approval ballots; on other ballots coopgov counts every project on a
ballot as approved (scoring ``approval``).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import numpy as np

from ._mes_lazy import LazyMap
from ._model import (
    Amount,
    BudgetingError,
    Election,
    Outcome,
    ProjectExplanation,
    UtilityTable,
    tie_ranks,
)
from ._phragmen_engine import run_phragmen
from ._registry import register

__all__ = ["sequential_phragmen"]


def _money(x: Amount, currency: str) -> str:
    text = f"{float(x):,.2f}"
    if text.endswith(".00"):
        text = text[:-3]
    return f"{text} {currency}".strip()


def sequential_phragmen(
    table: UtilityTable,
    *,
    exact: bool = False,
    ranks: tuple[int, ...] | None = None,
    election: Election | None = None,
    tie_breaking: str = "lexico",
) -> Outcome:
    """Sequential Phragmén on ``table`` (supporters count as approvals)."""
    if ranks is None:
        ranks = tie_ranks(table, tie_breaking)
    run = run_phragmen(table, ranks, exact=exact)
    ids = table.project_ids
    currency = election.instance.currency if election is not None else ""
    budget = Fraction(table.budget)
    selected = tuple(run.selected)
    total_cost = sum(table.costs[p] for p in selected)
    ties = [
        f"round {i}: {ids[r.project]} tied with {', '.join(ids[q] for q in r.tied_with)} at "
        f"load {r.load}; {ids[r.project]} chosen by the tie-breaking order ({tie_breaking})"
        for i, r in enumerate(run.rounds, 1)
        if r.tied_with
    ]
    round_of = {r.project: (i, r) for i, r in enumerate(run.rounds, 1)}
    spent_before: dict[int, Fraction] = {}
    acc = Fraction(0)
    for r in run.rounds:
        spent_before[r.project] = acc
        acc += table.costs[r.project]
    details: dict[str, object] = {
        "scoring": table.scoring,
        "exact": exact,
        "tie_breaking": tie_breaking,
        "exact_checks": run.exact_checks,
        "stopped_by": tuple(ids[p] for p in run.stopped_by),
        "stop_load": run.stop_value,
    }

    def explain(p: int) -> ProjectExplanation:
        cost = table.costs[p]
        n = table.support(p)
        data: dict[str, object] = {"cost": cost, "supporters": n}
        if p in round_of:
            i, r = round_of[p]
            data.update({"round": i, "load": r.load if exact else float(r.load)})
            return ProjectExplanation(
                True,
                f"Funded in round {i}: its {n:,} supporters together had earned enough virtual "
                f"money to pay its cost of {_money(cost, currency)}; afterwards each of them had "
                f"spent {_money(r.load, currency)} in total.",
                data,
            )
        if cost > budget:
            return ProjectExplanation(
                False, f"Not funded: it costs more than the whole budget ({_money(budget, currency)}).", data
            )
        if p in run.stopped_by:
            return ProjectExplanation(
                False,
                f"Not funded: it was next in line, but its cost of {_money(cost, currency)} did "
                f"not fit in the {_money(budget - acc, currency)} left, so the rule stopped.",
                data,
            )
        if n == 0:
            return ProjectExplanation(False, "Not funded: nobody voted for it.", data)
        return ProjectExplanation(
            False,
            f"Not funded: the rule stopped before its {n:,} supporters had earned enough to "
            f"pay its cost of {_money(cost, currency)}.",
            data,
        )

    def payments_of(g: int) -> Mapping[int, Amount]:
        out: dict[int, Amount] = {}
        for r in run.rounds:
            sup = np.asarray(table.supporters[r.project], dtype=np.int64)
            j = int(np.searchsorted(sup, g))
            if len(r.previous) and j < len(sup) and int(sup[j]) == g:
                amount = r.load - run.loads[int(r.previous[j])]
                if amount:
                    out[r.project] = amount
        return out

    return Outcome(
        rule="phragmen",
        selected=selected,
        total_cost=total_cost,
        ties=tuple(ties),
        explanations=LazyMap(tuple(range(table.num_projects)), explain),
        payments=LazyMap(tuple(range(table.num_groups)), payments_of),
        details=details,
    )


def _rule(
    election: Election,
    table: UtilityTable,
    *,
    completion: str | None,
    exact: bool,
    tie_breaking: str,
    ranks: tuple[int, ...],
    options: Mapping[str, object],
) -> Outcome:
    if options:
        raise BudgetingError(f"rule 'phragmen' has no option {next(iter(options))!r}")
    return sequential_phragmen(table, exact=exact, ranks=ranks, election=election, tie_breaking=tie_breaking)


register(
    "phragmen",
    _rule,
    default_scoring=lambda e: "approval",
    completions=(None,),
    summary="sequential Phragmén (stops at the first project that does not fit)",
)
