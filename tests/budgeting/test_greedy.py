"""Greedy rules: equal to pabutools' greedy_utilitarian_welfare on every shared instance and on
random instances; reproduce the projects cities funded; explain every project in words."""

from __future__ import annotations

from fractions import Fraction

import pytest
from budgeting_helpers import ALL_FILES, load
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pabutools_adapter import pabutools_greedy

from coopgov.budgeting import (
    Ballot,
    BudgetingError,
    Election,
    Instance,
    Profile,
    Project,
    allocate,
)


def _ids(election, outcome):
    return {election.instance.projects[i].id for i in outcome.selected}


@pytest.mark.parametrize("name", ALL_FILES)
@pytest.mark.parametrize("rule", ["greedy", "greedy-cost"])
def test_equals_pabutools_on_every_shared_instance(budgets, name, rule):
    e = load(name)
    scoring = e.default_scoring()
    expected = pabutools_greedy(e, scoring, by_cost=rule == "greedy-cost")
    for exact in (False, True):
        assert _ids(e, allocate(e, rule, exact=exact)) == expected


@pytest.mark.parametrize(
    "name",
    [
        "Poland_Krakow_2025_Biezanow-Prokocim.pb",
        "US_Stanford_Dataset_PB_Rochester_NY_2019_vote_rankings.pb",
    ],
)
@pytest.mark.parametrize("scoring", ["borda", "krakow-321", "approval"])
def test_other_scorings_equal_pabutools(budgets, name, scoring):
    e = load(name)
    for rule in ("greedy", "greedy-cost"):
        expected = pabutools_greedy(e, scoring, by_cost=rule == "greedy-cost")
        assert _ids(e, allocate(e, rule, scoring=scoring)) == expected


CITY_GREEDY = [
    f
    for f in ALL_FILES
    if (load(f).instance.meta.get("rule") or "").startswith("greedy")
    and load(f).instance.selected_by_organiser() is not None
]


def test_city_files_found():
    # Czestochowa 2025, Katowice, Kraków x2, Łódź, Warszawa x4, Wrocław x2.
    assert len(CITY_GREEDY) == 11


@pytest.mark.parametrize("name", CITY_GREEDY)
def test_reproduces_the_projects_the_city_funded(budgets, name):
    e = load(name)
    rule = e.instance.meta["rule"]
    options: dict[str, object] = {}
    if rule == "greedy-threshold":
        options["threshold"] = e.instance.meta["min_project_score_threshold"]
    if rule == "greedy-no-skip":
        options["skip"] = False
    out = allocate(e, "greedy", **options)
    assert set(out.selected) == set(e.instance.selected_by_organiser())


def test_threshold_matters_in_warszawa(budgets):
    """Without Warsaw's 3,000-vote threshold the greedy rule would fund other cheap projects."""
    e = load("Poland_Warszawa_2026.pb")
    with_thr = allocate(e, "greedy", threshold=3000)
    without = allocate(e, "greedy")
    assert set(with_thr.selected) == set(e.instance.selected_by_organiser())
    assert set(with_thr.selected) != set(without.selected)
    low = [p for p in range(len(e.instance.projects)) if with_thr.details["scores"][p] < 3000]
    assert low
    for p in low:
        text = with_thr.explanations[p].text
        assert "below the minimum of 3,000 votes" in text


def test_no_skip_matters_in_wroclaw_2017(budgets):
    e = load("Poland_Wroclaw_2017_Rejon_nr_1_750.pb")
    city = set(e.instance.selected_by_organiser())
    no_skip = allocate(e, "greedy", skip=False)
    assert set(no_skip.selected) == city
    # (With 'skip' the outcome is the same here: no project is cheap enough for what is left.)
    texts = [x.text for p, x in no_skip.explanations.items() if not x.funded]
    assert any("so it did not fit and counting stopped here" in t for t in texts)
    assert any("Counting stopped at" in t and "never reached" in t for t in texts)


def test_skip_and_no_skip_differ():
    e = _toy([("a", 50), ("b", 60), ("c", 20)], [(("a",), 9), (("b",), 8), (("c",), 7)], 100)
    assert _ids(e, allocate(e, "greedy")) == {"a", "c"}
    assert _ids(e, allocate(e, "greedy", skip=False)) == {"a"}


def test_percentage_threshold():
    e = _toy([("a", 60), ("b", 30), ("c", 10)], [(("a",), 5), (("b",), 3), (("c",), 2)], 100)
    out = allocate(e, "greedy", threshold="25%")  # 25% of 10 voters = 2.5 votes
    assert _ids(e, out) == {"a", "b"}
    assert out.details["threshold"] == Fraction(5, 2)
    with pytest.raises(BudgetingError, match="not a number or a percentage"):
        allocate(e, "greedy", threshold="lots")


def _toy(projects, ballots, budget, vote_type="approval", categories=None):
    projs = tuple(
        Project(id=pid, cost=c, name=f"Project {pid}", categories=(categories or {}).get(pid, ()))
        for pid, c in projects
    )
    index = {p.id: i for i, p in enumerate(projs)}
    groups = tuple(Ballot(tuple(sorted(index[x] for x in items)), None, mult, ()) for items, mult in ballots)
    meta = {"budget": str(budget), "vote_type": vote_type, "currency": "GBP"}
    return Election(Instance(meta, budget, projs), Profile(vote_type, groups))


