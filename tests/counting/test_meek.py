"""Meek STV (NZ Local Electoral Regulations 2001, Schedule 1A): hand-worked cases and real data.

Hand cases live in ``tests/counting/cases/meek_*.blt``; the arithmetic is worked in the comments
in units of 10**-9 vote, rounding as the schedule prescribes (quota truncated, keep values and
every product of clause 10 rounded up).
"""

from __future__ import annotations

import random
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from coopgov.counting import CountResult, Profile, count
from coopgov.counting._blt import read_blt
from coopgov.counting._meek_prng import _next, prn_at, prn_table
from coopgov.counting.meek import UNIT, _Allocator

CASES = Path(__file__).parent / "cases"


def run(name: str) -> CountResult:
    return count(read_blt(CASES / name), "meek", seed=1)


def u(x: Fraction) -> int:
    """An exact value in 10**-9 units (asserts it is a whole number of units)."""
    scaled = x * UNIT
    assert scaled.denominator == 1
    return int(scaled)


def check_invariants(result: CountResult) -> None:
    for s in result.stages:
        assert sum(s.votes) + s.non_transferable + s.loss == result.valid_poll
        if s.keep_factors is not None:
            assert all(0 <= k <= 1 for k in s.keep_factors)


def test_keep_value_and_allocation_rounded_up() -> None:
    # v = 12, n = 2.  cl 5: q = 12/3 + 0.000000001 = 4.000000001.  cl 6: A (6) successful.
    # Step 2, cl 7: kA = q / vA = 4.000000001 / 6 = 0.66666666683.. -> rounded up 0.666666667.
    # cl 10 for "A B": vA = 1 x 0.666666667; the remainder 1 x (1 - 0.666666667) = 0.333333333
    # goes to B (keep value 1).  A = 6 x 0.666666667 = 4.000000002; B = 3 + 6 x 0.333333333 =
    # 4.999999998; C = 3.  No document is exhausted: q stays 4.000000001; B >= q: successful.
    r = run("meek_keep_value_rounding.blt")
    assert [u(v) for v in r.stages[0].votes] == [6 * UNIT, 3 * UNIT, 3 * UNIT]
    assert u(r.stages[0].quota) == 4_000_000_001
    s2 = r.stages[1]
    assert [u(k) for k in s2.keep_factors or ()] == [666_666_667, UNIT, UNIT]
    assert [u(v) for v in s2.votes] == [4_000_000_002, 4_999_999_998, 3 * UNIT]
    assert u(s2.quota) == 4_000_000_001
    assert r.elected_names == ("A", "B")
    check_invariants(r)


def test_exclusion_when_lowest_cannot_catch_up() -> None:
    # v = 16, n = 2: q = 16/3 = 5.333333333.. truncated to 5.333333333, + 1e-9 = 5.333333334.
    # Step 2: kA = 5.333333334 / 6 = 0.888888889 exactly.  "A B": A 0.888888889, B 0.111111111 per
    # paper: A 5.333333334, B 4 + 0.666666666 = 4.666666666, C 5, D 1.  Total surplus
    # 5.333333334 - q = 0, and D + 0 < 4.666666666: D is excluded (cl 13).
    # Step 3 (cl 17): q x kA = 5.333333334 x 0.888888889 = 4.7407407417.. -> 4.740740742;
    # / vA 5.333333334 = 0.88888888918.. -> 0.888888890.  A = 6 x 0.888888890 = 5.333333340,
    # B = 4 + 6 x 0.111111110 = 4.666666660, D's paper now counts for C: 6 >= q, successful.
    r = run("meek_exclusion.blt")
    s2, s3 = r.stages[1], r.stages[2]
    assert [u(v) for v in s2.votes] == [5_333_333_334, 4_666_666_666, 5 * UNIT, UNIT]
    assert u(s2.quota) == 5_333_333_334
    assert s2.excluded == (3,)
    assert u((s3.keep_factors or ())[0]) == 888_888_890
    assert [u(v) for v in s3.votes] == [5_333_333_340, 4_666_666_660, 6 * UNIT, 0]
    assert s3.elected == (2,)
    assert r.elected_names == ("A", "C")
    check_invariants(r)


