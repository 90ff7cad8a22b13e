"""Ring-fenced sub-budgets for rules without native support, checked against the greedy rule's
own ring-fencing and against running each pot by hand."""

from __future__ import annotations

import pytest
from budgeting_helpers import load

from coopgov.budgeting import BudgetingError, allocate, rules
from coopgov.budgeting._registry import RULES
from coopgov.budgeting._ringfence import ring_fenced, sub_election

POTS = {
    "Local Small Idea": 150_000_000,
    "Local Big Idea": 300_000_000,
    "Green": 100_000_000,
    "Social": 50_000_000,
}


@pytest.mark.parametrize("leftover", ["discard", "pool"])
def test_generic_ring_fencing_equals_greedy_native(budgets, leftover):
    e = load("Hungary_Budapest_2024.pb")
    native = allocate(e, "greedy", sub_budgets=POTS, ring_fence="category", leftover=leftover)
    spec = rules()["greedy"]

    def run(sub):
        table = sub.utilities(sub.default_scoring())
        from coopgov.budgeting import tie_ranks

        return spec.fn(
            sub, table, completion=None, exact=False, tie_breaking="lexico",
            ranks=tie_ranks(table), options={},
        )  # fmt: skip

    generic = ring_fenced(e, run, POTS, "category", leftover)
    assert generic.selected == native.selected
    assert generic.details["leftover"] == native.details["leftover"]
    spent = {k: POTS.get(k, 0) for k in POTS}
    for label, amount in POTS.items():
        assert 0 <= generic.details["leftover"][label] <= spent[label] == amount


def test_ring_fenced_equal_shares(budgets):
    if "mes" not in RULES and "mes" not in rules():
        pytest.skip("Method of Equal Shares not registered")
    e = load("Hungary_Budapest_2024.pb")
    out = allocate(e, "mes", sub_budgets=POTS, ring_fence="category")
    projects = e.instance.projects
    # Each pot's projects are exactly MES run on that pot alone.
    start = 0
    for label, amount in POTS.items():
        members = [i for i, p in enumerate(projects) if label in p.categories]
        alone = allocate(sub_election(e, members, amount), "mes")
        picked = [members[p] for p in alone.selected]
        assert list(out.selected[start : start + len(picked)]) == picked
        assert sum(projects[i].cost for i in picked) <= amount
        start += len(picked)
    for i in out.selected[:start]:
        assert out.explanations[i].text.startswith("In the ")
    assert out.payments is not None


def test_ring_fence_errors():
    e = load("Netherlands_Assen_2024.pb")
    with pytest.raises(BudgetingError, match="ring-fencing needs sub-budgets"):
        allocate(e, "mes", ring_fence="category")
    with pytest.raises(BudgetingError, match="no project has category 'Green'"):
        allocate(e, "mes", sub_budgets={"Green": 5}, ring_fence="category")
