"""The rule registry: rule name -> implementation, and :func:`allocate`, the one entry point.

A rule module registers itself at import time::

    from coopgov.budgeting._registry import register

    def _mes(election, table, *, completion, exact, tie_breaking, ranks, options):
        ...
        return Outcome(...)

    register("mes", _mes, default_scoring=lambda e: "cost" if ... else ...,
             completions=(None, "utilitarian", "add1", "add1-compare"),
             summary="Method of Equal Shares")

The built-in rule modules (``greedy``, ``mes``, ``phragmen``) are imported the first time the
registry is used, so importing :mod:`coopgov.budgeting` stays cheap.

Contract of a rule function (:class:`RuleFn`):

* ``election`` — the whole election (names, META) for explanations; ``table`` — the array-style
  :class:`~coopgov.budgeting._model.UtilityTable` built with the scoring chosen by the caller (or
  the rule's ``default_scoring``).
* ``completion`` — ``None`` (no completion) or one of the names the rule registered.
* ``exact`` — ``True``: rational arithmetic (the audit reference); ``False``: a fast mode that must
  give the same outcome.
* ``tie_breaking`` / ``ranks`` — the name of the tie-breaking order and the rank of every project
  under it (lowest rank wins a tie; see :func:`~coopgov.budgeting._model.tie_ranks`).  Every tie the
  rule actually decides is reported in ``Outcome.ties``.
* ``options`` — remaining rule-specific keyword options (e.g. ``threshold``, ``skip``); a rule
  raises :class:`~coopgov.budgeting._model.BudgetingError` on an option it does not know.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from ._model import BudgetingError, Election, Outcome, UtilityTable, tie_ranks

__all__ = ["RULES", "RuleFn", "RuleSpec", "allocate", "register", "rules"]


class RuleFn(Protocol):
    def __call__(
        self,
        election: Election,
        table: UtilityTable,
        *,
        completion: str | None,
        exact: bool,
        tie_breaking: str,
        ranks: tuple[int, ...],
        options: Mapping[str, object],
    ) -> Outcome: ...


@dataclass(frozen=True, slots=True)
class RuleSpec:
    name: str
    fn: RuleFn
    default_scoring: Callable[[Election], str]
    completions: tuple[str | None, ...] = (None,)
    summary: str = ""
    ring_fence_native: bool = False


RULES: dict[str, RuleSpec] = {}
"""Registered rules by name (filled lazily; use :func:`rules` to get the full list)."""

_BUILTIN_MODULES = ("greedy", "mes", "phragmen")
# Which built-in module provides a rule, so that running one rule imports only its module
# (the greedy rules need no numpy).
_PROVIDER = {"greedy": "greedy", "greedy-cost": "greedy", "mes": "mes", "phragmen": "phragmen"}
_loaded: set[str] = set()


def register(
    name: str,
    fn: RuleFn,
    *,
    default_scoring: Callable[[Election], str] | None = None,
    completions: tuple[str | None, ...] = (None,),
    summary: str = "",
    ring_fence_native: bool = False,
) -> None:
    """Register (or replace) a rule under ``name``.

    Rules that do not take the ``sub_budgets``/``ring_fence``/``leftover`` options themselves
    (``ring_fence_native=False``) get ring-fencing from :mod:`._ringfence`: run pot by pot."""
    RULES[name] = RuleSpec(
        name=name,
        fn=fn,
        default_scoring=default_scoring or (lambda e: e.default_scoring()),
        completions=completions,
        summary=summary,
        ring_fence_native=ring_fence_native,
    )


def _load(mod: str) -> None:
    if mod in _loaded:
        return
    _loaded.add(mod)
    full = f"{__package__}.{mod}"
    try:
        importlib.import_module(full)
    except ModuleNotFoundError as exc:  # a rule module not written yet: skip only that one
        if exc.name != full:
            raise


def _load_builtins(rule: str | None = None) -> None:
    """Import the module providing ``rule`` (all built-in rule modules if ``rule`` is None or
    not a known built-in)."""
    provider = _PROVIDER.get(rule) if rule is not None else None
    if provider is not None:
        _load(provider)
        return
    for mod in _BUILTIN_MODULES:
        _load(mod)


def rules() -> dict[str, RuleSpec]:
    """All registered rules, built-ins included."""
    _load_builtins()
    return dict(RULES)


def allocate(
    election: Election,
    rule: str,
    *,
    completion: str | None = None,
    exact: bool = False,
    scoring: str | None = None,
    tie_breaking: str = "lexico",
    **options: object,
) -> Outcome:
    """Run ``rule`` on ``election``.

    ``completion`` ``None`` or ``"none"`` means no completion.  ``scoring`` chooses how ballots
    become utilities (default: the rule's choice for the vote type).  Other keyword ``options`` go
    to the rule.  Raises :class:`BudgetingError` for an unknown rule/completion/option.
    """
    if rule not in RULES:
        _load_builtins(rule)
    spec = RULES.get(rule)
    if spec is None:
        _load_builtins()
        spec = RULES.get(rule)
    if spec is None:
        known = ", ".join(sorted(RULES)) or "none registered"
        raise BudgetingError(f"unknown rule {rule!r} (known: {known})")
    if completion == "none":
        completion = None
    if completion not in spec.completions:
        allowed = ", ".join("none" if c is None else c for c in spec.completions)
        raise BudgetingError(f"rule {rule!r} has no completion {completion!r} (choose from {allowed})")
    chosen_scoring = scoring or spec.default_scoring(election)
    if not spec.ring_fence_native and ("sub_budgets" in options or "ring_fence" in options):
        from ._ringfence import ring_fenced

        rest = dict(options)
        sub_budgets = rest.pop("sub_budgets", None)
        ring_fence = rest.pop("ring_fence", None)
        leftover = rest.pop("leftover", "discard")
        if not isinstance(sub_budgets, Mapping) or not sub_budgets:
            raise BudgetingError("ring-fencing needs sub-budgets (e.g. 'Green=250000')")

        def run(sub: Election) -> Outcome:
            table = sub.utilities(chosen_scoring)
            return spec.fn(
                sub,
                table,
                completion=completion,
                exact=exact,
                tie_breaking=tie_breaking,
                ranks=tie_ranks(table, tie_breaking),
                options=rest,
            )

        return ring_fenced(election, run, sub_budgets, ring_fence, leftover)
    table = election.utilities(chosen_scoring)
    ranks = tie_ranks(table, tie_breaking)
    return spec.fn(
        election,
        table,
        completion=completion,
        exact=exact,
        tie_breaking=tie_breaking,
        ranks=ranks,
        options=options,
    )