def test_exhausted_votes_lower_the_quota() -> None:
    # v = 20, n = 2: q = 6.666666666 + 1e-9 = 6.666666667; A (10) successful; A's papers show no
    # further preference.  Step 2: kA = 6.666666667/10 -> 0.666666667; A keeps 6.66666667 and
    # 10 x (1 - 0.666666667) = 3.33333333 is non-transferable (cl 2), so cl 11 gives
    # q = (20 - 3.33333333)/3 = 5.5555555566.. -> 5.555555556 + 1e-9 = 5.555555557.
    # Total surplus 6.66666667 - 5.555555557 = 1.111111113; D 1 + 1.111111113 < C 4: D excluded.
    # Step 3: D's paper exhausts too, the quota falls below B's 5 votes: B successful.
    r = run("meek_exhausted.blt")
    s2 = r.stages[1]
    assert u(s2.non_transferable) == 3_333_333_330
    assert u(s2.quota) == 5_555_555_557
    assert u(s2.votes[0]) == 6_666_666_670
    assert s2.excluded == (3,)
    assert r.stages[2].elected == (1,)
    assert r.stages[2].quota < 5
    assert r.elected_names == ("A", "B")
    check_invariants(r)


def test_tie_for_exclusion_resolved_by_aafd() -> None:
    # v = 18, n = 2: q = 6.000000001; A (8) successful; A's papers exhaust after A.
    # Step 2: kA = 6.000000001/8 = 0.750000000125 -> 0.750000001; A = 6.000000008; non-transferable
    # 8 x 0.249999999 = 1.999999992; q = 16.000000008/3 = 5.333333336 + 1e-9 = 5.333333337;
    # total surplus 0.666666671; D 1 + 0.666666671 < C 2: D excluded; its paper moves to C.
    # Step 3: q x kA = 4.00000000308.. -> 4.000000004; / 6.000000008 -> kA 0.666666668;
    # A = 5.333333344, non-transferable 2.666666656, q = 15.333333344/3 -> 5.111111115.
    # B and C now both have 3 votes.  Neither exclusion test of cl 13 passes until the surplus
    # falls below 0.0001; then the lowest are tied and cl 19 applies: AAFD (cl 40) looks at the
    # earliest step where they differed, step 1 (B 3, C 2): C is excluded.
    r = run("meek_aafd_tie.blt")
    s2, s3 = r.stages[1], r.stages[2]
    assert u(s2.votes[0]) == 6_000_000_008
    assert u(s2.non_transferable) == 1_999_999_992
    assert u(s2.quota) == 5_333_333_337
    assert s2.excluded == (3,)
    assert u((s3.keep_factors or ())[0]) == 666_666_668
    assert u(s3.votes[0]) == 5_333_333_344
    assert u(s3.non_transferable) == 2_666_666_656
    assert u(s3.quota) == 5_111_111_115
    [tie] = r.ties
    assert (tie.decision, tie.tied, tie.chosen, tie.how) == ("exclusion", (1, 2), 2, "earlier stage")
    excl = r.stages[tie.stage - 1]
    assert excl.excluded == (2,)
    assert "less than 0.0001" in excl.note
    # surplus at that step really is below 0.0001, and was not at the step before
    prev = r.stages[tie.stage - 2]
    assert u(excl.votes[0] - excl.quota) < 100_000 <= u(prev.votes[0] - prev.quota)
    assert set(r.elected_names) == {"A", "E"}
    check_invariants(r)


def test_prng_follows_clauses_42_to_48() -> None:
    # c = 4, n = 1, v = 11: cl 42 x = 9, y = 1, z = (11 + 1000 x 1) rem 30323 = 1011.
    # cl 43 once: x = 1539, y = 172, z = 171870 rem 30323 = 20255;
    #   rc = 15390000 div 30269 + 1720000 div 30307 + 202550000 div 30323 = 508 + 56 + 6679 = 7243.
    # again: x = 263169 rem 30269 = 21017, y = 29584, z = 3443350 rem 30323 = 16851;
    #   rc = 6943 + 9761 + 5557 = 22261.
    x, y, z, rc = _next(9, 1, 1011)
    assert (x, y, z, rc) == (1539, 172, 20255, 7243)
    assert _next(x, y, z) == (21017, 29584, 16851, 22261)
    # cl 44-45: values 1-4 discarded, the fifth (14033) goes to the first candidate; cl 46-47: the
    # next distinct values to the others.
    table = prn_table(4, 1, 11)
    assert table == (14033, 10607, 22161, 19497)
    # cl 48: 10000 - PRN at every second step
    assert [prn_at(table, s, 0) for s in (1, 2, 3)] == [14033, 10000 - 14033, 14033]


