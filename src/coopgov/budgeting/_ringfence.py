"""Ring-fenced sub-budgets for any rule (the greedy rules handle them natively).

A city may split its budget into pots: so much for green projects, so much for each district.
Each pot is allocated separately, in the order given, by the chosen rule run on the projects of its
category (or district) alone, with the pot as the budget and every voter taking part (a voter's
ballot is restricted to that pot's projects).  Then the *general pot* — the budget minus the pots —
is allocated the same way among the projects in no ring-fenced group.  Money a pot does not spend
is, by ``leftover``:

* ``"discard"`` (default) — not spent: ring-fencing is strict;
* ``"pool"`` — added to the general pot, which is then open to every project not yet funded.

A project listed in several ring-fenced categories belongs to the first pot that names one of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from types import MappingProxyType

from ._model import (
    Amount,
    Ballot,
    BudgetingError,
    Election,
    Instance,
    Number,
    Outcome,
    Profile,
    ProjectExplanation,
)

__all__ = ["pots_for", "ring_fenced", "sub_election"]


def pots_for(
    election: Election, sub_budgets: Mapping[str, Number], ring_fence: object
) -> list[tuple[str, Number, tuple[int, ...]]]:
    """(label, amount, project indices) for every pot, checked against the projects."""
    if ring_fence not in ("category", "district"):
        raise BudgetingError("sub-budgets need ring_fence 'category' or 'district'")
    projects = election.instance.projects
    known: set[str] = set()
    for p in projects:
        if ring_fence == "category":
            known.update(p.categories)
        elif p.district is not None:
            known.add(p.district)
    pots: list[tuple[str, Number, tuple[int, ...]]] = []
    taken: set[int] = set()
    total: Number = 0
    for label, amount in sub_budgets.items():
        if label not in known:
            raise BudgetingError(f"no project has {ring_fence} {label!r} (known: {', '.join(sorted(known)) or 'none'})")
        if amount < 0:
            raise BudgetingError(f"sub-budget for {label!r} is negative")
        members = []
        for i, p in enumerate(projects):
            groups = p.categories if ring_fence == "category" else (p.district,)
            if i not in taken and label in groups:
                members.append(i)
        taken.update(members)
        total += amount
        pots.append((label, amount, tuple(members)))
    if total > election.instance.budget:
        raise BudgetingError(f"the sub-budgets add up to {total}, more than the budget of {election.instance.budget}")
    return pots


def sub_election(election: Election, keep: Sequence[int], budget: Number) -> Election:
    """The election restricted to projects ``keep`` (in that order) with budget ``budget``.

    Every ballot group is kept, in the same position (so group indices, and payments, carry
    over), with its items restricted to ``keep``."""
    new_index = {old: new for new, old in enumerate(keep)}
    ballots = []
    for b in election.profile.ballots:
        if b.points is None:
            items = tuple(new_index[i] for i in b.items if i in new_index)
            ballots.append(Ballot(items, None, b.multiplicity, b.voter_ids))
        else:
            pairs = [(new_index[i], x) for i, x in zip(b.items, b.points, strict=True) if i in new_index]
            ballots.append(Ballot(tuple(i for i, _ in pairs), tuple(x for _, x in pairs), b.multiplicity, b.voter_ids))
    inst = election.instance
    meta = dict(inst.meta)
    meta["budget"] = str(budget)
    instance = Instance(MappingProxyType(meta), budget, tuple(inst.projects[i] for i in keep))
    prof = election.profile
    return Election(instance, Profile(prof.vote_type, tuple(ballots), prof.constraints))


def ring_fenced(
    election: Election,
    run: Callable[[Election], Outcome],
    sub_budgets: Mapping[str, Number],
    ring_fence: object,
    leftover: object = "discard",
) -> Outcome:
    """Run ``run`` (a rule bound to its options) pot by pot and merge the outcomes."""
    if leftover not in ("discard", "pool"):
        raise BudgetingError(f"leftover must be 'discard' or 'pool', not {leftover!r}")
    pots = pots_for(election, sub_budgets, ring_fence)
    m = len(election.instance.projects)
    in_pot = {i for _, _, members in pots for i in members}
    general: Number = election.instance.budget - sum((a for _, a, _ in pots), Fraction(0))
    if isinstance(general, Fraction) and general.denominator == 1:
        general = general.numerator
    selected: list[int] = []
    total: Number = 0
    ties: list[str] = []
    explanations: dict[int, ProjectExplanation] = {}
    payments: dict[int, dict[int, Amount]] = {}
    any_payments = False
    left_over: dict[str, Number] = {}
    stages: list[tuple[str, Number, tuple[int, ...]]] = list(pots)
    stages.append(("general", general, tuple(i for i in range(m) if i not in in_pot)))
    rule_name = ""
    for label, amount, members in stages:
        if label == "general" and leftover == "pool":
            amount = amount + sum(left_over.values())
            chosen = set(selected)
            members = tuple(i for i in range(m) if i not in chosen)
        if not members:
            left_over[label] = amount
            continue
        out = run(sub_election(election, members, amount))
        rule_name = out.rule
        picked = [members[p] for p in out.selected]
        selected.extend(picked)
        total += out.total_cost
        left_over[label] = amount - out.total_cost
        where = "the general budget" if label == "general" else f"the {label} budget"
        ties.extend(f"In {where}: {t}" for t in out.ties)
        for p, ex in out.explanations.items():
            explanations[members[p]] = ProjectExplanation(
                ex.funded, f"In {where} ({amount:,}): {ex.text}", {**ex.data, "pot": label}
            )
        if out.payments is not None:
            any_payments = True
            for g, paid in out.payments.items():
                for p, a in paid.items():
                    payments.setdefault(g, {})[members[p]] = a
    for i in range(m):
        if i not in explanations:
            explanations[i] = ProjectExplanation(
                False, "It was in no budget pot that was spent, so it was not funded.", {}
            )
    return Outcome(
        rule=rule_name,
        selected=tuple(selected),
        total_cost=total,
        ties=tuple(ties),
        explanations=explanations,
        payments=payments if any_payments else None,
        details={"pots": {label: a for label, a, _ in pots}, "leftover": left_over},
    )
