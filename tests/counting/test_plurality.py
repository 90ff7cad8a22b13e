"""First past the post: single and multi-member, ties by lot."""

from __future__ import annotations

from pathlib import Path

from coopgov.counting import Profile, count
from coopgov.counting._blt import read_blt


def test_single_member_counts_first_preferences() -> None:
    p = Profile.from_ballots(["A", "B", "C"], 1, [[0, 1], [1], [1, 2], [2, 0, 1]], [4, 3, 2, 1])
    r = count(p, "plurality", seed=0)
    assert r.elected == (1,)
    assert r.stages[0].votes == (4, 5, 1)
    assert not r.ties and r.excluded == (0, 2)


def test_multi_member_marks_are_the_first_n_preferences() -> None:
    # 2 seats: each voter's first two preferences are votes
    p = Profile.from_ballots(["A", "B", "C", "D"], 2, [[0, 1, 2], [2, 3], [3]], [5, 4, 2])
    r = count(p, "plurality", seed=0)
    assert r.stages[0].votes == (5, 5, 4, 6)
    # D has 6; A and B tie on 5 for the second seat
    (tie,) = r.ties
    assert tie.how == "lot" and tie.tied == (0, 1) and r.elected[0] == 3
    assert r.elected[1] == tie.chosen


def test_tie_for_last_seats_drawn_by_lot_reproducibly() -> None:
    p = Profile.from_ballots(["A", "B", "C", "D"], 2, [[0], [1], [2], [3]], [3, 2, 2, 2])
    chosen = set()
    for seed in range(30):
        r = count(p, "plurality", seed=seed)
        assert r.elected[0] == 0 and len(r.elected) == 2
        assert r.ties[0].tied == (1, 2, 3) and r.ties[0].how == "lot"
        assert count(p, "plurality", seed=seed) == r
        chosen.add(r.elected[1])
    assert chosen == {1, 2, 3}


def test_no_tie_when_equal_candidates_all_fit() -> None:
    p = Profile.from_ballots(["A", "B", "C"], 2, [[0], [1], [2]], [3, 3, 1])
    r = count(p, "plurality", seed=0)
    assert set(r.elected) == {0, 1} and not r.ties


def test_real_ward_first_preferences(shared_data: Path) -> None:
    p = read_blt(shared_data / "elections" / "edinburgh_2017" / "edinburgh_2017_ward13_leith.blt")
    r = count(p, "plurality", seed=0)
    firsts = [
        sum(w for rk, w in zip(p.rankings, p.weights, strict=True) if rk[0] == c) for c in range(len(p.candidates))
    ]
    assert r.valid_poll == 7613 and len(r.elected) == 3
    marks = sum(w * min(3, len(rk)) for rk, w in zip(p.rankings, p.weights, strict=True))
    assert sum(r.stages[0].votes) == marks
    assert max(firsts) > 0
