"""CSV and JSON layouts: round trips on every shared file, and located errors."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from budgeting_helpers import ALL_FILES, BIG, load

from coopgov.budgeting import (
    BudgetingError,
    election_from_json,
    election_to_json,
    parse_csv,
    read_election,
    write_election,
)


def _ballots(e):
    return Counter({(b.items, b.points): b.multiplicity for b in e.profile.ballots})


@pytest.mark.parametrize("name", [f for f in ALL_FILES if f not in BIG])
def test_json_and_csv_round_trip(budgets, tmp_path, name):
    e = load(name)
    for suffix in (".json", ".csv"):
        path = tmp_path / f"copy{suffix}"
        write_election(e, path)
        again = read_election(path)
        assert again.instance.projects == e.instance.projects
        assert again.instance.budget == e.instance.budget
        assert again.profile.vote_type == e.profile.vote_type
        assert again.profile.constraints == e.profile.constraints
        assert _ballots(again) == _ballots(e)


CSV = """META
key,value
budget,100000
vote_type,approval
currency,GBP
PROJECTS
project_id,cost,name
p1,40000,"Library, phase 1"
p2,55000,Park
VOTES
voter_id,vote
v1,"p1,p2"
v2,p2
"""


def test_csv_layout_by_hand():
    e = parse_csv(CSV, "budget.csv")
    assert e.instance.projects[0].name == "Library, phase 1"
    assert [b.items for b in e.profile.ballots] == [(0, 1), (1,)]
    with pytest.raises(BudgetingError) as info:
        parse_csv(CSV.replace("v2,p2", "v2,p7"), "budget.csv")
    assert str(info.value) == "budget.csv:13: vote names unknown project 'p7'"


GOOD = {
    "format": "coopgov-pb/1",
    "meta": {"currency": "GBP"},
    "budget": "1000.50",
    "vote_type": "cumulative",
    "constraints": {"max_sum_points": 3},
    "projects": [{"id": "a", "cost": 600}, {"id": "b", "cost": 500, "name": "Bee"}],
    "ballots": [
        {"vote": ["b", "a"], "points": [1, 2], "voters": ["v1", "v2"]},
        {"vote": ["a", "b"], "points": [2, 1], "count": 1},
    ],
}


def test_json_layout_by_hand():
    e = election_from_json(json.dumps(GOOD), "x.json")
    assert e.instance.budget * 2 == 2001
    assert len(e.profile.ballots) == 1  # the same ballot written in two orders
    assert e.profile.ballots[0].items == (0, 1) and e.profile.ballots[0].points == (2, 1)
    assert e.profile.ballots[0].multiplicity == 3
    assert election_to_json(e)["budget"] == "1000.5"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["projects"][1].update(cost=-5), "x.json: projects[1].cost: project 'b' has a negative cost"),
        (lambda d: d["projects"][1].update(id="a"), "x.json: projects[1].id: duplicate project id 'a'"),
        (lambda d: d["ballots"][0].update(vote=["a", "zz"]), "x.json: ballots[0].vote: unknown project 'zz'"),
        (lambda d: d["ballots"][1].update(points=[3, 1]), "x.json: ballots[1]: ballot gives 4 points in all"),
        (lambda d: d["ballots"][1].update(points=[1]), "x.json: ballots[1].points: expected 2 points"),
        (lambda d: d.pop("budget"), "x.json: budget: missing"),
        (lambda d: d.update(vote_type="quadratic"), "x.json: vote_type: unknown vote type"),
        (lambda d: d["ballots"][1].update(voters=["v1"]), "x.json: ballots[1].voters: voter 'v1' votes twice"),
        (
            lambda d: d.update(constraints={"max_length": 1}),
            "x.json: ballots[0]: ballot lists 2 projects, more than the maximum of 1",
        ),
    ],
)
def test_json_errors_name_the_field(change, message):
    data = json.loads(json.dumps(GOOD))
    change(data)
    with pytest.raises(BudgetingError) as info:
        election_from_json(json.dumps(data), "x.json")
    assert str(info.value).startswith(message)


def test_json_syntax_error_names_the_line():
    with pytest.raises(BudgetingError) as info:
        election_from_json('{\n "budget": 10,\n "vote_type": approval\n}', "x.json")
    assert str(info.value).startswith("x.json:3: not valid JSON")
