"""Method of Equal Shares (MES) for participatory budgets, with its completion methods.

Definitions
-----------
*Method of Equal Shares* -- Peters, Pierczyński & Skowron, "Proportional participatory budgeting
with additive utilities" (NeurIPS 2021), Definition 4.1; Peters & Skowron (EC 2020) "Rule X";
https://equalshares.net/explanation.  The budget B is split equally: each of the n voters gets
B / n.  Repeatedly, the project that can be paid for by its supporters with the smallest
*price per unit of utility* rho is funded: a supporter i with utility u_i pays
min(b_i, rho * u_i), the supporters together paying exactly its cost.  It stops when no project's
supporters have its cost left.  The inner loop is in :mod:`._mes_engine`.  Utilities are those of
the :class:`~coopgov.budgeting.UtilityTable` given: ``cost`` (u = cost, pabutools ``Cost_Sat``, the
equalshares.net default for approval ballots), ``approval`` (u = 1, ``Cardinality_Sat``),
``points`` (cumulative ballots, ``Additive_Cardinal_Sat``), ``krakow-321``/``borda`` (ordinal).

This module follows pabutools 1.2.3 (``pabutools.rules.mes.mes_rule``) to the letter, which is
the oracle the tests compare with:

* budget per voter = budget / number of voters, voters with identical ballots counted with their
  multiplicity (``frac(instance.budget_limit, profile.num_ballots())``);
* ties in rho go to the project first in the tie-breaking order (pabutools'
  ``lexico_tie_breaking``: the project id compared as a string); every tie is reported;
* projects of cost 0 with a supporter are funded first; unsupported projects never take part.

Completions (``completion=``)
-----------------------------
``None``
    Plain MES: usually leaves part of the budget unspent.
``"utilitarian"``
    pabutools ``completion_by_rule_combination([method_of_equal_shares,
    greedy_utilitarian_welfare])``: after MES, the remaining projects are taken in decreasing
    order of total utility per unit of cost (the number of votes, with cost utilities), ties by
    the tie-breaking order, each added if it still fits ("skip" greedy).
``"add1"``
    pabutools ``method_of_equal_shares(voter_budget_increment=1)`` (equalshares.net "Add1"):
    MES is rerun with every voter's virtual budget raised by one unit of currency (option
    ``increment``) until its outcome is *exhaustive* (no other supported project fits in the real
    budget) -- that outcome is returned -- or its cost exceeds the real budget -- then the
    previous (last affordable) outcome is returned.
``"add1-utilitarian"``
    add1, then the utilitarian greedy completion (equalshares.net "add1u").
``"add1-compare"``
    add1, then the *comparison step* used by Wieliczka and Świecie (equalshares.net compute
    tool, ``comparisonStep`` with comparison "satisfaction", equalshares.net/implementation):
    the add1 outcome is compared with the outcome of the greedy rule from scratch (by total
    utility per cost, i.e. by votes with cost utilities, skipping projects that do not fit); every
    voter prefers the outcome funding more of the projects they voted for; the greedy outcome
    is used only if *strictly more* voters prefer it.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import cast

import numpy as np

from ._mes_engine import MesProblem, MesRun, repeats_between, run_mes
from ._mes_lazy import LazyMap
from ._mes_lean import LeanMes
from ._model import (
    Amount,
    BudgetingError,
    Election,
    Number,
    Outcome,
    ProjectExplanation,
    UtilityTable,
    tie_ranks,
)
from ._registry import register

__all__ = [
    "COMPLETIONS",
    "comparison_step",
    "equal_shares",
    "greedy_completion",
    "is_exhaustive",
]

COMPLETIONS: tuple[str | None, ...] = (
    None,
    "utilitarian",
    "add1",
    "add1-utilitarian",
    "add1-compare",
)


def greedy_completion(table: UtilityTable, ranks: tuple[int, ...], selected: list[int]) -> tuple[list[int], list[str]]:
    """pabutools ``greedy_utilitarian_welfare`` (additive satisfaction) started from ``selected``.

    Projects not yet selected are taken in decreasing order of total utility / cost (cost 0 with
    a supporter first; unsupported projects last, with density 0), ties by ``ranks``; each is
    added if it fits in what is left of the budget.  Returns the added projects and the ties that
    decided something.
    """
    chosen = set(selected)
    left = Fraction(table.budget) - sum(table.costs[p] for p in selected)

    def density(p: int) -> tuple[int, Fraction]:
        total = table.total_utility(p)
        if total <= 0:
            return (1, Fraction(0))
        if table.costs[p] == 0:
            return (-1, Fraction(0))
        return (0, -Fraction(total, table.costs[p]))

    rest = [p for p in range(table.num_projects) if p not in chosen]
    keyed = sorted((density(p), ranks[p], p) for p in rest)
    added: list[int] = []
    ties: list[str] = []
    ids = table.project_ids
    for i, (dens, _, p) in enumerate(keyed):
        if table.costs[p] <= left:
            added.append(p)
            left -= table.costs[p]
            later = [ids[q] for d2, _, q in keyed[i + 1 :] if d2 == dens and table.costs[q] <= left + table.costs[p]]
            if later:
                ties.append(
                    f"greedy completion: {ids[p]} tied with {', '.join(later)} on utility per "
                    f"cost; {ids[p]} taken first by the tie-breaking order"
                )
    return added, ties


def is_exhaustive(table: UtilityTable, candidates: tuple[int, ...], selected: list[int]) -> bool:
    """pabutools ``Instance.is_exhaustive(outcome, available_projects=candidates)``: no candidate
    outside the outcome still fits in the real budget."""
    spent = sum(table.costs[p] for p in selected)
    chosen = set(selected)
    budget = Fraction(table.budget)
    return not any(p not in chosen and spent + table.costs[p] <= budget for p in candidates)


def comparison_step(table: UtilityTable, mes_outcome: list[int], greedy_outcome: list[int]) -> tuple[bool, int, int]:
    """equalshares.net comparison step: ``(use_greedy, prefers_mes, prefers_greedy)``.

    A voter's satisfaction with an outcome is the number of its projects the voter supports
    (positive utility); greedy wins only if strictly more voters prefer it.
    """
    count_mes = np.zeros(table.num_groups, dtype=np.int64)
    count_greedy = np.zeros(table.num_groups, dtype=np.int64)
    for outcome, count in ((mes_outcome, count_mes), (greedy_outcome, count_greedy)):
        for p in set(outcome):
            if table.supporters[p]:
                count[np.asarray(table.supporters[p], dtype=np.int64)] += 1
    w = np.asarray(table.voter_weights, dtype=np.int64)
    prefers_mes = int(w[count_mes > count_greedy].sum())
    prefers_greedy = int(w[count_greedy > count_mes].sum())
    return prefers_greedy > prefers_mes, prefers_mes, prefers_greedy


def _add1(
    prob: MesProblem,
    table: UtilityTable,
    increment: Number,
    exact: bool,
    progress: Callable[[str], None] | None = None,
) -> tuple[MesRun | None, list[int], Fraction, int, int]:
    """The add1 loop (pabutools ``method_of_equal_shares_scheme`` with
    ``voter_budget_increment``): the engine's run kept (``None`` if the kernel found the projects
    and the run is to be computed when asked for), the projects it selects, its budget per voter,
    the number of increments, and how many MES runs were actually computed.

    pabutools tries every increment k = 0, 1, 2, ... and stops at the first run that is
    exhaustive (returned) or overspends (the previous increment's run is returned).  Here the
    increments are galloped over: a run at k + span is kept only if
    :func:`._mes_engine.repeats_between` certifies that every increment in between makes the
    same decisions as the run at k (so none of them can be a stopping point); otherwise the
    span shrinks, down to single increments.  The run returned is the one pabutools returns.

    In fast mode with the compiled kernel (:mod:`._mes_lean`) the kernel scans the increments
    instead (:func:`_add1_lean`), with sharper certificates (bounds on how fast each price falls)
    and jumps aimed just below where it predicts the outcome changes.
    """
    budget = Fraction(table.budget)
    per_voter = budget / table.num_voters
    step = Fraction(increment)
    ranks = prob.ranks

    def spend(run: MesRun) -> Fraction:
        return Fraction(sum(table.costs[p] for p in run.selected))

    lean = None if exact else LeanMes.create(prob)
    if lean is not None and (first := lean.selected(float(per_voter), refuse_ties=True)) is not None:
        # the kernel's outcome at the real budget; the engine's run only for the one returned
        if is_exhaustive(table, prob.candidates, first):
            return None, first, per_voter, 0, 1
        return _add1_lean(prob, table, lean, per_voter, step, first, None, progress)
    k = 0
    cur = run_mes(prob, per_voter, exact=exact)
    computed = 1
    if is_exhaustive(table, prob.candidates, cur.selected):
        return cur, list(cur.selected), per_voter, 0, computed
    if lean is not None:
        return _add1_lean(prob, table, lean, per_voter, step, cur.selected, cur, progress)
    span = 1
    wait = backoff = 1  # after a failed jump, take ``backoff`` single steps before the next try
    tick = _ticker(progress, per_voter, step)
    while True:
        j = k + span
        tick(j)
        nxt = run_mes(prob, per_voter + j * step, exact=exact)
        computed += 1
        if span > 1 and not repeats_between(cur, nxt, ranks):
            span = span // 4 if span >= 8 else 1
            if span == 1:
                backoff = min(2 * backoff, 32)
                wait = backoff
            continue
        # every increment strictly between k and j repeats ``cur``: none of them stops
        if spend(nxt) > budget:
            if j - 1 == k:
                return cur, list(cur.selected), cur.per_voter, k, computed
            # increment j - 1 repeats ``cur``'s decisions; recompute it for its payments
            back = run_mes(prob, per_voter + (j - 1) * step, exact=exact)
            return back, list(back.selected), back.per_voter, j - 1, computed + 1
        if is_exhaustive(table, prob.candidates, nxt.selected):
            return nxt, list(nxt.selected), nxt.per_voter, j, computed
        k, cur = j, nxt
        if span > 1:
            backoff = 1
            span = min(2 * span, 1 << 16)
        else:
            wait -= 1
            if wait <= 0:
                span = 2


def _add1_lean(
    prob: MesProblem,
    table: UtilityTable,
    lean: LeanMes,
    per_voter: Fraction,
    step: Fraction,
    first: list[int],
    first_run: MesRun | None,
    progress: Callable[[str], None] | None = None,
) -> tuple[MesRun | None, list[int], Fraction, int, int]:
    """The add1 loop with the compiled kernel: every increment in turn, as pabutools does.

    The kernel runs the increments (projects only), jumping over those it certifies repeat the
    outcome, and comes back only where a new outcome might stop the loop or it meets a close
    call, which the exact-checked engine then decides.  Whether an increment stops the loop
    depends on its outcome alone (its cost, and whether another project fits), so increments
    repeating an outcome that did not stop it do not stop it either.  Returns as :func:`_add1`;
    the engine's run for the increment returned is left to be computed when it is asked for
    (see :func:`_kept`).
    """
    budget = Fraction(table.budget)
    costs = table.costs
    base_f, step_f, budget_f = float(per_voter), float(step), float(budget)
    prev_sel: list[int] = list(first)
    prev_run: MesRun | None = first_run  # the engine's run at increment j - 1, if there is one
    computed = 1
    j = 1
    tick = _ticker(progress, per_voter, step)
    # the kernel comes back after each chunk only to report progress: with nobody to report to,
    # one call does it all (each call starts afresh, without the last jump's prediction)
    chunk = _CHUNK if progress is not None else 1 << 40
    while True:
        tick(j)
        began = time.perf_counter()
        skipped, sel, runs = lean.next_stop(base_f + j * step_f, step_f, chunk, prev_sel, budget_f)
        took = time.perf_counter() - began
        computed += runs
        if skipped:
            prev_run = None
        j += skipped
        if skipped == chunk:
            # certified jumps make chunks quick: take bigger ones (each call starts afresh), but
            # come back about every half second to report progress
            if took < 0.25:
                chunk = min(2 * chunk, 1 << 20)
            elif took > 0.75:
                chunk = max(chunk // 2, 16)
            continue
        run: MesRun | None = None
        if sel is None:
            run = run_mes(prob, per_voter + j * step, exact=False)
            sel = run.selected
        spent = sum(costs[p] for p in sel)
        if spent > budget:
            if prev_run is not None:
                return prev_run, list(prev_run.selected), prev_run.per_voter, j - 1, computed
            return _kept(prob, lean, per_voter + (j - 1) * step, j - 1, computed)
        if is_exhaustive(table, prob.candidates, sel):
            if run is not None:
                return run, list(run.selected), run.per_voter, j, computed
            return None, sel, per_voter + j * step, j, computed  # the kernel's run there broke no tie
        prev_sel, prev_run = sel, run
        j += 1


def _kept(
    prob: MesProblem, lean: LeanMes, per_voter: Fraction, increment: int, computed: int
) -> tuple[MesRun | None, list[int], Fraction, int, int]:
    """The add1 loop's result at ``per_voter``, an increment the kernel may have jumped over: the
    kernel's projects, the engine's run left for when payments or explanations are asked for;
    the engine's run now if the kernel meets a close call or an exact tie there (the engine
    reports ties)."""
    quick = lean.selected(float(per_voter), refuse_ties=True)
    if quick is None:
        run = run_mes(prob, per_voter, exact=False)
        return run, list(run.selected), per_voter, increment, computed + 2
    return None, quick, per_voter, increment, computed + 1


def _ticker(progress: Callable[[str], None] | None, per_voter: Fraction, step: Fraction) -> Callable[[int], None]:
    """``tick(j)``: tell ``progress`` which increment the add1 loop is at, at most once a second."""
    report_at = time.monotonic() + 1.0

    def tick(j: int) -> None:
        nonlocal report_at
        if progress is not None and time.monotonic() >= report_at:
            report_at += 1.0
            progress(f"add1: increment {j:,} (each voter's virtual budget {float(per_voter + j * step):,.2f})")

    return tick


_CHUNK = 1024
"""Increments the kernel first goes through before coming back (to report progress); the loop
then sizes the chunks to take about a quarter to three quarters of a second each."""


def _money(x: Amount, currency: str) -> str:
    value = float(x)
    text = f"{value:,.2f}"
    if text.endswith(".00"):
        text = text[:-3]
    return f"{text} {currency}".strip()


def equal_shares(
    table: UtilityTable,
    *,
    completion: str | None = None,
    exact: bool = False,
    ranks: tuple[int, ...] | None = None,
    increment: Number = 1,
    election: Election | None = None,
    progress: Callable[[str], None] | None = None,
    tie_breaking: str = "lexico",
) -> Outcome:
    """Method of Equal Shares on ``table``.  See the module docstring for ``completion``."""
    if completion not in COMPLETIONS:
        allowed = ", ".join("none" if c is None else c for c in COMPLETIONS)
        raise BudgetingError(f"unknown completion {completion!r} for mes (choose from {allowed})")
    if Fraction(increment) <= 0:
        raise BudgetingError(f"increment must be positive, not {increment}")
    if ranks is None:
        ranks = tie_ranks(table, tie_breaking)
    prob = MesProblem(table, ranks)
    ids = table.project_ids
    details: dict[str, object] = {
        "scoring": table.scoring,
        "exact": exact,
        "tie_breaking": tie_breaking,
        "completion": completion or "none",
    }
    if table.num_voters == 0:
        return Outcome(rule="mes", selected=(), total_cost=0, details=details)

    per_voter = Fraction(table.budget) / table.num_voters
    run: MesRun | None = None
    virtual_per_voter: Number = per_voter
    if completion in ("add1", "add1-utilitarian", "add1-compare"):
        run, mes_selected, virtual_per_voter, steps, runs = _add1(prob, table, increment, exact, progress)
        details["increments"] = steps
        details["mes_runs"] = runs
    else:
        steps = 0
        # Fast mode: the compiled kernel finds the projects (it refuses close calls and reports
        # exact ties, and the engine then decides); the engine's run, with every payment, is
        # computed only if an explanation or a payment is asked for.
        quick = None
        if not exact and (lean := LeanMes.create(prob)) is not None:
            quick = lean.selected(float(per_voter), refuse_ties=True)
        if quick is None:
            run = run_mes(prob, per_voter, exact=exact)
            mes_selected = list(run.selected)
        else:
            mes_selected = quick
    if run is not None:
        virtual_per_voter = run.per_voter
    details["budget_per_voter"] = per_voter
    details["virtual_budget_per_voter"] = virtual_per_voter
    details["exact_checks"] = run.exact_checks if run is not None else 0
    details["mes_selected"] = tuple(mes_selected)
    kept = run

    @functools.cache
    def the_run() -> MesRun:
        """The engine's run behind ``mes_selected`` (computed on first use in the fast path)."""
        if kept is not None:
            return kept
        again = run_mes(prob, virtual_per_voter, exact=False)
        if again.selected != mes_selected:  # the kernel and the engine never disagree
            raise AssertionError(f"MES kernel chose {mes_selected}, the engine {again.selected}")
        return again

    ties: list[str] = []
    for i, rnd in enumerate(run.rounds if run is not None else (), 1):
        if rnd.tied_with:
            others = ", ".join(ids[q] for q in rnd.tied_with)
            ties.append(
                f"round {i}: {ids[rnd.project]} tied with {others} at rho = {rnd.rho}; "
                f"{ids[rnd.project]} chosen by the tie-breaking order ({tie_breaking})"
            )

    selected = list(mes_selected)
    stage: dict[int, str] = {p: "free" for p in prob.free}
    # the rounds fund the projects after the free ones, in order
    round_of = {p: i for i, p in enumerate(mes_selected[len(prob.free) :], 1)}
    for p, i in round_of.items():
        stage[p] = f"round {i}"
    if completion in ("utilitarian", "add1-utilitarian"):
        added, gties = greedy_completion(table, ranks, selected)
        ties.extend(gties)
        for p in added:
            stage[p] = "completion"
        selected.extend(added)
        details["completion_added"] = tuple(added)
    comparison: tuple[bool, int, int] | None = None
    if completion == "add1-compare":
        greedy_sel, gties = greedy_completion(table, ranks, [])
        comparison = comparison_step(table, selected, greedy_sel)
        details["comparison"] = {
            "greedy_selected": tuple(greedy_sel),
            "prefers_mes": comparison[1],
            "prefers_greedy": comparison[2],
            "used": "greedy" if comparison[0] else "mes",
        }
        if comparison[0]:
            ties.extend(gties)
            selected = greedy_sel
            stage = {p: "greedy" for p in greedy_sel}
            ties = [t for t in ties if not t.startswith("round ")]

    total_cost = sum(table.costs[p] for p in selected)
    used_mes = not (comparison and comparison[0])

    currency = election.instance.currency if election is not None else ""
    weights = np.asarray(table.voter_weights, dtype=np.int64)
    chosen = set(selected)
    spent = Fraction(total_cost)
    budget = Fraction(table.budget)

    def left_of(p: int) -> Amount:
        sup = np.asarray(table.supporters[p], dtype=np.int64)
        if not len(sup):
            return 0
        run = the_run()
        assert run.tree is not None
        tree = run.tree
        if not exact:
            return float((weights[sup] * tree.vals_f[run.cls[sup]]).sum())
        cls = run.cls[sup]
        per_class = np.bincount(cls, weights=weights[sup].astype(np.float64))
        return sum(
            (tree.val(int(c)) * round(float(per_class[c])) for c in np.flatnonzero(per_class)),
            Fraction(0),
        )

    virtual = (
        f" (Each voter's share: {_money(virtual_per_voter, currency)}, raised from "
        f"{_money(per_voter, currency)} by the add1 completion.)"
        if steps
        else ""
    )

    def explain(p: int) -> ProjectExplanation:
        cost = table.costs[p]
        n_sup = table.support(p)
        money = _money
        data: dict[str, object] = {"cost": cost, "supporters": n_sup, "stage": stage.get(p)}
        if p in chosen:
            st = stage.get(p, "")
            if st == "free":
                return ProjectExplanation(True, "Funded: it costs nothing.", data)
            if st == "completion":
                return ProjectExplanation(
                    True,
                    f"Funded by the completion step: after equal shares stopped, it had the most "
                    f"support per {currency or 'unit'} of cost among the projects that still fit.",
                    data,
                )
            if st == "greedy" and comparison is not None:
                return ProjectExplanation(
                    True,
                    f"Funded by the greedy rule: in the comparison step {comparison[2]:,} voters "
                    f"preferred the greedy outcome and only {comparison[1]:,} the equal-shares "
                    f"outcome.",
                    data,
                )
            r = round_of[p]
            rnd = the_run().rounds[r - 1]
            paid = [rnd.pay(j) for j in range(len(rnd.item_cls))]
            us = np.asarray(table.utilities[p], dtype=np.int64)
            w = weights[np.asarray(table.supporters[p], dtype=np.int64)]
            full = rnd.rho * int(us.max())
            capped_voters = int(sum(int(w[j]) for j in range(len(w)) if paid[int(rnd.inv[j])] < rnd.rho * int(us[j])))
            data.update({"round": r, "rho": rnd.rho if exact else float(rnd.rho), "max_payment": full})
            if int(us.min()) == int(us.max()):
                each = f"each paid {money(full, currency)}"
            else:
                each = f"each paid {money(rnd.rho, currency)} per point of utility (up to {money(full, currency)})"
            text = (
                f"Funded in round {r} of equal shares: its {n_sup:,} supporters shared its cost "
                f"of {money(cost, currency)}; {each}"
            )
            if capped_voters:
                text += f", except {capped_voters:,} who had less left and paid all they had"
            return ProjectExplanation(True, text + "." + virtual, data)
        if n_sup == 0:
            return ProjectExplanation(False, "Not funded: nobody voted for it.", data)
        left = left_of(p)
        data["supporters_left"] = left
        text = (
            f"Not funded: when equal shares stopped, its {n_sup:,} supporters had "
            f"{money(left, currency)} left between them, less than its cost of "
            f"{money(cost, currency)}"
        )
        if not used_mes:
            text = (
                f"Not funded: the greedy outcome was used (comparison step) and it did not fit "
                f"in the {money(budget - spent, currency)} left when its turn came"
            )
        elif completion in ("utilitarian", "add1-utilitarian"):
            text += (
                f", and it did not fit in the budget left for the completion "
                f"({money(budget - spent, currency)} at the end)"
            )
        return ProjectExplanation(False, text + "." + (virtual if used_mes else ""), data)

    def payments_of(g: int) -> Mapping[int, Amount]:
        out: dict[int, Amount] = {}
        if not used_mes:
            return out
        for rnd in the_run().rounds:
            sup = prob.projects[rnd.project].sup
            j = int(np.searchsorted(sup, g))
            if j < len(sup) and int(sup[j]) == g:
                amount = rnd.pay(int(rnd.inv[j]))
                if amount:
                    out[rnd.project] = amount
        return out

    if steps and used_mes:
        details["note"] = (
            f"virtual budget raised {steps} time(s) by {increment} per voter (to {float(virtual_per_voter):,.2f})"
        )
    return Outcome(
        rule="mes",
        selected=tuple(selected),
        total_cost=total_cost,
        ties=tuple(ties),
        explanations=LazyMap(tuple(range(table.num_projects)), explain),
        payments=LazyMap(tuple(range(table.num_groups)), payments_of) if used_mes else None,
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
    increment: Number = 1
    progress: Callable[[str], None] | None = None
    for key, value in options.items():
        if key == "progress" and (value is None or callable(value)):
            progress = cast("Callable[[str], None] | None", value)
        elif key == "increment" and isinstance(value, int | Fraction):
            increment = value
        elif key == "increment" and isinstance(value, str):
            try:
                increment = Fraction(value)
            except (ValueError, ZeroDivisionError):
                raise BudgetingError(f"increment must be a number, not {value!r}") from None
        else:
            raise BudgetingError(f"rule 'mes' has no option {key!r} (it knows: increment, progress)")
    return equal_shares(
        table,
        completion=completion,
        exact=exact,
        ranks=ranks,
        increment=increment,
        election=election,
        progress=progress,
        tie_breaking=tie_breaking,
    )


def _default_scoring(election: Election) -> str:
    """Cost utilities for approval-type ballots (equalshares.net, pabutools ``Cost_Sat``)."""
    if election.profile.vote_type in ("approval", "choose-1"):
        return "cost"
    return election.default_scoring()


register(
    "mes",
    _rule,
    default_scoring=_default_scoring,
    completions=COMPLETIONS,
    summary="Method of Equal Shares (completions: utilitarian, add1, add1-utilitarian, add1-compare)",
)
