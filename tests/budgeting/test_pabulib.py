"""pabulib reader/writer: every shared file parses, agrees with pabutools' parser and with the
vote counts the files publish, round-trips, and every kind of bad input is located to its line."""

from __future__ import annotations

import io
from collections import Counter
from fractions import Fraction

import pytest
from budgeting_helpers import ALL_FILES, BUDGETS, load
from hypothesis import given, settings
from hypothesis import strategies as st

from coopgov.budgeting import Ballot, BudgetingError, Election, Instance, Profile, Project
from coopgov.budgeting._pabulib import pabulib_string, parse_pabulib, read_pabulib

SMALL = [f for f in ALL_FILES if (BUDGETS / f).stat().st_size < 600_000]


def _multiset(election):
    projects = election.instance.projects
    c: Counter = Counter()
    for b in election.profile.ballots:
        ids = [projects[i].id for i in b.items]
        if election.profile.vote_type == "ordinal":
            key = tuple(ids)
        elif b.points is not None:
            key = frozenset(zip(ids, b.points, strict=True))
        else:
            key = frozenset(ids)
        c[key] += b.multiplicity
    return c


@pytest.mark.parametrize("name", ALL_FILES)
def test_every_shared_file_parses_and_matches_published_counts(budgets, name):
    e = load(name)
    meta = e.instance.meta
    assert len(e.instance.projects) == int(meta["num_projects"])
    assert e.profile.num_voters == int(meta["num_votes"])
    table = e.utilities(e.default_scoring())
    for i, p in enumerate(e.instance.projects):
        if p.votes is not None:
            assert table.support(i) == p.votes, p.id
    # pabulib's published 'score' column: points (cumulative) or positional points (ordinal:
    # len(ballot) - position, which Kraków's 3-2-1 is a case of).
    for i, p in enumerate(e.instance.projects):
        if p.score is not None:
            assert table.total_utility(i) == p.score, p.id


@pytest.mark.parametrize("name", SMALL)
def test_parse_agrees_with_pabutools_parser(budgets, name):
    from pabutools.election import parse_pabulib as pabu_parse

    inst, prof = pabu_parse(str(BUDGETS / name))
    e = load(name)
    assert {p.name: p.cost for p in inst} == {p.id: p.cost for p in e.instance.projects}
    assert Fraction(inst.budget_limit) == Fraction(e.instance.budget)
    assert len(prof) == e.profile.num_voters
    vt = e.profile.vote_type
    theirs: Counter = Counter()
    for b in prof:
        if vt == "ordinal":
            theirs[tuple(p.name for p in b)] += 1
        elif vt in ("cumulative", "scoring"):
            theirs[frozenset((p.name, int(v)) for p, v in b.items())] += 1
        else:
            theirs[frozenset(p.name for p in b)] += 1
    assert theirs == _multiset(e)


def test_decimal_budget_is_exact(budgets):
    e = load("Poland_Krakow_2025_Biezanow-Prokocim.pb")
    assert e.instance.budget == Fraction(253264583, 100)
    e2 = load("France_Toulouse_2022.pb")  # costs written as 4000.0
    assert all(isinstance(p.cost, int) for p in e2.instance.projects)


def test_quoted_project_names(budgets):
    e = load("Poland_Lodz_2022.pb")
    names = {p.id: p.name for p in e.instance.projects}
    assert names["L140"].startswith('"Dofinansowanie działalności Ośrodka')


def test_categories_targets_and_extra_columns(budgets):
    e = load("Poland_Warszawa_2017_Aleksandrow.pb")
    p = e.instance.projects[0]
    assert p.id == "261"
    assert p.categories == ("public transit and roads", "public space")
    assert p.extra["beneficiaries"] == "adults,families with children"
    assert p.selected == 1


def test_voter_ids_and_attributes_kept_on_request(budgets):
    e = read_pabulib(BUDGETS / "Poland_Gdansk_2020_Piecki_Migowo.pb", keep_attributes=True)
    assert e.profile.attribute_columns == ("age", "sex")
    assert e.profile.voter_attributes["1"] == {"age": "20", "sex": "M"}
    ids = [v for b in e.profile.ballots for v in b.voter_ids]
    assert len(ids) == len(set(ids)) == 3134
    lean = read_pabulib(BUDGETS / "Poland_Gdansk_2020_Piecki_Migowo.pb", voter_ids=False)
    assert all(b.voter_ids == () for b in lean.profile.ballots)
    assert _multiset(lean) == _multiset(e)


@pytest.mark.parametrize("name", ALL_FILES)
def test_write_then_read_round_trips(budgets, name):
    e = load(name)
    again = parse_pabulib(pabulib_string(e), "roundtrip.pb")
    assert again.instance.projects == e.instance.projects
    assert again.instance.budget == e.instance.budget
    assert again.profile.constraints == e.profile.constraints
    assert _multiset(again) == _multiset(e)
    voters = lambda el: sorted(v for b in el.profile.ballots for v in b.voter_ids)  # noqa: E731
    assert voters(again) == voters(e)