def test_single_vacancy_part2_tie_by_aafd() -> None:
    # Part 2: v = 11, m = 11/2 rounded up = 6 (cl 26).  Step 1: nobody has 6; D (1) excluded.
    # Step 2: D's paper to C: A 5, B 3, C 3; B and C tie: AAFD, step 1 B 3 > C 2: C excluded.
    # Step 3: C's 3 papers are exhausted: m = (11 - 3)/2 = 4 and A's 5 >= 4: A elected.
    r = run("meek_single_aafd.blt")
    assert [[int(v) for v in s.votes] for s in r.stages] == [[5, 3, 2, 1], [5, 3, 3, 0], [5, 3, 0, 0]]
    assert [int(s.quota) for s in r.stages] == [6, 6, 4]
    assert [s.excluded for s in r.stages] == [(3,), (2,), ()]
    [tie] = r.ties
    assert (tie.stage, tie.chosen, tie.how) == (2, 2, "earlier stage")
    assert r.elected_names == ("A",)
    check_invariants(r)


def test_single_vacancy_part2_tie_by_prn() -> None:
    # v = 11, m = 6.  Step 1: B 2 and C 2 tie for exclusion with no earlier step: cl 34(a) falls to
    # the PRN: at step 1 B has 10607 and C 22161 (see the PRNG test), so B is excluded.  B's
    # papers go to A: 6 >= 6, A elected.
    r = run("meek_single_prn.blt")
    [tie] = r.ties
    assert (tie.stage, tie.tied, tie.chosen, tie.how) == (1, (1, 2), 1, "lot")
    assert "10607" in tie.detail and "22161" in tie.detail
    assert r.elected_names == ("A",)
    # the schedule's PRNG, not the caller's generator, decides: every seed gives the same count
    p = read_blt(CASES / "meek_single_prn.blt")
    assert all(count(p, "meek", seed=s).ties == r.ties for s in range(5))


def test_single_vacancy_two_candidates_equal_the_absolute_majority() -> None:
    # v = 6, m = 3 (cl 26): A 3 and B 3 both equal it.  cl 34(b): the tie rule for exclusion
    # decides which is excluded - no earlier step, so the PRN: c = 2, n = 1, v = 6 gives
    # A 16670, B 16226 at step 1; B (lowest) is excluded and A, "the candidate who is not
    # excluded", is elected.
    assert prn_table(2, 1, 6) == (16670, 16226)
    r = run("meek_single_both_majority.blt")
    [tie] = r.ties
    assert (tie.stage, tie.tied, tie.chosen, tie.how) == (1, (0, 1), 1, "lot")
    assert "cl 34(b)" in tie.detail
    assert r.elected_names == ("A",)


def test_stable_state_excludes_the_lowest() -> None:
    # A has 1,000,000 first preferences that show no further preference; B 600, C 600, D 601,
    # 2 vacancies.  As A's keep value falls its surplus exhausts and the quota falls towards
    # (A's votes + 1801) / 3.  A's votes can only move in steps of 1,000,000 x 10**-9 = 0.001
    # (keep values have 9 decimals), so the total surplus can never fall below 0.0001 and the
    # lowest cannot be excluded under cl 13 (600 + surplus is not below 600).  The iterations
    # come back to the same keep values: cl 23 excludes the candidate with the lowest votes
    # (B and C tie: AAFD finds no difference, so the PRN decides), after which D is successful.
    p = Profile.from_ballots(["A", "B", "C", "D"], 2, [[0], [1], [2], [3]], [10**6, 600, 600, 601])
    r = count(p, "meek")
    [stable] = [s for s in r.stages if "cl 23" in s.note]
    before = r.stages[stable.number - 2]
    assert stable.keep_factors == before.keep_factors or any(
        s.keep_factors == stable.keep_factors for s in r.stages[: stable.number - 1]
    )
    assert stable.votes[0] - stable.quota >= Fraction(1, 10**4)
    [tie] = r.ties
    assert tie.tied == (1, 2) and tie.how == "lot" and stable.excluded == (tie.chosen,)
    assert r.elected_names == ("A", "D")
    check_invariants(r)


def test_candidate_nobody_ranked_becomes_withdrawn() -> None:
    # cl 20: D appears on no voting document and becomes withdrawn (keep value 0, never hopeful).
    # v = 10, q = 10/3 -> 3.333333333 + 1e-9 = 3.333333334: A (5) successful at step 1.
    # Step 2: kA = 3.333333334/5 -> 0.666666667; A's papers exhaust after A, so 5 x 0.333333333 =
    # 1.666666665 is non-transferable and q = 8.333333335/3 -> 2.777777778 + 1e-9 = 2.777777779;
    # B's 3 votes reach it: B successful (cl 12).
    r = run("meek_unranked_candidate.blt")
    assert u(r.stages[1].quota) == 2_777_777_779
    assert u(r.stages[1].non_transferable) == 1_666_666_665
    assert any("D has no preferences at all" in n and "cl 20" in n for n in r.notes)
    assert all(s.keep_factors is None or s.keep_factors[3] == 0 for s in r.stages)
    assert r.elected_names == ("A", "B")
    assert 3 not in r.excluded
    check_invariants(r)


