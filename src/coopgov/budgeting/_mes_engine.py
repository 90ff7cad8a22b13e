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

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import partial

import numpy as np
import numpy.typing as npt

from ._cvotes_api import flat_int64
from ._model import Number, UtilityTable

__all__ = ["TOL", "MesProblem", "MesRound", "MesRun", "repeats_between", "run_mes"]

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
        # every project's arrays are views into one array per quantity, built in one pass each
        lengths = np.fromiter(map(len, table.supporters), dtype=np.int64, count=len(table.supporters))
        bounds = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=bounds[1:])
        total = int(bounds[-1])
        sup_all = flat_int64(table.supporters)
        u_all = flat_int64(table.utilities)
        w_all = self.weights[sup_all]
        wf_all = w_all.astype(np.float64)
        uf_all = u_all.astype(np.float64)
        wuf_all = wf_all * uf_all
        # exact totals of w * u: in int64 when the running sum over every project stays far below
        # 2**63 (its float estimate is within a few ulps), else with Python integers
        if float(wuf_all.sum()) < 2**62:
            cum = np.zeros(total + 1, dtype=np.int64)
            np.cumsum(w_all * u_all, out=cum[1:])
            wu_totals = [int(x) for x in cum[bounds[1:]] - cum[bounds[:-1]]]
        else:
            wu_totals = [
                sum(int(x) * int(y) for x, y in zip(w_all[a:b].tolist(), u_all[a:b].tolist(), strict=True))
                for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)
            ]
        self.projects: list[_Proj] = []
        for p, uti_t in enumerate(table.utilities):
            a, b = int(bounds[p]), int(bounds[p + 1])
            if uti_t and uti_t.count(uti_t[0]) == len(uti_t):  # one utility for all (approval, cost)
                du: tuple[int, ...] = (int(uti_t[0]),)
                code = np.zeros(b - a, dtype=np.int64)
            else:
                du_arr, inverse = np.unique(u_all[a:b], return_inverse=True)
                du = tuple(int(x) for x in du_arr)
                code = inverse.astype(np.int64).reshape(-1)
            self.projects.append(
                _Proj(
                    sup=sup_all[a:b],
                    w=w_all[a:b],
                    wf=wf_all[a:b],
                    uf=uf_all[a:b],
                    wuf=wuf_all[a:b],
                    du=du,
                    code=code,
                    wu_total=wu_totals[p],
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


class ClassTree:
    """Budget classes: class 0 has nothing left, class 1 the initial budget per voter, and every
    other class ``c`` was made from ``parent[c]`` by paying ``rho[round[c]] * util[c]``.

    Exact values are computed only when asked for (and cached); fast mode mostly works with the
    floats ``vals_f``, which are exact values rounded, or a parent's float minus the float
    payment when no cancellation can occur (relative error < 1e-12 over a whole run)."""

    def __init__(self, per_voter: Fraction) -> None:
        self.parent: list[int] = [0, 0]
        self.round: list[int] = [-1, -1]
        self.util: list[int] = [0, 0]
        self.rhos: list[Fraction | None] = []
        self.thunks: list[Callable[[], Fraction | None] | None] = []
        self.cache: dict[int, Fraction] = {0: Fraction(0), 1: per_voter}
        self.vals_f = np.zeros(64, dtype=np.float64)
        self.vals_f[1] = float(per_voter)

    def val(self, c: int) -> Fraction:
        cache = self.cache
        if c in cache:
            return cache[c]
        chain = []
        while c not in cache:
            chain.append(c)
            c = self.parent[c]
        v = cache[c]
        for d in reversed(chain):
            v = v - self.rho(self.round[d]) * self.util[d]
            cache[d] = v
        return v

    def rho(self, r: int) -> Fraction:
        """Exact rho of round ``r``, computed on first use."""
        value = self.rhos[r]
        if value is None:
            thunk = self.thunks[r]
            assert thunk is not None
            value = thunk()
            assert value is not None, "a selected project must be affordable"
            self.rhos[r] = value
            self.thunks[r] = None
        return value

    def add(self, parents: IntArray, rnd: int, utils: IntArray, floats: FloatArray) -> IntArray:
        n = len(parents)
        first = len(self.parent)
        self.parent.extend(parents.tolist())
        self.round.extend([rnd] * n)
        self.util.extend(utils.tolist())
        need = first + n
        if need > len(self.vals_f):
            grown = np.zeros(max(need, 2 * len(self.vals_f)), dtype=np.float64)
            grown[:first] = self.vals_f[:first]
            self.vals_f = grown
        self.vals_f[first:need] = floats
        return np.arange(first, need, dtype=np.int64)


@dataclass(slots=True)
class MesRound:
    """One selection: project, rho, and what each supporter paid.

    Supporters are grouped in items (budget class before paying, utility); ``inv`` gives the item
    of each supporter (in the project's supporter order), ``poor[j]`` whether item ``j`` paid all
    it had.  The exact ``rho`` is computed on first use (fast mode rarely needs it)."""

    project: int
    index: int
    rho_f: float
    inv: IntArray
    item_cls: IntArray
    item_u: IntArray
    poor: npt.NDArray[np.bool_]
    tree: ClassTree
    tied_with: tuple[int, ...] = ()
    # Lower bounds on rho of every other project still affordable when this round was decided
    # (projects dropped as unaffordable are absent), and exact values where they were computed.
    rivals: tuple[tuple[int, float], ...] = ()
    rivals_exact: dict[int, Fraction] = field(default_factory=dict)

    @property
    def rho(self) -> Fraction:
        return self.tree.rho(self.index)

    def pay(self, j: int) -> Fraction:
        """Exact payment per voter of item ``j``."""
        if self.poor[j]:
            return self.tree.val(int(self.item_cls[j]))
        return self.rho * int(self.item_u[j])


@dataclass(slots=True)
class MesRun:
    """The result of one run of the inner loop at a given budget per voter."""

    per_voter: Fraction
    selected: list[int] = field(default_factory=list)
    rounds: list[MesRound] = field(default_factory=list)
    cls: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    tree: ClassTree | None = None
    exact_checks: int = 0

    def left(self, g: int) -> Fraction:
        """Exact remaining budget per voter of group ``g``."""
        assert self.tree is not None
        return self.tree.val(int(self.cls[g]))


_GUARD = 1e-7  # float class values are within ~1e-11 relative of the exact ones


class _State:
    """Budget classes during one run."""

    def __init__(self, prob: MesProblem, per_voter: Fraction) -> None:
        self.prob = prob
        self.cls = np.ones(prob.num_groups, dtype=np.int64)
        self.tree = ClassTree(per_voter)
        self.changed = np.full(prob.num_groups, -1, dtype=np.int64)  # round of last payment
        self.exact_checks = 0

    @property
    def vals_f(self) -> FloatArray:
        return self.tree.vals_f

    def items(self, p: int) -> tuple[IntArray, IntArray, IntArray, IntArray]:
        """Group the supporters of ``p`` by (budget class, utility): per item its class, its
        utility, its number of voters; and the item of each supporter."""
        pr = self.prob.projects[p]
        nu = len(pr.du)
        keys = self.cls[pr.sup] * nu + pr.code
        uniq, inv = np.unique(keys, return_inverse=True)
        inv = inv.reshape(-1)
        wsum = np.rint(np.bincount(inv, weights=pr.wf, minlength=len(uniq))).astype(np.int64)
        du = np.asarray(pr.du, dtype=np.int64)
        return uniq // nu, du[uniq % nu], wsum, inv

    # -- exact ---------------------------------------------------------------------------------
    def exact_money(self, p: int) -> Fraction:
        c, _, wt, _ = self.items(p)
        val = self.tree.val
        return sum(
            (val(ci) * wi for ci, wi in zip(c.tolist(), wt.tolist(), strict=True) if ci),
            Fraction(0),
        )

    def exact_rho(self, p: int, guide: float | None = None) -> Fraction | None:
        c, u, wt, _ = self.items(p)
        return self.exact_rho_items(self.prob.costs[p], c, u, wt, guide)

    def exact_rho_items(
        self, cost: int, c: IntArray, u: IntArray, wt: IntArray, guide: float | None = None
    ) -> Fraction | None:
        """The exact smallest rho making ``p`` affordable, or ``None`` if it is unaffordable.

        With a float ``guide`` (fast mode, ``p`` known to be affordable), only the supporters that
        pay all they have, and those too close to call, are evaluated exactly; the result is
        checked against the guide and recomputed in full if they disagree."""
        self.exact_checks += 1
        val = self.tree.val
        if guide is not None:
            ratio = self.vals_f[c] / u
            poor = ratio < guide * (1.0 - _GUARD)
            amb = ~poor & (ratio <= guide * (1.0 + _GUARD))
            base: Fraction = Fraction(cost) - sum(
                (val(ci) * wi for ci, wi in zip(c[poor].tolist(), wt[poor].tolist(), strict=True)),
                Fraction(0),
            )
            denom = int((u[~poor] * wt[~poor]).sum())
            pend = sorted(
                (
                    (val(ci) / ui, val(ci), ui, wi)
                    for ci, ui, wi in zip(c[amb].tolist(), u[amb].tolist(), wt[amb].tolist(), strict=True)
                ),
            )
            rho: Fraction | None = None
            for ratio_x, b, ui, wi in pend:
                r = base / denom
                if r <= ratio_x:
                    rho = r
                    break
                base -= b * wi
                denom -= ui * wi
            if rho is None and denom > 0:
                rho = base / denom
            if rho is not None and abs(float(rho) - guide) <= 1e-8 * guide:
                return rho
        # full exact computation
        items = [(val(ci), ui, wi) for ci, ui, wi in zip(c.tolist(), u.tolist(), wt.tolist(), strict=True)]
        money = sum((b * wi for b, _, wi in items), Fraction(0))
        if money < cost:
            return None
        items.sort(key=lambda it: it[0] / it[1])
        remaining: Fraction = Fraction(cost)
        denom = sum(ui * wi for _, ui, wi in items)
        for b, ui, wi in items:
            r = remaining / denom
            if r * ui <= b:
                return r
            remaining -= b * wi
            denom -= ui * wi
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

    def pay(self, p: int, rho: Fraction | None, rho_f: float, rnd: int) -> MesRound:
        """Every supporter of ``p`` pays min(budget, rho * u).  ``rho`` may be ``None`` (fast
        mode): it is then computed exactly only if something needs it."""
        tree = self.tree
        c, u, wt, inv = self.items(p)
        tree.rhos.append(rho)
        if rho is None:
            tree.thunks.append(partial(self.exact_rho_items, self.prob.costs[p], c, u, wt, rho_f))
        else:
            tree.thunks.append(None)
            rho_f = float(rho)
        b = self.vals_f[c]
        due = rho_f * u
        poor = b < due * (1.0 - _GUARD)
        amb = np.flatnonzero(~poor & (b <= due * (1.0 + _GUARD)))
        for j in amb.tolist():
            poor[j] = tree.val(int(c[j])) <= tree.rho(rnd) * int(u[j])
        poor &= c != 0
        rich = ~poor & (c != 0)
        newcls = np.zeros(len(c), dtype=np.int64)
        if rich.any():
            left = b[rich] - due[rich]
            ids = tree.add(c[rich], rnd, u[rich], left)
            newcls[rich] = ids
            # where the subtraction cancels, take the float from the exact value
            for k in np.flatnonzero(left < 1e-4 * b[rich]).tolist():
                tree.vals_f[int(ids[k])] = float(tree.val(int(ids[k])))
        pr = self.prob.projects[p]
        paying = self.cls[pr.sup] != 0
        self.changed[pr.sup[paying]] = rnd
        self.cls[pr.sup] = newcls[inv]
        return MesRound(
            project=p,
            index=rnd,
            rho_f=rho_f,
            inv=inv,
            item_cls=c,
            item_u=u,
            poor=poor | (c == 0),
            tree=tree,
        )


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
        rho_opt: Fraction | None
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
            chosen, rho_opt = tied[0], best_x
            rho_f[chosen] = float(best_x)
        else:
            best_f: float | None = None
            for p in sorted(remaining, key=lambda q: rho_f[q]):
                if best_f is not None and rho_f[p] > best_f * (1.0 + TOL):
                    break
                if st.stale(p, computed[p]):
                    rf = st.float_rho(p)
                    computed[p] = rnd
                    if rf is not None and rf != rf:  # NaN: affordability too close to call
                        money = st.exact_money(p)
                        rx = st.exact_rho(p) if money >= prob.costs[p] else None
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
            exact_now: dict[int, Fraction] = {}
            if len(near) == 1:
                chosen = near[0]
                rho_opt = None  # exact value computed later, only if needed
                tied = [chosen]
            else:
                exact_vals: dict[int, Fraction] = {}
                for p in near:
                    r = st.exact_rho(p, rho_f[p])
                    if r is None:
                        remaining.discard(p)
                    else:
                        exact_vals[p] = r
                        exact_now[p] = r
                        rho_f[p] = float(r)
                if not exact_vals:
                    continue
                rho_opt = min(exact_vals.values())
                tied = sorted((p for p, r in exact_vals.items() if r == rho_opt), key=lambda q: ranks[q])
                chosen = tied[0]
        rec = st.pay(chosen, rho_opt, rho_f[chosen], rnd)
        rec.tied_with = tuple(tied[1:])
        if exact:
            rec.rivals = tuple((q, float(rho_x[q])) for q in remaining if q != chosen)
            rec.rivals_exact = {q: rho_x[q] for q in remaining if q != chosen}
        else:
            rec.rivals = tuple((q, rho_f[q]) for q in remaining if q != chosen)
            rec.rivals_exact = {q: exact_now.get(q, rho_x[q]) for q in remaining if q != chosen}
        run.rounds.append(rec)
        run.selected.append(chosen)
        remaining.discard(chosen)
        rnd += 1
    run.cls = st.cls
    run.tree = st.tree
    run.exact_checks = st.exact_checks
    return run


def repeats_between(lo: MesRun, hi: MesRun, ranks: tuple[int, ...]) -> bool:
    """Certify that every initial budget per voter between ``lo.per_voter`` and
    ``hi.per_voter`` gives the same rounds (same projects, same order) as both runs.

    By induction on the rounds: if the same projects were funded before round r, every budget
    at round r is non-decreasing in the initial budget (a payer keeps max(0, b - rho u), rho
    falls as budgets rise), so for an initial budget in between, the winner w's rho is at most
    its rho in ``lo`` and any other project's rho is at least its rho in ``hi`` (and it is
    unaffordable if it is in ``hi``).  So w still wins if its rho in ``lo`` is below every
    rival's rho in ``hi`` (or equal, for rivals later in the tie-breaking order).  Rivals'
    values in ``hi`` are lower bounds (possibly stale), which keeps the test sound.
    """
    if lo.selected != hi.selected or len(lo.rounds) != len(hi.rounds):
        return False
    for rl, rh in zip(lo.rounds, hi.rounds, strict=True):
        w = rl.project
        wl = rl.rho_f
        for q, v in rh.rivals:
            if v > wl * (1.0 + TOL):
                continue
            if v < wl * (1.0 - TOL) or ranks[q] < ranks[w]:
                return False
            exact_q = rh.rivals_exact.get(q)
            if exact_q is None or exact_q < rl.rho:
                return False
    return True