def test_explanation_sentences_for_voters():
    e = _toy(
        [("lib", 40_000), ("park", 55_000), ("bench", 5_000)],
        [(("lib",), 50), (("park",), 30), (("bench",), 10)],
        80_000,
    )
    out = allocate(e, "greedy")
    assert [e.instance.projects[i].id for i in out.selected] == ["lib", "bench"]
    assert out.explanations[0].text == (
        "It ranked 1st with 50 votes. When it was reached, £80,000 was left; it cost £40,000, "
        "so it was funded, leaving £40,000."
    )
    assert out.explanations[1].text == (
        "It ranked 2nd with 30 votes. When it was reached, £40,000 was left; it cost £55,000, so it did not fit."
    )
    assert out.explanations[2].funded
    assert out.explanations[1].data["money_left_when_reached"] == 40_000


def test_ties_are_broken_by_project_id_and_reported():
    # b and a tie on 10 votes; only one fits.  Lexicographic order: "a" first.
    e = _toy([("b", 60), ("a", 60)], [(("a",), 10), (("b",), 10)], 100)
    out = allocate(e, "greedy")
    assert _ids(e, out) == {"a"}
    assert len(out.ties) == 1
    assert "same score" in out.ties[0] and "lexico" in out.ties[0]
    out2 = allocate(e, "greedy", tie_breaking="max-cost")
    assert _ids(e, out2) == {"a"}  # equal costs: falls back to id order
    # A tie whose resolution does not matter (both fit) is not reported.
    e3 = _toy([("b", 10), ("a", 10)], [(("a",), 10), (("b",), 10)], 100)
    assert allocate(e3, "greedy").ties == ()


def test_ring_fenced_sub_budgets():
    cats = {"g1": ("Green",), "g2": ("Green",), "s1": ("Sport",), "x": ()}
    e = _toy(
        [("g1", 50), ("g2", 40), ("s1", 30), ("x", 25)],
        [(("g1",), 9), (("g2",), 8), (("s1",), 7), (("x",), 6)],
        120,
        categories=cats,
    )
    # Green pot 60: g1 (50) fits, g2 (40) does not -> 10 left. Sport pot 20: s1 (30) does not fit.
    # General pot 120 - 80 = 40: only projects in no ring-fenced category: x (25).
    strict = allocate(e, "greedy", sub_budgets={"Green": 60, "Sport": 20}, ring_fence="category")
    assert _ids(e, strict) == {"g1", "x"}
    assert strict.details["leftover"] == {"Green": 10, "Sport": 20, "general": 15}
    assert "in the Green budget" in strict.explanations[1].text
    # Pooling leftovers: general pot 40 + 10 + 20 = 70 open to all: g2 (40) then s1 (30) fit.
    pooled = allocate(
        e,
        "greedy",
        sub_budgets={"Green": 60, "Sport": 20},
        ring_fence="category",
        leftover="pool",
    )
    assert _ids(e, pooled) == {"g1", "g2", "s1"}
    with pytest.raises(BudgetingError, match="no project has category 'Culture'"):
        allocate(e, "greedy", sub_budgets={"Culture": 10}, ring_fence="category")
    with pytest.raises(BudgetingError, match="more than the budget"):
        allocate(e, "greedy", sub_budgets={"Green": 100, "Sport": 100}, ring_fence="category")


def test_unknown_option_and_rule():
    e = _toy([("a", 1)], [(("a",), 1)], 1)
    with pytest.raises(BudgetingError, match="no option 'colour'"):
        allocate(e, "greedy", colour="red")
    with pytest.raises(BudgetingError, match="unknown rule 'dictator'"):
        allocate(e, "dictator")


# ----------------------------------------------------------------------- random instances


@st.composite
def elections(draw):
    m = draw(st.integers(1, 8))
    costs = draw(st.lists(st.integers(0, 12), min_size=m, max_size=m))
    budget = draw(st.integers(0, 40))
    cardinal = draw(st.booleans())
    ballots = []
    for _ in range(draw(st.integers(0, 8))):
        items = draw(st.sets(st.integers(0, m - 1), max_size=m))
        pts = tuple(draw(st.integers(1, 4)) for _ in items) if cardinal else None
        ballots.append(Ballot(tuple(sorted(items)), pts, draw(st.integers(1, 3)), ()))
    ids = draw(st.permutations([str(i) for i in range(m)]))
    projects = tuple(Project(id=ids[i], cost=costs[i]) for i in range(m))
    vt = "cumulative" if cardinal else "approval"
    meta = {"budget": str(budget), "vote_type": vt}
    return Election(Instance(meta, budget, projects), Profile(vt, tuple(ballots)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(), st.sampled_from(["greedy", "greedy-cost"]), st.booleans())
def test_equals_pabutools_on_random_instances(e, rule, exact):
    scoring = e.default_scoring()
    expected = pabutools_greedy(e, scoring, by_cost=rule == "greedy-cost")
    out = allocate(e, rule, exact=exact)
    assert _ids(e, out) == expected
    assert out.total_cost <= e.instance.budget
    assert set(out.explanations) == set(range(len(e.instance.projects)))
    assert all(out.explanations[p].funded == (p in out.selected) for p in out.explanations)


def test_amsterdam_tie_is_reported(budgets):
    """Amsterdam 621's META: 'Two plans tied for the last project to be funded' (the city then
    found extra money for both).  The greedy count reports exactly that tie."""
    e = load("Netherlands_Amsterdam_621.pb")
    out = allocate(e, "greedy")
    assert len(out.ties) == 1
    assert "(43224)" in out.ties[0] and "(43236)" in out.ties[0]
    index = e.instance.index()
    assert out.details["scores"][index["43224"]] == out.details["scores"][index["43236"]] == 3337
