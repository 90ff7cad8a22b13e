"""The ballot checks and the paper-batch reader (plain Python, no Django)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from coopgov.apps.elections.ballot_rules import (
    BallotError,
    check_plurality,
    check_ranked,
    parse_paper_batch,
    usable_sequence,
)

NAMES = {10: "Ann", 20: "Bob", 30: "Cat", 40: "Dan"}


def test_core_does_not_import_django():
    code = "import sys, coopgov.apps.elections.ballot_rules; print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_ranked_valid_orders_by_number():
    assert check_ranked({10: "2", 20: "", 30: "1", 40: " 3 "}, NAMES) == [30, 10, 40]


@pytest.mark.parametrize(
    ("marks", "message", "field"),
    [
        ({10: "1", 20: "1"}, "used the number 1 more than once (Ann and Bob)", "10"),
        ({10: "1", 20: "2", 30: "4"}, "You numbered 1 and 2 and then 4, missing 3", "30"),
        ({10: "2", 20: "3"}, "has no 1", None),
        ({10: "one"}, "Enter a whole number next to Ann", "10"),
        ({10: "9"}, "between 1 and 4", "10"),
        ({10: "", 20: ""}, "Put the number 1 next to your first choice.", None),
    ],
)
def test_ranked_invalid(marks, message, field):
    with pytest.raises(BallotError) as ei:
        check_ranked(marks, NAMES)
    assert message in str(ei.value)
    assert ei.value.field == field


def test_plurality():
    assert check_plurality([10, 30], 2) == [10, 30]
    with pytest.raises(BallotError, match="one candidate only; you chose 2"):
        check_plurality([10, 30], 1)
    with pytest.raises(BallotError, match="Choose a candidate"):
        check_plurality([], 1)


def test_usable_sequence_cuts_at_gap_or_repeat():
    assert usable_sequence(["2", "1", "", "3"]) == [1, 0, 3]
    assert usable_sequence(["1", "2", "4", ""]) == [0, 1]  # no 3: stops after 2
    assert usable_sequence(["1", "2", "2", "3"]) == [0]  # two 2s: stops after 1
    assert usable_sequence(["2", "3", "", ""]) == []  # no 1: no usable first preference


def test_paper_batch_lines():
    lines = parse_paper_batch("# postal batch\n3*1,2,,\n\n,,1,\n", 4, ranked=True, seats=2)
    assert [(pl.line, pl.count, pl.sequence) for pl in lines] == [(2, 3, (0, 1)), (4, 1, (2,))]
    fptp = parse_paper_batch("x,,x,\nx,x,x,\n", 4, ranked=False, seats=2)
    assert [pl.sequence for pl in fptp] == [(0, 2), ()]  # three marks for two seats: void
    with pytest.raises(BallotError, match="Line 1: expected 4 marks"):
        parse_paper_batch("1,2\n", 4, ranked=True, seats=1)
    with pytest.raises(BallotError, match="Line 2: 'x' is not a number"):
        parse_paper_batch("1,,,\nx,,,\n", 4, ranked=True, seats=1)
    with pytest.raises(BallotError, match="Line 1: 'a\\*' must be a whole number"):
        parse_paper_batch("a*1,,,\n", 4, ranked=True, seats=1)
