"""Participatory budgeting: pabulib/CSV/JSON files, greedy rules, Method of Equal Shares,
sequential Phragmén, explanations.  Plain Python, no Django.

    >>> from coopgov.budgeting import read_election, allocate  # doctest: +SKIP
    >>> election = read_election("Poland_Swiecie_2023.pb")      # doctest: +SKIP
    >>> outcome = allocate(election, "mes", completion="add1")  # doctest: +SKIP
"""

from __future__ import annotations

from ._model import (
    SCORINGS,
    TIE_BREAKINGS,
    VOTE_TYPES,
    Ballot,
    BallotConstraints,
    BudgetingError,
    Election,
    Instance,
    Outcome,
    Profile,
    Project,
    ProjectExplanation,
    UtilityTable,
    tie_ranks,
)
from ._registry import RULES, RuleFn, RuleSpec, allocate, register, rules

__all__ = [
    "RULES",
    "SCORINGS",
    "TIE_BREAKINGS",
    "VOTE_TYPES",
    "Ballot",
    "BallotConstraints",
    "BudgetingError",
    "Election",
    "Instance",
    "Outcome",
    "Profile",
    "Project",
    "ProjectExplanation",
    "RuleFn",
    "RuleSpec",
    "UtilityTable",
    "allocate",
    "register",
    "rules",
    "tie_ranks",
]
