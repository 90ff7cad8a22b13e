"""ERS97 rules: hand-worked cases (stage tables computed by hand from the rule text) and real data.

Every hand case lives in ``tests/counting/cases/ers97_*.blt``.  The arithmetic is worked in the
comments in hundredths of a vote, as the rules require (quota and transfer values to two
decimal places).
"""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from coopgov.counting import CountResult, count
from coopgov.counting._blt import read_blt

CASES = Path(__file__).parent / "cases"


def run(name: str, seed: int = 1) -> CountResult:
    return count(read_blt(CASES / name), "ers97", seed=seed)


def table(result: CountResult) -> list[tuple[object, ...]]:
    """Stage rows as (action, votes..., non-transferable, loss, quota, elected, excluded)."""
    names = result.candidates

    def f(x: Fraction) -> str:
        return f"{float(x):.2f}"  # display only; the values themselves are exact hundredths

    return [
        (
            s.action,
            *(f(v) for v in s.votes),
            f(s.non_transferable),
            f(s.loss),
            f(s.quota),
            tuple(names[c] for c in s.elected),
            tuple(sorted(names[c] for c in s.excluded)),
        )
        for s in result.stages
    ]


def check_invariants(result: CountResult) -> None:
    for s in result.stages:
        assert sum(s.votes) + s.non_transferable + s.loss == result.valid_poll
        for v in s.votes:
            assert (v * 100).denominator == 1  # whole hundredths
    assert len(result.elected) == result.seats
    assert len(set(result.elected)) == result.seats


def test_first_stage_surplus_truncated_transfer_value() -> None:
    # 150 valid votes, 2 places: quota 150/3 = 50.00 exactly (5.1.6).
    # Stage 1: A 70 >= 50 deemed elected; surplus 20.00.  Not deferred (5.2.2): the two lowest,
    #   B 25 and D 25, differ by 0, and B+D = 50 exceeds C's 30.
    # Stage 2: all 70 of A's papers (5.3.1); 60 transferable (40 to B, 20 to C) worth 60.00 > 20.00,
    #   so TV = 20/60 = 0.333.. -> 0.33 (5.3.7).  B + 40 x 0.33 = 13.20 -> 38.20; C + 6.60 -> 36.60;
    #   20.00 - 19.80 = 0.20 is the neglected remainder (loss); A keeps the quota.
    # Stage 3: D (25) excluded alone (25 + 36.60 > 38.20); 15 papers to B -> 53.20 >= 50, elected;
    #   10 papers non-transferable.  Both places filled: C formally excluded (5.5.2).
    r = run("ers97_first_surplus_truncated.blt")
    assert table(r) == [
        ("first preferences", "70.00", "25.00", "30.00", "25.00", "0.00", "0.00", "50.00", ("A",), ()),
        ("surplus", "50.00", "38.20", "36.60", "25.00", "0.00", "0.20", "50.00", (), ()),
        ("exclusion", "50.00", "53.20", "36.60", "0.00", "10.00", "0.20", "50.00", ("B",), ("D",)),
    ]
    assert r.elected_names == ("A", "B")
    assert r.excluded == (3, 2)  # D, then C formally (5.5.2)
    check_invariants(r)


def test_later_surplus_taken_from_last_parcel_only() -> None:
    # 200 votes, 3 places: quota 50.00.
    # Stage 2: A's surplus 10.00 over 48 transferable papers (all to B): TV 10/48 = 0.2083 -> 0.20;
    #   B 45 + 9.60 = 54.60 elected; loss 0.40.
    # Stage 3: B's surplus 4.60 arose from that transfer, so only the last batch - the 48 papers at
    #   0.20, next preference D - is examined (5.3.2), NOT B's own 45 papers (next preference C).
    #   48 x 0.20 = 9.60 > 4.60: TV = 4.60/48 = 0.0958 -> 0.09; D + 4.32 = 36.32; loss 0.40 + 0.28.
    # Stage 4: E (30) excluded (30 + 33 > 36.32 so alone); 30 papers to C -> 63 elected.
    r = run("ers97_last_parcel.blt")
    assert table(r) == [
        ("first preferences", "60.00", "45.00", "33.00", "32.00", "30.00", "0.00", "0.00", "50.00", ("A",), ()),
        ("surplus", "50.00", "54.60", "33.00", "32.00", "30.00", "0.00", "0.40", "50.00", ("B",), ()),
        ("surplus", "50.00", "50.00", "33.00", "36.32", "30.00", "0.00", "0.68", "50.00", (), ()),
        ("exclusion", "50.00", "50.00", "63.00", "36.32", "0.00", "0.00", "0.68", "50.00", ("C",), ("E",)),
    ]
    assert r.stages[2].subjects == (1,)
    assert set(r.elected_names) == {"A", "B", "C"}
    check_invariants(r)


