"""From a process's shortlist and stored ballots to the budgeting engine and back.  Plain Python:
no Django import, so it can be tested and benchmarked on its own.

What is counted
---------------
* Each ring-fenced area (district or category) is a separate election with its own budget, as
  Warsaw and Kraków run their district budgets: the projects of that area, and the part of every
  ballot that concerns them.  A voter who chose nothing in an area is not a voter *in that area*
  (they take no share of its budget under Method of Equal Shares).  Without ring-fencing there is
  one election with the whole pot.  The engine's greedy rule has ring-fenced sub-budgets of its own,
  but Method of Equal Shares does not, so both rules are run per area, the same way, and the
  results are comparable.
* The rule is the one the process named before voting opened (``mes`` by default) with its
  completion; the greedy rule (by votes, skipping projects that do not fit — what almost every city
  uses) is computed alongside for comparison.
* Ballot types map to pabulib vote types: approval and knapsack → ``approval`` (pabulib stores
  knapsack ballots as approval), points → ``cumulative``, ranked → ``ordinal``.  Project ids are the
  idea ids as strings, so an exported ``.pb`` file can be read back and counted by anyone.

Default completion: ``add1``.  The cities that adopted the Method of Equal Shares (Wieliczka's
Green Budget 2023 and Świecie 2023 in the shared data, also Aarau and Assen) all complete it with
"Add1" — raise every voter's share by one unit until the outcome uses the budget — rather than a
utilitarian greedy top-up, because add1 keeps the whole outcome proportional.  ``utilitarian`` is
offered for very large processes where add1's repeated runs are too slow.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import pairwise
from typing import Any

from coopgov.budgeting import (
    Ballot,
    BallotConstraints,
    BudgetingError,
    Election,
    Instance,
    Outcome,
    Profile,
    Project,
    allocate,
)
from coopgov.budgeting._pabulib import write_pabulib

__all__ = [
    "VOTE_TYPE",
    "AreaSpec",
    "ProjectSpec",
    "TallySpec",
    "build_election",
    "count",
    "decode_choices",
    "encode_choices",
    "outcome_json",
    "pb_text",
]

VOTE_TYPE: Mapping[str, str] = {
    "approval": "approval",
    "knapsack": "approval",
    "points": "cumulative",
    "ranked": "ordinal",
}

GREEDY = "greedy"


@dataclass(frozen=True, slots=True)
class ProjectSpec:
    id: int
    name: str
    cost: int
    area: str  # area slug, "" without ring-fencing
    category: str = ""


@dataclass(frozen=True, slots=True)
class AreaSpec:
    slug: str  # "" for the whole pot
    name: str
    budget: int


@dataclass(frozen=True, slots=True)
class TallySpec:
    title: str
    currency: str
    ballot_type: str
    rule: str
    completion: str | None
    areas: tuple[AreaSpec, ...]
    projects: tuple[ProjectSpec, ...]
    max_choices: int | None = None
    total_points: int | None = None
    meta: Mapping[str, str] = field(default_factory=dict)


def encode_choices(ballot_type: str, choices: Any) -> str:
    """A ballot as stored: idea ids joined by commas (``"12,15,19"``; in preference order for
    ranked ballots, ascending otherwise), or ``id:points`` pairs for points ballots
    (``"12:3,15:2"``).  Identical ballots have identical text, so they group as plain strings."""
    if ballot_type == "points":
        return ",".join(f"{int(i)}:{int(p)}" for i, p in sorted((int(i), int(p)) for i, p in choices) if p > 0)
    if ballot_type == "ranked":
        return ",".join(str(int(i)) for i in choices)
    return ",".join(str(i) for i in sorted(int(i) for i in choices))


def decode_choices(ballot_type: str, text: str) -> Any:
    """The inverse of :func:`encode_choices`: a list of ids, or of ``[id, points]`` pairs."""
    if not text:
        return []
    if ballot_type == "points":
        return [[int(a), int(b)] for a, b in (pair.split(":") for pair in text.split(","))]
    return [int(x) for x in text.split(",")]


def _group(stored: Iterable[str], index: Mapping[int, int], ballot_type: str) -> tuple[Ballot, ...]:
    """Group the stored ballot texts (identical texts first, as strings: cheap for 100,000 voters),
    restrict each distinct ballot to the projects in ``index`` (idea id -> position), and regroup."""
    counter: Counter[tuple[tuple[int, ...], tuple[int, ...] | None]] = Counter()
    ids = sorted(index)
    # Stored approval ballots list ids ascending; when positions rise with ids the restricted ballot
    # is already in order and needs no sort (the usual case: one pot, projects in id order).
    monotonic = all(index[a] < index[b] for a, b in pairwise(ids))
    get = index.get
    for text, n in Counter(stored).items():
        if ballot_type in ("approval", "knapsack") and monotonic:
            found = [get(int(x)) for x in text.split(",")] if text else []
            items = tuple(p for p in found if p is not None)
            if items:
                counter[(items, None)] += n
            continue
        ch = decode_choices(ballot_type, text)
        if ballot_type == "points":
            pairs = sorted((index[i], p) for i, p in ch if i in index and p > 0)
            if pairs:
                counter[(tuple(i for i, _ in pairs), tuple(p for _, p in pairs))] += n
            continue
        items = tuple(index[i] for i in ch if i in index)
        if ballot_type != "ranked":
            items = tuple(sorted(items))
        if items:
            counter[(items, None)] += n
    # Sorted so that the same ballots always give the same profile (and the same .pb file).
    return tuple(
        Ballot(items=items, points=points, multiplicity=n)
        for (items, points), n in sorted(counter.items(), key=lambda kv: (kv[0][0], kv[0][1] or ()))
    )


def build_election(spec: TallySpec, area: AreaSpec, ballots: Sequence[str]) -> Election:
    """The engine's :class:`Election` for one area (or the whole pot)."""
    projects = [p for p in spec.projects if p.area == area.slug]
    index = {p.id: i for i, p in enumerate(projects)}
    vote_type = VOTE_TYPE[spec.ballot_type]
    meta: dict[str, str] = {
        "description": spec.title + (f" — {area.name}" if area.slug else ""),
        "country": "United Kingdom",
        "unit": spec.title,
        "instance": area.name or spec.title,
        "num_projects": str(len(projects)),
        "num_votes": "0",
        "budget": str(area.budget),
        "vote_type": vote_type,
        "rule": spec.rule + (f"-{spec.completion}" if spec.completion else ""),
        "currency": spec.currency,
    }
    if area.slug:
        meta["subunit"] = area.name
    if spec.max_choices is not None and spec.ballot_type != "points":
        meta["max_length"] = str(spec.max_choices)
    if spec.ballot_type == "points" and spec.total_points is not None:
        meta["max_sum_points"] = str(spec.total_points)
    if spec.ballot_type == "knapsack":
        meta["max_sum_cost"] = str(area.budget)
    meta.update(spec.meta)
    instance = Instance(
        meta=meta,
        budget=area.budget,
        projects=tuple(
            Project(
                id=str(p.id),
                cost=p.cost,
                name=p.name,
                categories=(p.category,) if p.category else (),
                district=area.name if area.slug else None,
            )
            for p in projects
        ),
    )
    grouped = _group(ballots, index, spec.ballot_type)
    profile = Profile(
        vote_type=vote_type,
        ballots=grouped,
        constraints=BallotConstraints(
            max_length=spec.max_choices if spec.ballot_type != "points" else None,
            max_sum_points=spec.total_points if spec.ballot_type == "points" else None,
        ),
    )
    meta["num_votes"] = str(profile.num_voters)
    return Election(instance, profile)


