"""Participatory budgeting: pabulib/CSV/JSON files, greedy rules, Method of Equal Shares,
sequential Phragmén, explanations.  Plain Python, no Django; when the package was built with them,
MES in fast mode uses an optional compiled kernel (``_cmes.c``, see :mod:`._mes_lean`) and the
pabulib reader an optional C reader (``_cvotes.c``, see :mod:`._cvotes_api`).

    >>> from coopgov.budgeting import read_election, allocate  # doctest: +SKIP
    >>> election = read_election("Poland_Swiecie_2023.pb")      # doctest: +SKIP
    >>> outcome = allocate(election, "mes", completion="add1")  # doctest: +SKIP
    >>> outcome.explanations[0].text                            # doctest: +SKIP

Command line (``coopgov allocate --help``)::

    coopgov allocate FILE.pb --rule mes --completion add1 [--exact] [--format text|json|csv|html|pb]
    coopgov allocate FILE.pb --rule greedy --threshold 100 [--no-skip] [--voters]
    coopgov allocate FILE.pb --rule city      # the organiser's rule named in META

Modules: :mod:`._model` (data model, utilities, tie-breaking), :mod:`._pabulib` (``.pb``),
:mod:`._formats` (CSV/JSON layouts), :mod:`.greedy`, :mod:`.mes`, :mod:`.phragmen` (the rules,
each citing its definition), :mod:`._ringfence` (sub-budgets), :mod:`._explain` and
:mod:`._report` (words and reports for voters), :mod:`.cli`; the MES engine is in
:mod:`._mes_engine` (exact-checked runs) and :mod:`._mes_lean` (the kernel's runs).
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