def test_surplus_deferred_and_bulk_exclusion() -> None:
    # 100 votes, 2 places: 100/3 = 33.333.. -> remainder ignored, + 0.01 = 33.34 (5.1.6).
    # Stage 1: A 34 elected, surplus 0.66.  5.2.2(a): the two lowest, E 5 and D 6, differ by
    #   1.00 >= 0.66, so the transfer is deferred.
    # 5.2.5: exclude as many as possible: E+D = 11 (+0.66 deferred) <= C 25, but E+D+C = 36 (+0.66)
    #   > B 30: E and D are excluded together in one stage.
    # Stage 2: D's 6 papers to B (36 >= 33.34, elected), E's 5 to C.  A's surplus never moves.
    r = run("ers97_deferral_bulk.blt")
    assert table(r) == [
        ("first preferences", "34.00", "30.00", "25.00", "6.00", "5.00", "0.00", "0.00", "33.34", ("A",), ()),
        ("exclusion", "34.00", "36.00", "30.00", "0.00", "0.00", "0.00", "0.00", "33.34", ("B",), ("D", "E")),
    ]
    assert all(s.action != "surplus" for s in r.stages)
    assert r.elected_names == ("A", "B")
    check_invariants(r)


def test_exclusion_tie_resolved_at_the_earliest_stage_and_quota_reduced() -> None:
    # 52 votes, 1 place: quota 26.00.  Stage 1: X 10, Y 11, P 2, Q 9, Z 20.
    # Stage 2: P excluded (2 + 9 > 10 so alone): 2 papers to X -> X 12, Y 11.
    # Stage 3: Q excluded: 1 paper to Y -> 12, 8 non-transferable; nobody elected yet so the quota is
    #   recalculated ignoring the non-transferable vote (5.4.8): (52 - 8)/2 = 22.00.
    # Stage 4: X and Y tie on 12 (and X+Y = 24 > Z 20, so no bulk exclusion).  ERS97 5.2.5 looks
    #   at the FIRST stage where they differed: stage 1, X 10 < Y 11, so X is excluded.  (The
    #   Scottish rule would look back from the most recent stage: stage 2, X 12 > Y 11.)
    #   X's 10 papers go to Z (30), P's 2 papers exhaust: NT 10, quota (52 - 10)/2 = 21.00; Z elected.
    r = run("ers97_exclusion_tie_earliest.blt")
    assert table(r) == [
        ("first preferences", "10.00", "11.00", "2.00", "9.00", "20.00", "0.00", "0.00", "26.00", (), ()),
        ("exclusion", "12.00", "11.00", "0.00", "9.00", "20.00", "0.00", "0.00", "26.00", (), ("P",)),
        ("exclusion", "12.00", "12.00", "0.00", "0.00", "20.00", "8.00", "0.00", "22.00", (), ("Q",)),
        ("exclusion", "0.00", "12.00", "0.00", "0.00", "30.00", "10.00", "0.00", "21.00", ("Z",), ("X",)),
    ]
    [tie] = r.ties
    assert (tie.stage, tie.decision, tie.tied, tie.chosen, tie.how) == (
        4,
        "exclusion",
        (0, 1),
        0,
        "earlier stage",
    )
    check_invariants(r)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_equal_surpluses_ordered_by_lot_and_election_on_total_active_vote(seed: int) -> None:
    # 93 votes, 3 places: quota 93/4 = 23.25.  A and B both 30: surpluses 6.75 each, equal at
    # every point so the order is decided by lot (5.2.3).  Each surplus: 30 papers, TV
    # 6.75/30 = 0.225 -> 0.22, 6.60 transferred (A's to C, B's to D), 0.15 lost each.
    # Then E (10) is excluded: its papers exhaust.  C 18.60 < quota, but the total active vote is
    # C 18.60 + D 17.60 = 36.20 and 36.20 / (1 + 1) = 18.10 <= 18.60: C is deemed elected by
    # 5.1.7(b)/5.4.9(b).
    r = run("ers97_surplus_tie_lot.blt", seed=seed)
    [tie] = r.ties
    assert (tie.decision, tie.tied, tie.how, tie.stage) == ("surplus order", (0, 1), "lot", 2)
    assert r.stages[1].subjects == (tie.chosen,)
    assert r.stages[2].subjects == (1 - tie.chosen,)
    last = table(r)[-1]
    assert last == ("exclusion", "23.25", "23.25", "18.60", "17.60", "0.00", "10.00", "0.30", "23.25", ("C",), ("E",))
    assert r.elected_names == ("A", "B", "C")
    check_invariants(r)


