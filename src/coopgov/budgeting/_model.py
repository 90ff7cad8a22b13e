"""The data model shared by every participatory-budgeting rule.

This module is the contract between the file formats (pabulib, CSV, JSON), the rules (greedy, Method
of Equal Shares, sequential Phragmén) and the outputs (explanations, reports).  It deliberately
has no dependency beyond the standard library.

Layers
------
* :class:`Instance` — the budget and the projects (pabulib ``META`` and ``PROJECTS``).
* :class:`Profile` — the ballots (pabulib ``VOTES``), *grouped*: identical ballots are merged into
  one :class:`Ballot` with a ``multiplicity`` and the ids of the voters who cast it.
* :class:`Election` — an instance plus a profile.  :meth:`Election.utilities` turns it into the
  array-style :class:`UtilityTable` that the rules consume.
* :class:`Outcome` — what a rule returns, with an explanation for every project.

Numbers
-------
Costs are integers (every pabulib file publishes whole units of currency; a cost such as
``4000.0`` is accepted because it is an integer written as a decimal).  The budget may be a decimal
string such as ``2532645.83``: it is then kept exactly as a :class:`fractions.Fraction`, never as a
binary float.  Points on cumulative/scoring ballots are integers.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from operator import attrgetter
from types import MappingProxyType
from typing import Literal, NamedTuple, TypeAlias

__all__ = [
    "SCORINGS",
    "TIE_BREAKINGS",
    "VOTE_TYPES",
    "Amount",
    "Ballot",
    "BallotConstraints",
    "BudgetingError",
    "Election",
    "Instance",
    "Number",
    "Outcome",
    "Profile",
    "Project",
    "ProjectExplanation",
    "UtilityTable",
    "tie_ranks",
]

Number: TypeAlias = int | Fraction
"""An exact number: budgets (possibly non-integer) and exact payments."""

Amount: TypeAlias = int | Fraction | float
"""Money as a rule reports it: exact (int/Fraction) in exact mode, maybe float in fast mode."""

VoteType: TypeAlias = Literal["approval", "cumulative", "scoring", "ordinal", "choose-1"]
VOTE_TYPES: tuple[str, ...] = ("approval", "cumulative", "scoring", "ordinal", "choose-1")

SCORINGS: tuple[str, ...] = ("approval", "cost", "points", "positional", "borda", "krakow-321")
"""Ways of turning a ballot into utilities; see :meth:`Election.utilities`."""

TIE_BREAKINGS: tuple[str, ...] = ("lexico", "min-cost", "max-cost", "max-support")
"""Tie-breaking orders; see :func:`tie_ranks`.  ``lexico`` is the default, as in pabutools."""

_EMPTY: Mapping[str, str] = MappingProxyType({})


@contextmanager
def building_many_objects() -> Iterator[None]:
    """Pause Python's cycle collector while a reader or a table builds hundreds of thousands of
    tuples (none of them in a cycle): its passes over them cost about 15% of the reading time.
    The collector is restored as it was, and nothing is lost (it runs at its next turn)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class BudgetingError(Exception):
    """A user mistake in budgeting input: bad file, bad option.  Carries where it was found.

    ``str(error)`` is one line: ``FILE:LINE: message`` (``FILE: message`` without a line, or just
    ``message`` without a file).  The command line prints it and exits with status 2.
    """

    def __init__(self, message: str, file: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = f"{self.file}:{self.line}: " if self.line is not None else f"{self.file}: "
        return where + self.message

    def with_file(self, file: str) -> BudgetingError:
        """The same error, located in ``file`` (when it had no file yet)."""
        if self.file is None:
            self.file = file
        return self


@dataclass(frozen=True, slots=True)
class Project:
    """One project that can be funded.

    ``votes``, ``score`` and ``selected`` are the figures published in the pabulib file (number of
    supporters, total points, funded by the city), ``None`` when the file does not give them.
    ``extra`` holds any other column (``description``, ``latitude``, ``proposer``, …).
    """

    id: str
    cost: int
    name: str = ""
    categories: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    district: str | None = None
    extra: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    votes: int | None = None
    score: int | None = None
    selected: int | None = None

    @property
    def label(self) -> str:
        """``name`` if there is one, else ``project <id>``."""
        return self.name or f"project {self.id}"


@dataclass(frozen=True, slots=True)
class Instance:
    """The budget and the projects.  ``meta`` is the pabulib META section, verbatim."""

    meta: Mapping[str, str]
    budget: Number
    projects: tuple[Project, ...]

    def index(self) -> dict[str, int]:
        """Map project id -> position in :attr:`projects`."""
        return {p.id: i for i, p in enumerate(self.projects)}

    @property
    def costs(self) -> tuple[int, ...]:
        return tuple(p.cost for p in self.projects)

    @property
    def rule_used(self) -> str | None:
        """The rule the organiser used, as named in META ``rule`` (``None`` if absent/unknown)."""
        rule = self.meta.get("rule")
        return None if rule in (None, "", "unknown") else rule

    @property
    def currency(self) -> str:
        return self.meta.get("currency", "")

    def selected_by_organiser(self) -> tuple[int, ...] | None:
        """Indices of projects flagged ``selected`` (value >= 1) in the file, or ``None``."""
        if all(p.selected is None for p in self.projects):
            return None
        return tuple(i for i, p in enumerate(self.projects) if p.selected)


@dataclass(frozen=True, slots=True)
class BallotConstraints:
    """The ballot rules announced in META (all optional)."""

    min_length: int | None = None
    max_length: int | None = None
    min_sum_points: int | None = None
    max_sum_points: int | None = None
    min_points: int | None = None
    max_points: int | None = None
    min_sum_cost: Number | None = None
    max_sum_cost: Number | None = None


class Ballot(NamedTuple):
    """A group of identical ballots (a NamedTuple: cheap to build for 100,000-voter files).

    ``items`` are project indices (into ``Instance.projects``).  For ordinal ballots they are in
    preference order; for every other type they are sorted ascending so identical ballots group
    together.  ``points`` is parallel to ``items`` for cumulative/scoring ballots, else ``None``.
    ``multiplicity`` voters cast this ballot; ``voter_ids`` are their ids when the file gives them
    (same length as ``multiplicity`` then, else empty).
    """

    items: tuple[int, ...]
    points: tuple[int, ...] | None
    multiplicity: int
    voter_ids: tuple[str, ...] = ()


_MULTIPLICITY = attrgetter("multiplicity")
"""A ballot group's voter count (``map`` with it is several times faster than a generator on
100,000-ballot files)."""


@dataclass(frozen=True, slots=True)
class Profile:
    """All ballots, grouped.  ``num_voters`` is the sum of multiplicities.

    ``voter_attributes`` optionally maps voter id -> extra VOTES columns (age, sex, …); readers fill
    it only when asked to (it costs memory on 100,000-voter files).
    """

    vote_type: str
    ballots: tuple[Ballot, ...]
    constraints: BallotConstraints = BallotConstraints()
    voter_attributes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    attribute_columns: tuple[str, ...] = ()

    @property
    def num_voters(self) -> int:
        return sum(map(_MULTIPLICITY, self.ballots))


@dataclass(frozen=True, slots=True)
class UtilityTable:
    """The array-style input every rule consumes (all tuples, indices are ints).

    * ``costs[p]`` — cost of project ``p``; ``budget`` — the money to spend.
    * ``voter_weights[g]`` — number of voters in ballot group ``g`` (its multiplicity).
    * ``supporters[p]`` — the groups with a positive utility for ``p``, ascending.
    * ``utilities[p]`` — parallel to ``supporters[p]``: the (integer, positive) utility of *one
      voter* of that group for ``p``.
    * ``project_ids`` — for tie-breaking and messages; ``scoring`` — how utilities were made.
    """

    costs: tuple[int, ...]
    budget: Number
    voter_weights: tuple[int, ...]
    supporters: tuple[tuple[int, ...], ...]
    utilities: tuple[tuple[int, ...], ...]
    project_ids: tuple[str, ...]
    scoring: str = "approval"

    @property
    def num_projects(self) -> int:
        return len(self.costs)

    @property
    def num_groups(self) -> int:
        return len(self.voter_weights)

    @property
    def num_voters(self) -> int:
        return sum(self.voter_weights)

    def support(self, p: int) -> int:
        """Number of voters with positive utility for project ``p``."""
        w = self.voter_weights
        return sum(w[g] for g in self.supporters[p])

    def total_utility(self, p: int) -> int:
        """Sum over voters of their utility for ``p`` (the 'score' greedy rules rank by)."""
        w = self.voter_weights
        return sum(w[g] * u for g, u in zip(self.supporters[p], self.utilities[p], strict=True))


def tie_ranks(table: UtilityTable, tie_breaking: str = "lexico") -> tuple[int, ...]:
    """Rank of every project under a tie-breaking order: among tied projects, lowest rank wins.

    * ``lexico`` (default) — by project id, compared as strings (Python ``str`` order).  This is
      exactly pabutools' ``lexico_tie_breaking``, which sorts on ``Project.name`` — and its pabulib
      parser stores the ``project_id`` column in ``name``.  Note that ``"10" < "9"`` as strings.
    * ``min-cost`` / ``max-cost`` — cheaper / dearer first, then ``lexico``.
    * ``max-support`` — more supporters first, then ``lexico``.
    """
    ids = table.project_ids
    n = len(ids)
    if tie_breaking == "lexico":
        order = sorted(range(n), key=lambda p: ids[p])
    elif tie_breaking == "min-cost":
        order = sorted(range(n), key=lambda p: (table.costs[p], ids[p]))
    elif tie_breaking == "max-cost":
        order = sorted(range(n), key=lambda p: (-table.costs[p], ids[p]))
    elif tie_breaking == "max-support":
        order = sorted(range(n), key=lambda p: (-table.support(p), ids[p]))
    else:
        raise BudgetingError(f"unknown tie-breaking {tie_breaking!r} (choose from {', '.join(TIE_BREAKINGS)})")
    ranks = [0] * n
    for r, p in enumerate(order):
        ranks[p] = r
    return tuple(ranks)


@dataclass(frozen=True, slots=True)
class Election:
    """An instance and a profile over its projects."""

    instance: Instance
    profile: Profile

    def utilities(self, scoring: str = "approval") -> UtilityTable:
        """The low-level table for a rule, with utilities made by ``scoring``:

        * ``approval`` — 1 for every project on the ballot (approval, choose-1; on other types every
          listed project counts 1).
        * ``cost`` — the project's cost for every project on the ballot ("cost utilities", the
          standard model for Method of Equal Shares with approval ballots).
        * ``points`` — the points the voter gave (cumulative/scoring ballots only).
        * ``borda`` — ordinal ballots: ``len(ballot) - position - 1`` (0-based position), as
          pabutools' ``Additive_Borda_Sat``; the last-ranked project gets 0 and is not a supporter.
        * ``positional`` — ordinal ballots: ``len(ballot) - position`` (the last choice gets 1, the
          first as many points as the ballot has choices).  This reproduces the ``score`` column
          pabulib publishes for every ordinal file here (Kraków, Zürich S5R, Rochester).
        * ``krakow-321`` — ordinal ballots with a fixed scale: with ballots of at most ``k``
          choices (META ``max_length``, else the longest ballot), the first choice gets ``k``
          points, the second ``k - 1``, … (3-2-1 for Kraków's three choices, whatever the length
          of the ballot).
        """
        with building_many_objects():
            return self._utilities(scoring)

    def _utilities(self, scoring: str) -> UtilityTable:
        projects = self.instance.projects
        costs = tuple(p.cost for p in projects)
        supporters, utilities = self._supporters(scoring, costs)
        return UtilityTable(
            costs=costs,
            budget=self.instance.budget,
            voter_weights=tuple(map(_MULTIPLICITY, self.profile.ballots)),
            supporters=supporters,
            utilities=utilities,
            project_ids=tuple(p.id for p in projects),
            scoring=scoring,
        )

    def _supporters(
        self, scoring: str, costs: tuple[int, ...]
    ) -> tuple[tuple[tuple[int, ...], ...], tuple[tuple[int, ...], ...]]:
        """``supporters`` and ``utilities`` of the table: built in C when the C reader was built
        and the scoring is one it knows, else here."""
        from . import _cvotes_api

        m = len(costs)
        vote_type = self.profile.vote_type
        ballots = self.profile.ballots
        if scoring not in SCORINGS:
            raise BudgetingError(f"unknown scoring {scoring!r} (choose from {', '.join(SCORINGS)})")
        if scoring == "points" and vote_type not in ("cumulative", "scoring"):
            raise BudgetingError(f"scoring 'points' needs cumulative or scoring ballots, not {vote_type}")
        if scoring in ("borda", "krakow-321", "positional") and vote_type != "ordinal":
            raise BudgetingError(f"scoring {scoring!r} needs ordinal ballots, not {vote_type}")
        top = 0  # krakow-321: points of the first choice
        if scoring == "krakow-321":
            k = self.profile.constraints.max_length
            top = k if k is not None else max((len(b.items) for b in ballots), default=0)
        fast = _cvotes_api.table(ballots, m, scoring, costs, top)
        if fast is not None:
            return fast
        sup: list[list[int]] = [[] for _ in range(m)]
        uti: list[list[int]] = [[] for _ in range(m)]
        if scoring in ("approval", "cost"):
            appenders = [s.append for s in sup]
            for g, b in enumerate(ballots):
                for p in b.items:
                    appenders[p](g)
            # every supporter of p has the same utility: its cost, or 1
            uti = [[costs[p] if scoring == "cost" else 1] * len(sup[p]) for p in range(m)]
        elif scoring == "points":
            for g, b in enumerate(ballots):
                pts = b.points if b.points is not None else (1,) * len(b.items)
                for p, x in zip(b.items, pts, strict=True):
                    if x > 0:
                        sup[p].append(g)
                        uti[p].append(x)
        else:  # ordinal scorings
            drop = 1 if scoring == "borda" else 0
            for g, b in enumerate(ballots):
                first = top if scoring == "krakow-321" else len(b.items) - drop
                for pos, p in enumerate(b.items):
                    x = first - pos
                    if x > 0:
                        sup[p].append(g)
                        uti[p].append(x)
        return tuple(tuple(s) for s in sup), tuple(tuple(u) for u in uti)

    def default_scoring(self) -> str:
        """The natural utilities for this vote type: points for cumulative/scoring, positional
        points for ordinal (the published pabulib ``score``), approval otherwise."""
        vt = self.profile.vote_type
        if vt in ("cumulative", "scoring"):
            return "points"
        if vt == "ordinal":
            return "positional"
        return "approval"


@dataclass(frozen=True, slots=True)
class ProjectExplanation:
    """Why a project was (not) funded: a sentence for voters, and the figures behind it."""

    funded: bool
    text: str
    data: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """The result of a rule.

    * ``selected`` — project indices in the order the rule selected them.
    * ``ties`` — every tie that was actually decided, in words.
    * ``explanations`` — for every project index (funded or not).
    * ``payments`` — Method of Equal Shares: group -> project -> amount paid *per voter of the
      group*; ``None`` for rules without payments.
    * ``details`` — rule-specific figures (e.g. ``"virtual_budget"`` after add1 completion,
      ``"tie_breaking"``, ``"scoring"``, ``"exact"``).
    """

    rule: str
    selected: tuple[int, ...]
    total_cost: Number
    ties: tuple[str, ...] = ()
    explanations: Mapping[int, ProjectExplanation] = field(default_factory=dict)
    payments: Mapping[int, Mapping[int, Amount]] | None = None
    details: Mapping[str, object] = field(default_factory=dict)

    def selected_set(self) -> frozenset[int]:
        return frozenset(self.selected)
