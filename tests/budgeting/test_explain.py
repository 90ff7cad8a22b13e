"""Words for voters: money, ranks, per-voter summaries, and reports that escape names."""

from __future__ import annotations

from fractions import Fraction

import pytest
from budgeting_helpers import load

from coopgov.budgeting import (
    Ballot,
    Election,
    Instance,
    Profile,
    Project,
    Report,
    allocate,
    render,
    voter_summaries,
)
from coopgov.budgeting._explain import money, ordinal


def test_money():
    assert money(40000, "GBP") == "£40,000"
    assert money(Fraction(12345, 100), "EUR") == "€123.45"
    assert money(Fraction(1, 3), "PLN") == "0.33 PLN"
    assert money(2.5, "USD") == "$2.50"
    assert money(-1500, "GBP") == "-£1,500"
    assert money(7, "") == "7"


def test_ordinal():
    got = [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 1000)]
    assert got == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd",
        "101st", "111th", "1,000th",
    ]  # fmt: skip


def _toy():
    projects = (
        Project(id="a", cost=60, name="<b>Bold</b> & co"),
        Project(id="b", cost=50, name="Bench"),
        Project(id="c", cost=30, name="Compost"),
    )
    ballots = (
        Ballot((0, 2), None, 3, ("v1", "v2", "v3")),
        Ballot((1,), None, 2, ("v4", "v5")),
        Ballot((), None, 1, ("v6",)),
    )
    meta = {"budget": "100", "vote_type": "approval", "currency": "GBP"}
    return Election(Instance(meta, 100, projects), Profile("approval", ballots))


def test_voter_summaries_greedy():
    e = _toy()
    out = allocate(e, "greedy")
    assert {e.instance.projects[i].id for i in out.selected} == {"a", "c"}
    texts = [v.text for v in voter_summaries(e, out)]
    assert texts == [
        "2 of the 2 projects you supported were funded: <b>Bold</b> & co; Compost.",
        "None of the 1 project you supported was funded.",
        "You did not support any project.",
    ]


def test_html_escapes_names():
    e = _toy()
    out = allocate(e, "greedy")
    page = render(Report(e, out, "toy.pb", "greedy", None, False, voters=True), "html")
    assert "<b>Bold</b>" not in page
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in page
    assert "What each voter helped to fund" in page


def test_voter_payments_under_equal_shares(budgets):
    from coopgov.budgeting import rules

    if "mes" not in rules():
        pytest.skip("Method of Equal Shares not registered")
    e = load("Netherlands_Assen_2024.pb")
    out = allocate(e, "mes", exact=True)
    share = Fraction(e.instance.budget, e.profile.num_voters)
    summaries = list(voter_summaries(e, out))
    assert len(summaries) == len(e.profile.ballots)
    paid_any = False
    for v in summaries:
        total = sum((Fraction(a) for _, a in v.paid), Fraction(0))
        assert total <= share
        assert all(p in out.selected for p, _ in v.paid)
        if v.paid:
            paid_any = True
            assert "Your share of the budget paid" in v.text
    assert paid_any