def test_write_sets_selected_flags(budgets):
    e = load("Netherlands_Assen_2024.pb")
    text = pabulib_string(e, selected=[0])
    again = parse_pabulib(text)
    assert [p.selected for p in again.instance.projects] == [1] + [0] * 13


def test_crlf_and_bom_and_lowercase_markers():
    text = (
        "\ufeffmeta\r\nkey;value\r\nbudget;10\r\nvote_type;approval\r\n"
        "projects\r\nproject_id;cost\r\na;4\r\nb;7\r\n"
        "votes\r\nvoter_id;vote\r\n1;a,b\r\n2;b\r\n\r\n"
    )
    e = parse_pabulib(text.lstrip("\ufeff"))
    assert [p.id for p in e.instance.projects] == ["a", "b"]
    assert e.profile.num_voters == 2


# ------------------------------------------------------------------------------- bad input

GOOD = """META
key;value
budget;100
vote_type;approval
max_length;2
PROJECTS
project_id;cost;name
p1;40;One
p2;50;Two
p3;30;Three
VOTES
voter_id;vote
v1;p1,p2
v2;p3
"""

CUMULATIVE = """META
key;value
budget;100
vote_type;cumulative
max_sum_points;5
PROJECTS
project_id;cost
p1;40
p2;50
VOTES
voter_id;vote;points
v1;p1,p2;3,2
v2;p2;5
"""


def _bad(text: str, name: str = "bad.pb") -> BudgetingError:
    with pytest.raises(BudgetingError) as info:
        parse_pabulib(text, name)
    return info.value


def test_good_sample_parses():
    e = parse_pabulib(GOOD)
    assert e.profile.num_voters == 2
    assert parse_pabulib(CUMULATIVE).profile.ballots[0].points == (3, 2)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (GOOD.replace("VOTES\nvoter_id;vote\nv1;p1,p2\nv2;p3\n", ""), 10, "missing VOTES section"),
        (GOOD.replace("PROJECTS\n", "STUFF\n"), 14, "missing PROJECTS section"),
        (GOOD.replace("META\n", ""), 1, "missing META section"),
        (GOOD.replace("v2;p3", "v2;p9"), 14, "unknown project 'p9'"),
        (GOOD.replace("p2;50;Two", "p2;-50;Two"), 9, "negative cost"),
        (GOOD.replace("v2;p3", "v2;p3,p1,p2"), 14, "more than the maximum of 2"),
        (GOOD.replace("p3;30;Three", "p1;30;Three"), 10, "duplicate project id 'p1'"),
        (GOOD.replace("p3;30;Three", "p3;thirty;Three"), 10, "'thirty' is not a number"),
        (GOOD.replace("p3;30;Three", "p3;30.5;Three"), 10, "not a whole number"),
        (GOOD.replace("budget;100", "budget;lots"), 3, "budget 'lots' is not a number"),
        (GOOD.replace("budget;100\n", ""), 1, "no budget"),
        (GOOD.replace("vote_type;approval", "vote_type;quadratic"), 4, "unknown vote_type"),
        (GOOD.replace("v2;p3", "v1;p3"), 14, "voter id 'v1' votes twice"),
        (GOOD.replace("v2;p3", "v2;p3,p3"), 14, "more than once"),
        (GOOD.replace("v2;p3", "v2;p3;extra"), 14, "3 fields"),
        (GOOD.replace("p3;30;Three", "p3;30"), 10, "2 fields"),
        (GOOD.replace("project_id;cost;name", "id;cost;name"), 7, "no 'project_id' column"),
        (CUMULATIVE.replace("v2;p2;5", "v2;p2;6"), 13, "more than the maximum of 5"),
        (CUMULATIVE.replace("v2;p2;5", "v2;p2;2,3"), 13, "1 projects but 2 points"),
        (CUMULATIVE.replace("v2;p2;5", "v2;p2;x"), 13, "points 'x' is not a number"),
        (CUMULATIVE.replace("v2;p2;5", "v2;p2;-1"), 13, "negative points"),
        (CUMULATIVE.replace("voter_id;vote;points", "voter_id;vote"), 11, "'points' column"),
    ],
)
def test_bad_input_names_file_and_line(text, line, words):
    err = _bad(text)
    assert err.file == "bad.pb"
    assert err.line == line, str(err)
    assert words in err.message
    assert str(err).startswith(f"bad.pb:{line}: ")
    assert "\n" not in str(err)


