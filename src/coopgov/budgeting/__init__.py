"""Participatory budgeting: pabulib/CSV/JSON files, greedy rules, Method of Equal Shares,
sequential Phragmén, explanations.  Plain Python, no Django.

    >>> from coopgov.budgeting import read_election, allocate  # doctest: +SKIP
    >>> election = read_election("Poland_Swiecie_2023.pb")      # doctest: +SKIP
    >>> outcome = allocate(election, "mes", completion="add1")  # doctest: +SKIP
"""

from __future__ import annotations

from ._explain import VoterSummary, voter_summaries
from ._formats import election_from_json, election_to_json, parse_csv, read_election, write_election
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
from ._pabulib import pabulib_string, parse_pabulib, read_pabulib, write_pabulib
from ._registry import RULES, RuleFn, RuleSpec, allocate, register, rules
from ._report import Report, render

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
    "Report",
    "RuleFn",
    "RuleSpec",
    "UtilityTable",
    "VoterSummary",
    "allocate",
    "election_from_json",
    "election_to_json",
    "pabulib_string",
    "parse_csv",
    "parse_pabulib",
    "read_election",
    "read_pabulib",
    "register",
    "render",
    "rules",
    "tie_ranks",
    "voter_summaries",
    "write_election",
    "write_pabulib",
]
