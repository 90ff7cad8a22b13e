"""Greedy utilitarian rules, as cities run them.

Definition (the rule most participatory budgets use; pabulib META ``rule`` values ``greedy``,
``greedy-no-skip``, ``greedy-threshold``; Faliszewski et al., "Participatory Budgeting: Data, Tools,
and Analysis", IJCAI 2023, §2 "GreedyAV"/"GreedyCost"; Rey & Maly, "The (Computational) Social
Choice Take on Indivisible Participatory Budgeting", 2023, Def. "Greedy"):

    Order the projects by their score — the number of votes (approval, choose-one), or the points
    they received (cumulative, ordinal ballots scored 3-2-1, …) — from highest to lowest
    (``greedy``), or by score divided by cost (``greedy-cost``, "votes per unit of money").  Go
    down the list with the budget:

    * ``skip`` (the default): fund a project if it fits in what is left of the budget; if it does
      not fit, pass over it and continue with the next one;
    * ``no-skip``: stop at the first project that does not fit (Wrocław: ``greedy-no-skip``).

    Projects whose support is below a minimum threshold (an absolute score, or a percentage of the
    voters) are not considered at all (``greedy-threshold``: Łódź, Warszawa, Katowice, Częstochowa
    publish ``min_project_score_threshold`` in META).

Exactness: scores are integers and the budget an integer or an exact fraction; "score per cost"
is compared by cross-multiplication, so there is no rounding at all (``exact`` makes no difference).

Tie-breaking: projects with the same score (same score per cost) are taken in the tie-breaking
order (default ``lexico``, the project id as a string — pabutools' ``lexico_tie_breaking``); a
tie is reported in ``Outcome.ties`` when its resolution changed who was funded.  Projects of cost
0 come first under ``greedy-cost`` (infinite score per cost), as in pabutools.

Equivalence with pabutools: ``greedy`` is ``greedy_utilitarian_welfare`` with ``Cost_Sat``
(approval) or with a cost-weighted additive satisfaction (points); ``greedy-cost`` is
``greedy_utilitarian_welfare`` with ``Cardinality_Sat`` (approval) or ``Additive_Cardinal_Sat``
(points).  Like pabutools, a project with no support at all can be funded if money is left; pass
``threshold=1`` to exclude such projects.

Ring-fenced sub-budgets (``sub_budgets``, by ``ring_fence="category"`` or ``"district"``): each
pot is spent in turn (in the order given) on the projects of its category/district, with the same
greedy rule; a project in several ring-fenced categories belongs to the first of them that has a
pot.  Then the *general pot* — the budget minus the sub-budgets — is spent on the projects in no
ring-fenced group.  Money left in a sub-budget is treated according to ``leftover``:
``"discard"`` (the default: ring-fencing is strict, the money is not spent) or ``"pool"`` (all
leftovers join the general pot, which is then open to *every* project not yet funded).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from ._explain import money, ordinal, plural
from ._model import (
    BudgetingError,
    Election,
    Number,
    Outcome,
    ProjectExplanation,
    UtilityTable,
)
from ._registry import RuleFn, register
from ._ringfence import pots_for

__all__ = ["GreedyOptions", "greedy"]

_OPTIONS = frozenset({"skip", "threshold", "sub_budgets", "ring_fence", "leftover"})


@dataclass(frozen=True, slots=True)
class GreedyOptions:
    by_cost: bool = False
    skip: bool = True
    threshold: int | Fraction | str | None = None
    sub_budgets: Mapping[str, Number] | None = None
    ring_fence: str | None = None
    leftover: str = "discard"


def _threshold_value(threshold: int | Fraction | str | None, num_voters: int) -> Fraction:
    """Minimum score: an absolute number, or ``"5%"`` of the voters."""
    if threshold is None:
        return Fraction(0)
    if isinstance(threshold, str):
        t = threshold.strip()
        try:
            if t.endswith("%"):
                return Fraction(t[:-1].strip()) * num_voters / 100
            return Fraction(t)
        except (ValueError, ZeroDivisionError):
            raise BudgetingError(f"threshold {threshold!r} is not a number or a percentage") from None
    return Fraction(threshold)


def _score_unit(election: Election, table: UtilityTable) -> tuple[str, str]:
    """How to call the score in sentences: ('vote', 'votes') or ('point', 'points')."""
    if table.scoring in ("approval", "cost"):
        return "vote", "votes"
    return "point", "points"


def greedy(
    election: Election,
    table: UtilityTable,
    ranks: Sequence[int],
    opts: GreedyOptions,
    *,
    rule_name: str = "greedy",
    tie_breaking: str = "lexico",
) -> Outcome:
    """Run the greedy rule on ``table`` (see the module docstring)."""
    m = table.num_projects
    costs = table.costs
    # Score = total utility.  For cost utilities (an approval ballot "worth" the cost), the
    # city's ranking is by number of votes, which is total utility / cost.
    if table.scoring == "cost":
        score = [table.support(p) for p in range(m)]
    else:
        score = [table.total_utility(p) for p in range(m)]
    support = [table.support(p) for p in range(m)]
    num_voters = table.num_voters
    thr = _threshold_value(opts.threshold, num_voters)

    def key(p: int) -> tuple[int, Fraction | float, int]:
        if opts.by_cost:
            dens: Fraction | float = float("inf") if costs[p] == 0 else Fraction(score[p], costs[p])
            return (0, -dens, ranks[p])
        return (0, -score[p], ranks[p])

    order = sorted(range(m), key=key)
    position = {p: i for i, p in enumerate(order)}
    eligible = [score[p] >= thr for p in range(m)]

    # Pots: (label, amount, members) in processing order.
    pots = _pots(election, table, opts)
    selected: list[int] = []
    chosen = [False] * m
    reached_with: dict[int, Number] = {}  # project -> money left in its pot when reached
    pot_of: dict[int, str] = {}
    stopped_at: dict[str, int] = {}  # pot -> project at which no-skip stopped
    spent_total: Number = 0
    ties: list[str] = []
    leftovers: dict[str, Number] = {}
    general_budget = table.budget - sum(amt for _, amt, _ in pots)
    if general_budget < 0:
        raise BudgetingError(
            f"the sub-budgets add up to {money(table.budget - general_budget, '')}, more than "
            f"the budget of {money(table.budget, '')}"
        )
    stages: list[tuple[str, Number, frozenset[int] | None]] = list(pots)
    if pots:
        stages.append(("general", general_budget, None))
    else:
        stages = [("budget", table.budget, None)]
    in_pot = set().union(*(mem for _, _, mem in pots if mem is not None)) if pots else set()
    never_reached: dict[int, int] = {}  # project -> the no-skip stop that kept it from being reached
    for label, amount, members in stages:
        if label == "general":
            if opts.leftover == "pool":
                amount = amount + sum(leftovers.values())
                members_set = None
            else:
                members_set = frozenset(p for p in range(m) if p not in in_pot)
        else:
            members_set = members
        left: Number = amount
        stop: int | None = None
        for p in order:
            if chosen[p] or not eligible[p] or (members_set is not None and p not in members_set):
                continue
            if stop is not None:
                never_reached.setdefault(p, stop)
                continue
            never_reached.pop(p, None)
            reached_with[p] = left
            pot_of[p] = label
            if costs[p] <= left:
                chosen[p] = True
                selected.append(p)
                left -= costs[p]
                spent_total += costs[p]
            elif not opts.skip:
                stop = p
                stopped_at[label] = p
        leftovers[label] = left
    for p in list(never_reached):
        if p in reached_with:  # reached later, in the pooled general pot
            del never_reached[p]

    ties = _ties(order, key, chosen, reached_with, table, election, tie_breaking, opts.by_cost)
    unit1, unit_n = _score_unit(election, table)
    explanations = _explain(
        election,
        table,
        order,
        position,
        score,
        support,
        eligible,
        thr,
        chosen,
        reached_with,
        pot_of,
        never_reached,
        opts,
        (unit1, unit_n),
    )
    details: dict[str, object] = {
        "tie_breaking": tie_breaking,
        "scoring": table.scoring,
        "skip": opts.skip,
        "threshold": thr,
        "ranking": tuple(order),
        "scores": tuple(score),
        "leftover": dict(leftovers),
        "unspent": table.budget - spent_total,
    }
    if pots:
        details["pots"] = {label: amt for label, amt, _ in pots}
    return Outcome(
        rule=rule_name,
        selected=tuple(selected),
        total_cost=spent_total,
        ties=tuple(ties),
        explanations=explanations,
        payments=None,
        details=details,
    )


def _pots(
    election: Election, table: UtilityTable, opts: GreedyOptions
) -> list[tuple[str, Number, frozenset[int] | None]]:
    """The ring-fenced pots (same rules as :mod:`._ringfence`, which other rules use)."""
    if not opts.sub_budgets:
        if opts.ring_fence is not None:
            raise BudgetingError("ring-fencing needs sub-budgets (e.g. 'Green=250000')")
        return []
    if opts.leftover not in ("discard", "pool"):
        raise BudgetingError(f"leftover must be 'discard' or 'pool', not {opts.leftover!r}")
    return [
        (label, amount, frozenset(members))
        for label, amount, members in pots_for(election, opts.sub_budgets, opts.ring_fence)
    ]


def _ties(
    order: list[int],
    key: Callable[[int], tuple[int, object, int]],
    chosen: list[bool],
    reached_with: Mapping[int, Number],
    table: UtilityTable,
    election: Election,
    tie_breaking: str,
    by_cost: bool,
) -> list[str]:
    """Report each group of equally ranked projects whose order changed who was funded."""
    k = key
    ties: list[str] = []
    i = 0
    projects = election.instance.projects
    while i < len(order):
        j = i
        while j + 1 < len(order) and k(order[j + 1])[:2] == k(order[i])[:2]:
            j += 1
        if j > i:
            group = order[i : j + 1]
            fates = {chosen[p] for p in group if p in reached_with}
            reached = [p for p in group if p in reached_with]
            if len(fates) > 1 or 0 < len(reached) < len(group):
                names = ", ".join(f"{projects[p].label} ({projects[p].id})" for p in group)
                what = "score per cost" if by_cost else "score"
                ties.append(
                    f"{names} had the same {what}; they were taken in {tie_breaking} "
                    f"tie-breaking order ({', '.join(projects[p].id for p in group)})"
                )
        i = j + 1
    return ties


def _explain(
    election: Election,
    table: UtilityTable,
    order: list[int],
    position: Mapping[int, int],
    score: list[int],
    support: list[int],
    eligible: list[bool],
    thr: Fraction,
    chosen: list[bool],
    reached_with: Mapping[int, Number],
    pot_of: Mapping[int, str],
    never_reached: Mapping[int, int],
    opts: GreedyOptions,
    units: tuple[str, str],
) -> dict[int, ProjectExplanation]:
    cur = election.instance.currency
    projects = election.instance.projects
    out: dict[int, ProjectExplanation] = {}
    for p in range(table.num_projects):
        cost = table.costs[p]
        s = score[p]
        rank = position[p] + 1
        had = plural(s, *units)
        if opts.by_cost:
            per = "free" if cost == 0 else f"{float(Fraction(s * 1000, cost)):,.2f} per 1,000"
            ranked = f"It ranked {ordinal(rank)} by {units[1]} per cost, with {had} ({per})."
        else:
            ranked = f"It ranked {ordinal(rank)} with {had}."
        data: dict[str, object] = {
            "rank": rank,
            "score": s,
            "supporters": support[p],
            "cost": cost,
        }
        pot = pot_of.get(p)
        where = "" if pot in (None, "budget", "general") else f" in the {pot} budget"
        if pot is not None:
            data["pot"] = pot
        if not eligible[p]:
            need = _fmt_threshold(thr)
            text = (
                f"{ranked} That is below the minimum of {need} {units[1]} a project needed, so it was not considered."
            )
            out[p] = ProjectExplanation(False, text, data)
            continue
        if p not in reached_with:
            stop = never_reached.get(p)
            if stop is not None:
                text = (
                    f"{ranked} Counting stopped at {projects[stop].label} (ranked "
                    f"{ordinal(position[stop] + 1)}), the first project that did not fit, so this "
                    "project was never reached."
                )
            else:
                text = f"{ranked} It was in no budget pot that was spent, so it was not funded."
            out[p] = ProjectExplanation(False, text, data)
            continue
        left = reached_with[p]
        data["money_left_when_reached"] = left
        if chosen[p]:
            text = (
                f"{ranked} When it was reached, {money(left, cur)} was left{where}; it cost "
                f"{money(cost, cur)}, so it was funded, leaving {money(left - cost, cur)}."
            )
        else:
            text = (
                f"{ranked} When it was reached, {money(left, cur)} was left{where}; it cost "
                f"{money(cost, cur)}, so it did not fit" + (" and counting stopped here." if not opts.skip else ".")
            )
        out[p] = ProjectExplanation(chosen[p], text, data)
    return out


def _fmt_threshold(thr: Fraction) -> str:
    if thr.denominator == 1:
        return f"{thr.numerator:,}"
    return f"{float(thr):,.2f}"


def _rule(by_cost: bool, name: str) -> RuleFn:
    def run(
        election: Election,
        table: UtilityTable,
        *,
        completion: str | None,
        exact: bool,
        tie_breaking: str,
        ranks: tuple[int, ...],
        options: Mapping[str, object],
    ) -> Outcome:
        unknown = set(options) - _OPTIONS
        if unknown:
            raise BudgetingError(
                f"rule {name!r} has no option {sorted(unknown)[0]!r} (options: {', '.join(sorted(_OPTIONS))})"
            )
        opts = GreedyOptions(
            by_cost=by_cost,
            skip=bool(options.get("skip", True)),
            threshold=options.get("threshold"),  # type: ignore[arg-type]
            sub_budgets=options.get("sub_budgets"),  # type: ignore[arg-type]
            ring_fence=options.get("ring_fence"),  # type: ignore[arg-type]
            leftover=str(options.get("leftover", "discard")),
        )
        return greedy(election, table, ranks, opts, rule_name=name, tie_breaking=tie_breaking)

    return run


register(
    "greedy",
    _rule(False, "greedy"),
    summary="greedy by votes (points): fund the most supported projects that fit",
    ring_fence_native=True,
)
register(
    "greedy-cost",
    _rule(True, "greedy-cost"),
    summary="greedy by votes (points) per unit of cost",
    ring_fence_native=True,
)