def test_lot_is_reproducible_by_seed_and_both_outcomes_occur() -> None:
    chosen = {run("ers97_surplus_tie_lot.blt", seed=s).ties[0].chosen for s in range(12)}
    assert chosen == {0, 1}
    assert run("ers97_surplus_tie_lot.blt", seed=7).ties == run("ers97_surplus_tie_lot.blt", seed=7).ties


def test_deferred_surplus_then_equal_surpluses_ordered_by_first_stage() -> None:
    # 100 votes, 3 places: quota 25.00.  Stage 1: A 30 elected, surplus 5.00; the two lowest, X 12
    # and Y 18, differ by 6 >= 5: deferred.  Stage 2: X excluded, its 12 papers elect Y (30).
    # Now A and Y both have surplus 5.00: 5.2.3 takes the earliest point where they differed,
    # stage 1 (A 30 > Y 18), so A's surplus goes first: its 30 papers skip X (excluded) and Y
    # (elected) to Z, TV 5/30 = 0.1666 -> 0.16, Z 21 + 4.80 = 25.80 elected.
    r = run("ers97_deferral_surplus_tie.blt")
    assert [s.action for s in r.stages] == ["first preferences", "exclusion", "surplus"]
    [tie] = r.ties
    assert (tie.decision, tie.chosen, tie.how) == ("surplus order", 0, "earlier stage")
    assert table(r)[-1] == ("surplus", "25.00", "0.00", "30.00", "25.80", "19.00", "0.00", "0.20", "25.00", ("Z",), ())
    check_invariants(r)


def test_election_tie_for_last_place_resolved_by_earlier_votes() -> None:
    # 20 votes, 1 place: quota 10.00.  D (3) excluded: 1 paper to B (10), 2 to C (10).  Both reach
    # the quota with one place left: 5.6.2 takes them in order of votes at the earliest point where
    # they differed - stage 1, B 9 > C 8 - so B is deemed elected.
    r = run("ers97_election_tie.blt")
    assert table(r) == [
        ("first preferences", "9.00", "8.00", "3.00", "0.00", "0.00", "10.00", (), ()),
        ("exclusion", "10.00", "10.00", "0.00", "0.00", "0.00", "10.00", ("B",), ("D",)),
    ]
    [tie] = r.ties
    assert (tie.decision, tie.chosen, tie.how) == ("election", 0, "earlier stage")
    check_invariants(r)


def test_election_tie_equal_throughout_elects_nobody_then_lot() -> None:
    # 10 votes, 1 place: quota 5.00; B and C both 5 at the only point: 5.6.2 deems neither elected.
    # Exclusion: equal at every stage, so by lot (5.2.5); the exclusion leaves one candidate for
    # one place, who is deemed elected (5.5.1).
    for seed in range(4):
        r = run("ers97_equal_tie_none.blt", seed=seed)
        assert r.stages[0].elected == ()
        assert "5.6.2" in r.stages[0].note
        [tie] = r.ties
        assert (tie.decision, tie.how) == ("exclusion", "lot")
        assert r.elected == (1 - tie.chosen,)
        assert "5.5.1" in r.stages[1].note
        check_invariants(r)


def test_exclusion_in_batches_of_descending_value() -> None:
    # 100 votes, 3 places: quota 25.00.
    # Stage 2: A's surplus 15 over 40 transferable papers: TV 15/40 = 0.375 -> 0.37; X + 30 x 0.37
    #   = 11.10 -> 17.10, W + 10 x 0.37 = 3.70 -> 18.70; loss 0.20.
    # X is lowest (17.10 + 18.70 > Y 19, so alone).  5.4.1: X's papers in batches by value:
    #   batch 1, 6 papers at 1.00 (X Y): Y 19 + 6 = 25 -> deemed elected (5.4.9);
    #   batch 2, 30 papers at 0.37 (A X Y Z): Y is no longer continuing (5.4.10) so they go to Z:
    #   20 + 11.10 = 31.10 -> elected; all places filled, W formally excluded.
    r = run("ers97_batches.blt")
    assert table(r) == [
        ("first preferences", "40.00", "6.00", "19.00", "20.00", "15.00", "0.00", "0.00", "25.00", ("A",), ()),
        ("surplus", "25.00", "17.10", "19.00", "20.00", "18.70", "0.00", "0.20", "25.00", (), ()),
        ("exclusion", "25.00", "11.10", "25.00", "20.00", "18.70", "0.00", "0.20", "25.00", ("Y",), ("X",)),
        ("exclusion", "25.00", "0.00", "25.00", "31.10", "18.70", "0.00", "0.20", "25.00", ("Z",), ()),
    ]
    assert r.stages[3].transfers[2] == 0  # nothing more for Y after its election
    check_invariants(r)


