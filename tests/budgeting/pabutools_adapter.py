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


def pabutools_greedy(election: Election, scoring: str, by_cost: bool) -> set[str]:
    """Project ids selected by pabutools' greedy_utilitarian_welfare (lexico tie-breaking)."""
    inst, prof = to_pabutools(election, scoring)
    if scoring in ("approval", "cost"):
        sat = Cardinality_Sat if by_cost else Cost_Sat
    else:
        sat = Additive_Cardinal_Sat if by_cost else CostWeightedCardinalSat
    out = greedy_utilitarian_welfare(inst, prof, sat_class=sat)
    return {p.name for p in out}
