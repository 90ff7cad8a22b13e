"""Property-based tests over every registered counting method."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopgov.counting import METHODS, Profile, count

METHOD_NAMES = sorted(METHODS)

# Meek's totals are rounded (up) to 9 decimal places each iteration (NZ LER 2001 Sch. 1A), so
# its stage sums may differ from the valid poll by a few units in the last place per candidate.
TOLERANCE = {"meek": Fraction(1, 10**6)}


@st.composite
def profiles(draw: st.DrawFn) -> Profile:
    n = draw(st.integers(min_value=2, max_value=6))
    seats = draw(st.integers(min_value=1, max_value=n - 1))
    ranking = st.lists(st.integers(min_value=0, max_value=n - 1), min_size=1, max_size=n, unique=True)
    ballots = draw(st.lists(st.tuples(ranking, st.integers(min_value=1, max_value=9)), min_size=1, max_size=25))
    # Every candidate gets at least one preference somewhere: Meek (NZ LER 2001 Sch. 1A cl 20)
    # treats a candidate with no preferences at all as withdrawn and may then fill fewer seats.
    ballots.extend(([c], 1) for c in range(n) if not any(c in r for r, _ in ballots))
    rankings = [r for r, _ in ballots]
    weights = [w for _, w in ballots]
    return Profile.from_ballots([f"C{i}" for i in range(n)], seats, rankings, weights)


def test_methods_registered() -> None:
    assert {"plurality", "scottish-stv"} <= set(METHOD_NAMES)


@pytest.mark.parametrize("method", METHOD_NAMES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profile=profiles(), seed=st.integers(min_value=0, max_value=2**16))
def test_invariants(method: str, profile: Profile, seed: int) -> None:
    result = count(profile, method, seed=seed)
    # terminates (we got here) and fills exactly the seats, each candidate at most once
    assert len(result.elected) == profile.seats
    assert len(set(result.elected)) == profile.seats
    assert not set(result.elected) & set(result.excluded)
    assert result.valid_poll == profile.valid_poll
    for stage in result.stages:
        assert len(stage.votes) == len(profile.candidates)
        total = sum(stage.votes) + stage.non_transferable + stage.loss
        if method == "plurality":  # totals count marks: one per vacancy a voter could fill
            marks = sum(w * min(len(r), profile.seats) for r, w in zip(profile.rankings, profile.weights, strict=True))
            assert total == marks
        else:
            assert abs(total - profile.valid_poll) <= TOLERANCE.get(method, 0) * len(profile.candidates), (
                f"stage {stage.number}"
            )
    # every lot is on record: a seeded re-run reproduces the result exactly
    assert count(profile, method, seed=seed) == result


@pytest.mark.parametrize("method", METHOD_NAMES)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profile=profiles(), seed=st.integers(min_value=0, max_value=2**16))
def test_grouped_and_ungrouped_identical(method: str, profile: Profile, seed: int) -> None:
    grouped = count(profile, method, seed=seed)
    ungrouped = count(profile.ungrouped(), method, seed=seed)
    assert ungrouped.elected == grouped.elected
    assert ungrouped.excluded == grouped.excluded
    assert [s.votes for s in ungrouped.stages] == [s.votes for s in grouped.stages]
    assert ungrouped.ties == grouped.ties


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profile=profiles(), seed=st.integers(min_value=0, max_value=2**16))
def test_scottish_stv_fixed_point_and_election_reasons(profile: Profile, seed: int) -> None:
    result = count(profile, "scottish-stv", seed=seed)
    quota = Fraction(profile.valid_poll // (profile.seats + 1) + 1)
    assert result.quota == quota
    previous = None
    for stage in result.stages:
        # five decimal places exactly, never negative (rule 48(3))
        assert all((v * 10**5).denominator == 1 and v >= 0 for v in stage.votes)
        assert stage.loss >= 0 and (stage.loss * 10**5).denominator == 1
        if previous is not None:  # non-transferable papers and rounding loss only accumulate
            assert stage.non_transferable >= previous.non_transferable
            assert stage.loss >= previous.loss
        for c in stage.elected:  # elected with a quota (rule 47) or as a last vacancy (rule 52)
            assert stage.votes[c] >= quota or "rule 52" in stage.note
        # one surplus or one exclusion per stage
        assert len(stage.subjects) == (0 if stage.number == 1 else 1)
        previous = stage