def test_bad_line_found_in_a_large_file(budgets):
    """The fast VOTES reader hands over to the line-by-line one to locate the culprit."""
    text = (BUDGETS / "Poland_Wroclaw_2015_150_-_500.pb").read_text(encoding="utf-8")
    lines = text.replace("\r\n", "\n").split("\n")
    target = 100_000
    fields = lines[target].split(";")
    fields[1] = "NOPE"
    lines[target] = ";".join(fields)
    err = _bad("\n".join(lines), "wroclaw.pb")
    assert err.line == target + 1
    assert "unknown project 'NOPE'" in err.message


def test_choose_one_ballot_with_two_projects():
    text = GOOD.replace("vote_type;approval\nmax_length;2", "vote_type;choose-1")
    assert "more than the maximum of 1" in _bad(text).message


def test_knapsack_ballot_over_max_sum_cost():
    text = GOOD.replace("max_length;2", "max_sum_cost;80")
    err = _bad(text)
    assert (err.line, "ballot costs 90") == (13, err.message[:15])


def test_unreadable_file(tmp_path):
    with pytest.raises(BudgetingError) as info:
        read_pabulib(tmp_path / "nope.pb")
    assert "nope.pb" in str(info.value)
    bad = tmp_path / "latin1.pb"
    bad.write_bytes(GOOD.replace("One", "Caf\xe9").encode("latin-1"))
    with pytest.raises(BudgetingError) as info:
        read_pabulib(bad)
    assert info.value.line == 8
    assert "UTF-8" in info.value.message


def test_writer_output_is_readable_pabulib_text():
    buf = io.StringIO()
    from coopgov.budgeting._pabulib import write_pabulib

    write_pabulib(parse_pabulib(GOOD), buf)
    text = buf.getvalue()
    assert text.startswith("META\nkey;value\n")
    assert "PROJECTS\nproject_id;cost;name\np1;40;One\n" in text
    assert "VOTES\nvoter_id;vote\nv1;p1,p2\nv2;p3\n" in text


# --------------------------------------------------------------------- random round trips

_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=12).filter(
    lambda s: s.strip() == s and s.lower() != "none"
)


@st.composite
def _elections(draw):
    vote_type = draw(st.sampled_from(["approval", "cumulative", "ordinal", "choose-1"]))
    m = draw(st.integers(1, 6))
    ids = draw(
        st.lists(
            st.text(alphabet="abcXYZ019/._-", min_size=1, max_size=5),
            min_size=m,
            max_size=m,
            unique=True,
        )
    )
    projects = tuple(Project(id=pid, cost=draw(st.integers(0, 10**9)), name=draw(_text)) for pid in ids)
    ballots = []
    used = set()
    for _ in range(draw(st.integers(0, 6))):
        k = 1 if vote_type == "choose-1" else draw(st.integers(1, m))
        items = draw(st.permutations(range(m)))[:k]
        if vote_type != "ordinal":
            items = sorted(items)
        pts = tuple(draw(st.integers(1, 9)) for _ in items) if vote_type == "cumulative" else None
        key = (tuple(items), pts)
        if key in used:
            continue
        used.add(key)
        n = draw(st.integers(1, 3))
        vids = tuple(f"v{len(ballots)}-{j}" for j in range(n))
        ballots.append(Ballot(tuple(items), pts, n, vids))
    budget = draw(st.one_of(st.integers(0, 10**10), st.fractions(0, 10**6, max_denominator=100)))
    budget = budget.numerator if isinstance(budget, Fraction) and budget.denominator == 1 else budget
    if isinstance(budget, Fraction) and not _terminating(budget):
        budget = Fraction(round(budget * 100), 100)
        budget = budget.numerator if budget.denominator == 1 else budget
    meta = {"description": draw(_text), "vote_type": vote_type, "budget": str(budget)}
    return Election(Instance(meta, budget, projects), Profile(vote_type, tuple(ballots)))


def _terminating(x):
    d = x.denominator
    for f in (2, 5):
        while d % f == 0:
            d //= f
    return d == 1


@settings(max_examples=120, deadline=None)
@given(_elections())
def test_random_elections_round_trip(e):
    again = parse_pabulib(pabulib_string(e), "random.pb")
    assert again.instance.projects == e.instance.projects
    assert again.instance.budget == e.instance.budget
    assert sorted(again.profile.ballots) == sorted(e.profile.ballots)


@pytest.mark.parametrize("enabled", [True, False])
def test_reading_leaves_the_cycle_collector_as_it_was(enabled: bool) -> None:
    """The reader pauses Python's cycle collector while it builds the ballots (a speed-up), and
    puts it back as it found it, after an error too."""
    import gc

    was = gc.isenabled()
    try:
        if not enabled:
            gc.disable()
        election = load("Poland_Swiecie_2023.pb")
        parse_pabulib(pabulib_string(election), "again.pb").utilities("cost")
        assert gc.isenabled() is enabled
        _bad("META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;vote\n1;9\n")
        assert gc.isenabled() is enabled
    finally:
        if was:
            gc.enable()