def _run(election: Election, rule: str, completion: str | None) -> Outcome:
    if not election.profile.ballots:
        return Outcome(rule=rule, selected=(), total_cost=0)
    return allocate(election, rule, completion=completion if rule == "mes" else None)


def _money(x: object) -> str:
    if isinstance(x, Fraction):
        return str(x.numerator) if x.denominator == 1 else f"{float(x):.2f}"
    return str(x)


def outcome_json(election: Election, outcome: Outcome) -> dict[str, Any]:
    """What is kept and published of one run: selection, explanation per project, ties."""
    projects = election.instance.projects
    return {
        "rule": outcome.rule,
        "selected": [projects[i].id for i in outcome.selected],
        "total_cost": _money(outcome.total_cost),
        "ties": list(outcome.ties),
        "explanations": {
            projects[i].id: {"funded": e.funded, "text": e.text} for i, e in sorted(outcome.explanations.items())
        },
    }


def pb_text(election: Election, selected: Iterable[int] | None = None) -> str:
    buf = io.StringIO()
    write_pabulib(election, buf, selected=selected)
    return buf.getvalue()


def count(spec: TallySpec, ballots: Sequence[str]) -> dict[str, Any]:
    """Count every area with the process's rule and with greedy; return the published data.

    ``ballots`` are the stored ``Ballot.choices`` texts (see :func:`encode_choices`).  Raises
    :class:`BudgetingError` if the engine refuses the input.
    """
    areas_out: list[dict[str, Any]] = []
    pb_files: dict[str, str] = {}
    for area in spec.areas:
        election = build_election(spec, area, ballots)
        main = _run(election, spec.rule, spec.completion)
        greedy = main if spec.rule == GREEDY else _run(election, GREEDY, None)
        projects = election.instance.projects
        votes = [0] * len(projects)
        score = [0] * len(projects)
        for b in election.profile.ballots:
            for pos, i in enumerate(b.items):
                votes[i] += b.multiplicity
                if b.points is not None:
                    score[i] += b.multiplicity * b.points[pos]
        areas_out.append(
            {
                "slug": area.slug or "all",
                "name": area.name,
                "budget": area.budget,
                "voters": election.profile.num_voters,
                "main": outcome_json(election, main),
                "greedy": outcome_json(election, greedy),
                "votes": {p.id: votes[i] for i, p in enumerate(projects)},
                "points": {p.id: score[i] for i, p in enumerate(projects)} if spec.ballot_type == "points" else {},
            }
        )
        pb_files[area.slug or "all"] = pb_text(election, main.selected)
    return {
        "rule": spec.rule,
        "completion": spec.completion,
        "ballot_type": spec.ballot_type,
        "currency": spec.currency,
        "areas": areas_out,
        "pb_files": pb_files,
    }


__all__ += ["BudgetingError"]
