"""Skipping add1 increments that cannot change the outcome of the Method of Equal Shares.

add1 (pabutools ``voter_budget_increment=1``) reruns MES with the initial budget per voter
x, x + 1, x + 2, ... until an outcome is exhaustive or overspends.  Consecutive runs usually
make exactly the same decisions, and pabutools pays for every one of them.

Within one run, once the combinatorial decisions are fixed (which supporters of each project pay
all they have, which projects are affordable, which project wins each round), every budget and
every rho is an *affine* function of the extra budget per voter d: a group's budget is
a + s * d, and rho = (cost - sum_poor W (a + s d)) / sum_rich W u.  Every decision is a sign
condition on such a function, so the run stays the same for d in [0, D) where D is the first
root of any of them.  :func:`stable_extra` replays a finished run in floating point with these
affine forms and returns a safe lower bound on D (0 whenever a decision is too close to call at
d = 0, e.g. an exact tie whose two sides move differently).  The add1 loop then jumps straight
to the first increment that can differ; every run it actually makes is computed exactly as
usual, so the returned outcome is the one pabutools returns.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from ._mes_engine import MesProblem, MesRun

__all__ = ["stable_extra"]

_TOL = 1e-9  # relative margin: closer than this at d = 0 is "too close to call"
_INF = math.inf


def _first_root(f0: npt.NDArray[np.float64], f1: npt.NDArray[np.float64]) -> float:
    """Smallest d > 0 with f0 + f1 d = 0, for functions positive at 0 (inf if none)."""
    neg = f1 < 0
    if not neg.any():
        return _INF
    return float((f0[neg] / -f1[neg]).min())


def stable_extra(prob: MesProblem, run: MesRun) -> float:
    """A lower bound D on the extra budget per voter for which MES repeats ``run``'s decisions:
    every run with initial budget ``run.per_voter + d``, 0 <= d < D, selects the same projects in
    the same order.  Returns 0.0 when it cannot certify anything."""
    x = float(run.per_voter)
    G = prob.num_groups
    a = np.full(G, x, dtype=np.float64)
    s = np.ones(G, dtype=np.float64)
    costs = prob.costs
    ranks = prob.ranks
    remaining = set(prob.candidates)
    bound = _INF
    changed = np.full(G, -1, dtype=np.int64)

    def form(q: int, rnd: int) -> tuple[float, float] | None:
        """Affine lower bound r0 + r1 d on rho of q (None if unaffordable); tightens ``bound``.

        rho(d) is convex in d (it is the lower boundary of {(rho, d): sum_i W min(a_i + s_i d,
        rho u_i) >= cost}, a superlevel set of a concave function), so its tangent at d = 0 is
        a lower bound for every d >= 0: a competitor's split into poor and rich supporters may
        change without affecting the bound."""
        nonlocal bound
        pr = prob.projects[q]
        cost = float(costs[q])
        b = a[pr.sup]
        sl = s[pr.sup]
        m0 = float((pr.wf * b).sum())
        m1 = float((pr.wf * sl).sum())
        if abs(m0 - cost) <= _TOL * cost:
            bound = 0.0
            return None
        if m0 < cost:  # unaffordable: stays so while m0 + m1 d < cost
            if m1 > 0:
                bound = min(bound, (cost - m0) / m1)
            return None
        ratio = b / pr.uf
        rho = cost / float(pr.wuf.sum())
        poor = ratio < rho
        npoor = int(poor.sum())
        while npoor:
            rho = (cost - float((pr.wf * b)[poor].sum())) / float(pr.wuf[~poor].sum())
            poor = ratio < rho
            n2 = int(poor.sum())
            if n2 == npoor:
                break
            npoor = n2
        rich = ~poor
        u_rich = float(pr.wuf[rich].sum())
        r0 = (cost - float((pr.wf * b)[poor].sum())) / u_rich
        r1 = -float((pr.wf * sl)[poor].sum()) / u_rich
        return (r0, r1)

    def winner_partition(w: int, r0: float, r1: float) -> None:
        """The winner's poor/rich split (who pays all they have) must not change."""
        nonlocal bound
        pr = prob.projects[w]
        b = a[pr.sup]
        sl = s[pr.sup]
        gap = r0 * pr.uf - b  # > 0 for poor, < 0 for rich
        if (np.abs(gap) <= _TOL * (np.abs(b) + r0 * pr.uf)).any():
            bound = 0.0
            return
        poor = gap > 0
        slope = r1 * pr.uf - sl
        if poor.any():
            bound = min(bound, _first_root(gap[poor], slope[poor]))
        if (~poor).any():
            bound = min(bound, _first_root(-gap[~poor], -slope[~poor]))

    # Competitors are handled lazily: a tangent computed in an earlier round stays a lower
    # bound on rho later (budgets only shrink during a run), and a project unaffordable in some
    # round stays unaffordable at least until the root computed then.  A competitor is
    # re-evaluated only when its stale bound would limit D.
    m = len(prob.projects)
    r0 = np.full(m, np.nan)
    r1 = np.full(m, np.nan)
    fresh_at = np.full(m, -1, dtype=np.int64)
    rank_arr = np.asarray(ranks, dtype=np.int64)

    def refresh(q: int, rnd: int) -> None:
        f = form(q, rnd)
        fresh_at[q] = rnd
        if f is None:
            r0[q] = r1[q] = np.nan  # unaffordable: ``form`` recorded its root in ``bound``
        else:
            r0[q], r1[q] = f

    def is_dirty(q: int) -> bool:
        sup = prob.projects[q].sup
        return bool(len(sup)) and int(changed[sup].max()) >= fresh_at[q]

    for q in remaining:
        refresh(q, 0)
    for rnd, rec in enumerate(run.rounds):
        if bound <= 0.0:
            return 0.0
        w = rec.project
        if fresh_at[w] < 0 or is_dirty(w):
            refresh(w, rnd)
        if np.isnan(r0[w]) or abs(r0[w] - rec.rho_f) > 1e-6 * abs(rec.rho_f):
            return 0.0  # the replay does not agree with the exact run: certify nothing
        w0, w1 = float(r0[w]), float(r1[w])
        winner_partition(w, w0, w1)
        others = [q for q in remaining if q != w and not np.isnan(r0[q])]
        for attempt in range(2):
            if not others:
                break
            idx = np.asarray(others, dtype=np.int64)
            f0 = r0[idx] - w0
            f1 = r1[idx] - w1
            tie = np.abs(f0) <= _TOL * abs(w0)
            later = rank_arr[idx] > ranks[w]
            ok_tie = (
                tie
                & later
                & ((f1 > _TOL * (abs(w1) + np.abs(r1[idx]))) | ((f1 == 0.0) & (r1[idx] == 0.0) & (w1 == 0.0)))
            )
            bad = (tie & ~ok_tie) | (~tie & (f0 < 0))
            with np.errstate(divide="ignore", invalid="ignore"):
                roots = np.where(~tie & (f1 < 0), f0 / -f1, _INF)
            limiting = bad | (roots < bound)
            if attempt == 1 or not limiting.any():
                if bad.any():
                    return 0.0
                if len(roots):
                    bound = min(bound, float(roots.min()))
                break
            # re-evaluate the limiting competitors whose supporters paid since their tangent
            redo = [int(q) for q in idx[limiting] if is_dirty(int(q))]
            if not redo:
                attempt = 1
                if bad.any():
                    return 0.0
                bound = min(bound, float(roots.min()))
                break
            for q in redo:
                refresh(q, rnd)
            others = [q for q in others if not np.isnan(r0[q])]
        # pay: poor supporters are exhausted, rich ones pay rho * u
        pr = prob.projects[w]
        b = a[pr.sup]
        due = w0 * pr.uf
        poor = b < due
        idx_p = pr.sup[poor]
        idx_r = pr.sup[~poor]
        a[idx_r] -= due[~poor]
        s[idx_r] -= w1 * pr.uf[~poor]
        a[idx_p] = 0.0
        s[idx_p] = 0.0
        changed[pr.sup] = rnd
        remaining.discard(w)
    # at the end every remaining project must stay unaffordable
    end = len(run.rounds)
    for q in remaining:
        if form(q, end) is not None or bound <= 0.0:
            return 0.0
    return max(bound, 0.0)