def test_surplus_with_no_transferable_papers() -> None:
    # 80 votes, 2 places: 80/3 = 26.666.. -> 26.67.  A's 40 papers show no further preference, so
    # the whole surplus 13.33 is non-transferable (5.3.7: present value, nothing to transfer).
    # Then the total active vote is B 20 + C 15 + D 5 = 40 and 40 / (1 + 1) = 20 <= B's 20: B is
    # deemed elected under 5.3.13(b) although short of the quota.
    r = run("ers97_exhausted_surplus.blt")
    assert table(r) == [
        ("first preferences", "40.00", "20.00", "15.00", "5.00", "0.00", "0.00", "26.67", ("A",), ()),
        ("surplus", "26.67", "20.00", "15.00", "5.00", "13.33", "0.00", "26.67", ("B",), ()),
    ]
    check_invariants(r)


def test_bulk_exclusion_boundary_splits_a_tie() -> None:
    # 28 votes, 2 places: 28/3 = 9.333.. -> 9.34.  Stage 1: D 20 elected, surplus 10.66.  Not
    # deferred: A 0 and B 4 differ by 4 < 10.66, and A + B = 4 leaves 0 below C.  Stage 2: D's
    # papers show no further preference: 10.66 non-transferable.  The total active vote is
    # 0 + 4 + 4 = 8 and 8 / (1 + 1) = 4: B and C both qualify under 5.3.13(b) for one place, were
    # equal at every point, so by 5.6.2 neither is deemed elected.
    # Stage 3, 5.2.5: A + B = 4 <= C 4, so two candidates go (3 - 2 leaves 1 for 1 place); the
    # boundary falls between B and C, equal throughout: the one excluded with A is drawn by lot.
    # That leaves one continuing candidate for one place: deemed elected (5.5.1).
    outcomes = set()
    for seed in range(10):
        r = run("ers97_bulk_boundary_tie.blt", seed=seed)
        assert [s.action for s in r.stages] == ["first preferences", "surplus", "exclusion"]
        assert r.stages[1].non_transferable == Fraction(1066, 100)
        assert r.stages[1].elected == () and "5.6.2" in r.stages[1].note
        [tie] = r.ties
        assert (tie.decision, tie.tied, tie.how) == ("exclusion", (1, 2), "lot")
        assert set(r.stages[2].excluded) == {0, tie.chosen}
        winner = 3 - tie.chosen  # the other of B (1) and C (2)
        assert r.elected == (3, winner)
        outcomes.add(winner)
        check_invariants(r)
    assert outcomes == {1, 2}


def _official_winners(shared_data: Path) -> dict[str, set[str]]:
    """The winners table of shared/data/elections README (names compared with collapsed spaces)."""
    text = (shared_data / "README.md").read_text(encoding="utf-8")
    out: dict[str, set[str]] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`") and cells[0].endswith(".blt`"):
            out[cells[0].strip("`")] = {" ".join(n.split()) for n in cells[2].split(";")}
    return out


def test_real_counts_balance_and_agree_with_the_declared_winners(shared_data: Path) -> None:
    # ERS97 was not the rule used in these elections (Scottish STV, Irish Dail STV), but on every
    # profile with declared winners in the data README it elects exactly the declared winners.
    official = _official_winners(shared_data)
    assert len(official) == 20
    for rel, winners in sorted(official.items()):
        profile = read_blt(shared_data / "elections" / rel)
        r = count(profile, "ers97", seed=1)
        check_invariants(r)
        assert {" ".join(n.split()) for n in r.elected_names} == winners, rel


def test_grouped_and_ungrouped_give_the_same_count(shared_data: Path) -> None:
    profile = read_blt(shared_data / "elections/edinburgh_2017/edinburgh_2017_ward01_almond.blt")
    a = count(profile, "ers97", seed=3)
    b = count(profile.ungrouped(), "ers97", seed=3)
    assert table(a) == table(b)
    assert a.elected == b.elected and a.ties == b.ties


def test_core_does_not_import_django() -> None:
    code = "import sys, coopgov.counting.ers97; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
