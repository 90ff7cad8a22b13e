"""Build pabutools objects from a coopgov election (test-only oracle glue).

pabutools' own parser is slow on 100,000-voter files, so the oracle tests feed it multiprofiles
built from coopgov's grouped ballots: same projects (pabutools ``Project.name`` = pabulib
``project_id``), same costs and budget, same ballots with the same multiplicities.
"""

from __future__ import annotations

from fractions import Fraction

from pabutools.election import (
    AdditiveSatisfaction,
    ApprovalMultiProfile,
    Cardinality_Sat,
    CardinalMultiProfile,
    Cost_Sat,
    FrozenApprovalBallot,
    FrozenCardinalBallot,
    Instance,
    Project,
)
from pabutools.election.satisfaction import Additive_Cardinal_Sat
from pabutools.rules import greedy_utilitarian_welfare

from coopgov.budgeting import Election


def to_pabutools(election: Election, scoring: str = "approval"):
    """(instance, multiprofile).  ``scoring`` 'approval'/'cost' → approval profile; otherwise a
    cardinal profile carrying coopgov's utilities for that scoring (points, krakow-321, borda)."""
    projects = [Project(p.id, p.cost) for p in election.instance.projects]
    budget = election.instance.budget
    inst = Instance(projects, budget_limit=budget if isinstance(budget, int) else Fraction(budget))
    if scoring in ("approval", "cost"):
        prof = ApprovalMultiProfile(instance=inst)
        for b in election.profile.ballots:
            ballot = FrozenApprovalBallot([projects[i] for i in b.items])
            prof[ballot] = prof.get(ballot, 0) + b.multiplicity
        return inst, prof
    table = election.utilities(scoring)
    per_group: list[dict[Project, int]] = [{} for _ in election.profile.ballots]
    for p, (sup, uti) in enumerate(zip(table.supporters, table.utilities, strict=True)):
        for g, u in zip(sup, uti, strict=True):
            per_group[g][projects[p]] = u
    prof = CardinalMultiProfile(instance=inst)
    for b, d in zip(election.profile.ballots, per_group, strict=True):
        ballot = FrozenCardinalBallot(d)
        prof[ballot] = prof.get(ballot, 0) + b.multiplicity
    return inst, prof


def _cost_weighted(instance, profile, ballot, project, precomputed):
    return ballot.get(project, 0) * project.cost


class CostWeightedCardinalSat(AdditiveSatisfaction):
    """Points x cost: makes pabutools' 'score per cost' greedy rank by points (greedy by votes)."""

    def __init__(self, instance, profile, ballot):
        AdditiveSatisfaction.__init__(self, instance, profile, ballot, _cost_weighted)


def score_profile(election: Election, scoring: str):
    """A small profile with the same per-project totals: one ballot per project.

    pabutools evaluates the satisfaction of every distinct ballot for every project (about a
    minute for Budapest's 20,000 distinct ballots).  Its greedy rules depend on the ballots only
    through each project's total satisfaction, so a profile where project ``p`` alone is approved
    by its ``support(p)`` voters (approval) or gets all its points from one ballot (points) gives
    pabutools the same decision problem.  The totals themselves are checked separately against
    the figures the files publish (test_pabulib)."""
    projects = [Project(p.id, p.cost) for p in election.instance.projects]
    budget = election.instance.budget
    inst = Instance(projects, budget_limit=budget if isinstance(budget, int) else Fraction(budget))
    table = election.utilities(scoring)
    if scoring in ("approval", "cost"):
        prof = ApprovalMultiProfile(instance=inst)
        for i, p in enumerate(projects):
            if table.support(i):
                prof[FrozenApprovalBallot([p])] = table.support(i)
        return inst, prof
    prof = CardinalMultiProfile(instance=inst)
    for i, p in enumerate(projects):
        if table.total_utility(i):
            prof[FrozenCardinalBallot({p: table.total_utility(i)})] = 1
    return inst, prof


def pabutools_greedy(election: Election, scoring: str, by_cost: bool, *, max_groups: int = 2000) -> set[str]:
    """Project ids selected by pabutools' greedy_utilitarian_welfare (lexico tie-breaking).

    Profiles with more than ``max_groups`` distinct ballots go to pabutools as
    :func:`score_profile` (same decision, a minute faster)."""
    if len(election.profile.ballots) > max_groups:
        inst, prof = score_profile(election, scoring)
    else:
        inst, prof = to_pabutools(election, scoring)
    if scoring in ("approval", "cost"):
        sat = Cardinality_Sat if by_cost else Cost_Sat
    else:
        sat = Additive_Cardinal_Sat if by_cost else CostWeightedCardinalSat
    out = greedy_utilitarian_welfare(inst, prof, sat_class=sat)
    return {p.name for p in out}
