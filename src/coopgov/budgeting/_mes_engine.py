"""The inner loop of the Method of Equal Shares, exact and fast.

Definition (Peters & Skowron, "Proportionality and the limits of welfarism", EC 2020, Rule X;
Peters, Pierczyński & Skowron, "Proportional participatory budgeting with additive utilities",
NeurIPS 2021, Def. 4.1 "Method of Equal Shares"):

    Each voter i starts with an equal share b_i = B / n of the budget B.  Given the remaining
    budgets, a project p (not yet selected) is *rho-affordable* if

        sum_{i supports p} min(b_i, rho * u_i(p)) = cost(p).

    In each round select the project p with the smallest rho such that p is rho-affordable,
    and let every supporter pay min(b_i, rho * u_i(p)).  Stop when no project is affordable for
    any rho (its supporters have less than its cost left in total).

This is what pabutools' ``method_of_equal_shares`` computes (``affordability`` there is rho);
its ties are broken by the tie-breaking order (``lexico_tie_breaking`` by default: the project
id as a string).  Projects of cost 0 with a supporter are funded before the first round; projects
nobody supports never take part.

Representation
--------------
Voters with identical ballots form a *group* ``g`` with ``weight[g]`` voters.  Groups with the
same remaining budget per voter share a *budget class*: ``cls[g]`` is the class, ``vals[c]`` its
exact budget per voter (a :class:`~fractions.Fraction`); class 0 is "nothing left".  Paying for a
project maps (old class, utility) to a new class, so all exact arithmetic is done once per
distinct class, never per voter -- that is what keeps exact mode fast.

Fast mode screens the projects in floating point (each class's budget is the correctly rounded
float of its exact value, so no error accumulates between rounds) and settles every decision
that is within a relative margin of ``TOL`` (a near-tie in rho, or a project whose supporters have
almost exactly its cost left) with exact arithmetic.  The budgets themselves are always kept
exactly, so fast and exact mode give the same outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from ._model import Number, UtilityTable

__all__ = ["TOL", "MesProblem", "MesRound", "MesRun", "run_mes"]

TOL = 1e-9
"""Relative margin below which fast mode re-decides a comparison exactly.  Float rounding errors
here are of order 1e-15 (every class budget is re-rounded from its exact value)."""

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(slots=True)
class _Proj:
    """Per-project arrays: supporter groups, their weights and utilities."""

    sup: IntArray
    w: IntArray
    wf: FloatArray
    uf: FloatArray
    wuf: FloatArray
    du: tuple[int, ...]  # distinct utilities
    code: IntArray  # index into du, per supporter
    wu_total: int


class MesProblem:
    """A :class:`UtilityTable` prepared for repeated runs (add1 completion reruns it)."""

    def __init__(self, table: UtilityTable, ranks: tuple[int, ...]) -> None:
        self.table = table
        self.ranks = ranks
        self.num_groups = table.num_groups
        self.num_voters = table.num_voters
        self.costs = table.costs
        self.weights = np.asarray(table.voter_weights, dtype=np.int64)
        self.projects: list[_Proj] = []
        for sup_t, uti_t in zip(table.supporters, table.utilities, strict=True):
            sup = np.asarray(sup_t, dtype=np.int64)
            u = np.asarray(uti_t, dtype=np.int64)
            du_arr, code = np.unique(u, return_inverse=True)
            w = self.weights[sup] if len(sup) else np.zeros(0, dtype=np.int64)
            wu_total = int(sum(int(x) * int(y) for x, y in zip(w, u, strict=True)))
            self.projects.append(
                _Proj(
                    sup=sup,
                    w=w,
                    wf=w.astype(np.float64),
                    uf=u.astype(np.float64),
                    wuf=(w.astype(np.float64) * u.astype(np.float64)),
                    du=tuple(int(x) for x in du_arr),
                    code=code.astype(np.int64).reshape(-1),
                    wu_total=wu_total,
                )
            )
        # Projects that take part: positive cost and positive total utility (pabutools drops
        # the others; cost-0 projects with a supporter are funded up front).
        self.candidates = tuple(p for p, pr in enumerate(self.projects) if pr.wu_total > 0 and self.costs[p] > 0)
        self.free = tuple(
            sorted(
                (p for p, pr in enumerate(self.projects) if pr.wu_total > 0 and self.costs[p] == 0),
                key=lambda p: ranks[p],
            )
        )


@dataclass(slots=True)
class MesRound:
    """One selection: project, rho, and what each supporter paid (by payment class)."""

    project: int
    rho: Fraction
    inv: IntArray  # per supporter of the project: index into ``pays``
    pays: tuple[Fraction, ...]  # payment per voter for each (class, utility) key
    tied_with: tuple[int, ...] = ()


@dataclass(slots=True)
class MesRun:
    """The result of one run of the inner loop at a given budget per voter."""

    per_voter: Fraction
    selected: list[int] = field(default_factory=list)
    rounds: list[MesRound] = field(default_factory=list)
    cls: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    vals: list[Fraction] = field(default_factory=list)
    exact_checks: int = 0

    def left_per_voter(self) -> list[Fraction]:
        """Exact remaining budget per voter of every group."""
        return [self.vals[c] for c in self.cls.tolist()]


class _State:
    """Budget classes during one run."""

    def __init__(self, prob: MesProblem, per_voter: Fraction) -> None:
        self.prob = prob
        self.cls = np.ones(prob.num_groups, dtype=np.int64)
        self.vals: list[Fraction] = [Fraction(0), per_voter]
        self.vals_f = np.zeros(64, dtype=np.float64)
        self.vals_f[1] = float(per_voter)
        self.changed = np.full(prob.num_groups, -1, dtype=np.int64)  # round of last payment
        self.exact_checks = 0

    def new_class(self, value: Fraction) -> int:
        c = len(self.vals)
        self.vals.append(value)
        if c >= len(self.vals_f):
            grown = np.zeros(2 * len(self.vals_f), dtype=np.float64)
            grown[: len(self.vals_f)] = self.vals_f
            self.vals_f = grown
        self.vals_f[c] = float(value)
        return c

    # -- exact ---------------------------------------------------------------------------------
    def keys(self, p: int) -> tuple[IntArray, IntArray, list[tuple[int, int, int]]]:
        """Group the supporters of ``p`` by (budget class, utility): unique keys, the inverse
        index per supporter, and (class, utility, weight) per key."""
        pr = self.prob.projects[p]
        nu = len(pr.du)
        keys = self.cls[pr.sup] * nu + pr.code
        uniq, inv = np.unique(keys, return_inverse=True)
        inv = inv.reshape(-1)
        wsum = np.bincount(inv, weights=pr.wf, minlength=len(uniq))
        items = [
            (int(k) // nu, pr.du[int(k) % nu], round(float(ws)))
            for k, ws in zip(uniq.tolist(), wsum.tolist(), strict=True)
        ]
        return uniq, inv, items

    def exact_rho(self, p: int) -> Fraction | None:
        """The exact smallest rho making ``p`` affordable, or ``None`` if it is unaffordable."""
        self.exact_checks += 1
        cost = self.prob.costs[p]
        _, _, items = self.keys(p)
        vals = self.vals
        money = sum((vals[c] * wt for c, _, wt in items if c), Fraction(0))
        if money < cost:
            return None
        # Supporters in increasing order of budget/utility: the first ones pay all they have.
        order = sorted(items, key=lambda it: vals[it[0]] / it[1])
        remaining: Fraction = Fraction(cost)
        denom = sum(u * wt for _, u, wt in items)
        for c, u, wt in order:
            rho = remaining / denom
            if rho * u <= vals[c]:
                return rho
            remaining -= vals[c] * wt
            denom -= u * wt
        raise AssertionError("affordable project without a solution for rho")  # pragma: no cover

    # -- fast ----------------------------------------------------------------------------------
    def float_rho(self, p: int) -> float | None:
        """rho in floating point; ``None`` if certainly unaffordable; NaN if the affordability
        is too close to call (the caller then decides exactly)."""
        pr = self.prob.projects[p]
        cost = float(self.prob.costs[p])
        b = self.vals_f[self.cls[pr.sup]]
        money_each = pr.wf * b
        money = float(money_each.sum())
        if money < cost * (1.0 - TOL):
            return None
        if money <= cost * (1.0 + TOL):
            return float("nan")
        ratio = b / pr.uf
        rho = cost / float(pr.wuf.sum())
        poor = ratio < rho
        npoor = int(poor.sum())
        while npoor:
            rho = (cost - float(money_each[poor].sum())) / float(pr.wuf[~poor].sum())
            poor = ratio < rho
            n2 = int(poor.sum())
            if n2 == npoor:
                break
            npoor = n2
        return rho

    def stale(self, p: int, computed: int) -> bool:
        """Has a supporter of ``p`` paid since round ``computed`` (-1: never computed)?"""
        if computed < 0:
            return True
        sup = self.prob.projects[p].sup
        return bool(len(sup)) and int(self.changed[sup].max()) >= computed

    def pay(self, p: int, rho: Fraction, rnd: int) -> MesRound:
        uniq, inv, items = self.keys(p)
        pays: list[Fraction] = []
        newcls = np.zeros(len(uniq), dtype=np.int64)
        for j, (c, u, _) in enumerate(items):
            b = self.vals[c]
            due = rho * u
            if b <= due:
                pays.append(b)
                newcls[j] = 0
            else:
                pays.append(due)
                newcls[j] = self.new_class(b - due)
        pr = self.prob.projects[p]
        paying = self.cls[pr.sup] != 0
        self.changed[pr.sup[paying]] = rnd
        self.cls[pr.sup] = newcls[inv]
        return MesRound(project=p, rho=rho, inv=inv, pays=tuple(pays))


def run_mes(prob: MesProblem, per_voter: Number, *, exact: bool) -> MesRun:
    """Run the Method of Equal Shares with ``per_voter`` as every voter's initial budget."""
    per_voter = Fraction(per_voter)
    st = _State(prob, per_voter)
    ranks = prob.ranks
    run = MesRun(per_voter=per_voter)
    run.selected.extend(prob.free)
    remaining = set(prob.candidates)
    # Current rho of each remaining project (a lower bound once its supporters have paid) and
    # the round it was computed in.  Exact mode keeps Fractions, fast mode floats.
    rho_x: dict[int, Fraction] = {}
    rho_f: dict[int, float] = {}
    computed: dict[int, int] = {}
    for p in remaining:
        pr = prob.projects[p]
        rho_x[p] = Fraction(prob.costs[p], pr.wu_total)
        rho_f[p] = prob.costs[p] / pr.wu_total
        computed[p] = -1
    rnd = 0
    while remaining:
        fresh: dict[int, Fraction | float] = {}
        if exact:
            best_x: Fraction | None = None
            for p in sorted(remaining, key=lambda q: (rho_x[q], ranks[q])):
                if best_x is not None and rho_x[p] > best_x:
                    break
                if st.stale(p, computed[p]):
                    r = st.exact_rho(p)
                    computed[p] = rnd
                    if r is None:
                        remaining.discard(p)
                        continue
                    rho_x[p] = r
                fresh[p] = rho_x[p]
                if best_x is None or rho_x[p] < best_x:
                    best_x = rho_x[p]
            if best_x is None:
                break
            tied = sorted((p for p, r in fresh.items() if r == best_x), key=lambda q: ranks[q])
            chosen, rho = tied[0], best_x
        else:
            best_f: float | None = None
            for p in sorted(remaining, key=lambda q: rho_f[q]):
                if best_f is not None and rho_f[p] > best_f * (1.0 + TOL):
                    break
                if st.stale(p, computed[p]):
                    rf = st.float_rho(p)
                    computed[p] = rnd
                    if rf is not None and rf != rf:  # NaN: affordability too close to call
                        rx = st.exact_rho(p)
                        if rx is None:
                            rf = None
                        else:
                            rho_x[p] = rx
                            rf = float(rx)
                    if rf is None:
                        remaining.discard(p)
                        continue
                    rho_f[p] = rf
                fresh[p] = rho_f[p]
                if best_f is None or rho_f[p] < best_f:
                    best_f = rho_f[p]
            if best_f is None:
                break
            near = [p for p, r in fresh.items() if r <= best_f * (1.0 + TOL)]
            if len(near) == 1:
                chosen = near[0]
                exact_r = st.exact_rho(chosen)
                assert exact_r is not None
                rho = exact_r
                tied = [chosen]
            else:
                exact_vals: dict[int, Fraction] = {}
                for p in near:
                    r = st.exact_rho(p)
                    if r is None:
                        remaining.discard(p)
                    else:
                        exact_vals[p] = r
                        rho_f[p] = float(r)
                if not exact_vals:
                    continue
                rho = min(exact_vals.values())
                tied = sorted((p for p, r in exact_vals.items() if r == rho), key=lambda q: ranks[q])
                chosen = tied[0]
        rec = st.pay(chosen, rho, rnd)
        rec.tied_with = tuple(tied[1:])
        run.rounds.append(rec)
        run.selected.append(chosen)
        remaining.discard(chosen)
        rnd += 1
    run.cls = st.cls
    run.vals = st.vals
    run.exact_checks = st.exact_checks
    return run