def test_fewer_candidates_with_votes_than_vacancies_leaves_extraordinary_vacancies() -> None:
    # Three vacancies; only A and B appear on any voting document.  cl 20: C and D become
    # withdrawn.  cl 21: fewer candidates with votes (2) than vacancies (3), so A and B are
    # successful, the counting is complete after step 1 and the third vacancy is an
    # extraordinary vacancy.
    r = run("meek_zero_votes.blt")
    assert r.seats == 3
    assert r.elected_names == ("A", "B")
    assert len(r.stages) == 1
    assert any("cl 21" in n and "1 vacancy(ies) remain extraordinary" in n for n in r.notes)
    assert any("C, D had no preferences at all (cl 20)" in n for n in r.notes)
    assert r.ties == ()
    check_invariants(r)


def _reference_allocation(profile: Profile, keep: list[int]) -> tuple[list[int], int]:
    """cl 10 written out literally, one voting document at a time (a slow test oracle)."""
    votes = [0] * len(profile.candidates)
    vnt = 0
    for ranking, weight in zip(profile.rankings, profile.weights, strict=True):
        rest = UNIT
        for c in ranking:
            vm = -(-(rest * keep[c]) // UNIT)
            rest = -(-(rest * (UNIT - keep[c])) // UNIT)
            votes[c] += weight * vm
        vnt += weight * rest
    return votes, vnt


def test_vectorised_allocation_equals_the_literal_clause(shared_data: Path) -> None:
    profile = read_blt(shared_data / "elections/edinburgh_2017/edinburgh_2017_ward01_almond.blt")
    alloc = _Allocator(profile)
    rng = random.Random(5)
    for _ in range(5):
        keep = [rng.choice([0, UNIT, rng.randrange(UNIT)]) for _ in profile.candidates]
        assert alloc.allocate(keep) == _reference_allocation(profile, keep)


def _official_winners(shared_data: Path) -> dict[str, set[str]]:
    """Winners table of shared/data/elections README (names compared with collapsed spaces)."""
    text = (shared_data / "README.md").read_text(encoding="utf-8")
    out: dict[str, set[str]] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`edinburgh_2017/"):
            out[cells[0].strip("`")] = {" ".join(n.split()) for n in cells[2].split(";")}
    return out


def test_edinburgh_2017_ward14_elects_lunn_under_meek(shared_data: Path) -> None:
    # shared/data README: "Under Meek STV the result of Edinburgh ward 14 differs (Alex LUNN
    # instead of Alex STANIFORTH)".
    profile = read_blt(shared_data / "elections/edinburgh_2017/edinburgh_2017_ward14_craigentinnyduddingston.blt")
    r = count(profile, "meek")
    names = {" ".join(n.split()) for n in r.elected_names}
    assert "Alex LUNN" in names and "Alex STANIFORTH" not in names
    assert names == {"Alex LUNN", "Ian CAMPBELL", "Joan GRIFFITHS", "John MCLELLAN"}
    check_invariants(r)


def test_edinburgh_2017_meek_coincides_with_official_except_ward14(shared_data: Path) -> None:
    official = _official_winners(shared_data)
    assert len(official) == 17
    differ = []
    for rel, winners in sorted(official.items()):
        profile = read_blt(shared_data / "elections" / rel)
        r = count(profile, "meek")
        check_invariants(r)
        assert len(r.elected) == profile.seats
        if {" ".join(n.split()) for n in r.elected_names} != winners:
            differ.append(rel)
    assert differ == ["edinburgh_2017/edinburgh_2017_ward14_craigentinnyduddingston.blt"]


@pytest.mark.parametrize(
    "rel",
    ["ireland_2002/meath_2002.blt", "ireland_2002/dublin_west_2002.blt"],
)
def test_irish_2002_meek_elects_the_declared_winners(shared_data: Path, rel: str) -> None:
    profile = read_blt(shared_data / "elections" / rel)
    r = count(profile, "meek")
    check_invariants(r)
    declared = count(profile, "scottish-stv", seed=1)  # matches the README's declared winners
    assert set(r.elected) == set(declared.elected)


def test_grouped_and_ungrouped_give_the_same_count(shared_data: Path) -> None:
    profile = read_blt(shared_data / "elections/edinburgh_2017/edinburgh_2017_ward14_craigentinnyduddingston.blt")
    a = count(profile, "meek")
    b = count(profile.ungrouped(), "meek")
    assert a.stages == b.stages and a.elected == b.elected and a.ties == b.ties


def test_core_does_not_import_django() -> None:
    code = "import sys, coopgov.counting.meek; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
