"""scottish-stv against a deliberately naive reference written from the rule text in this test:
one object per ballot paper, plain loops, no grouping.  Both must agree at every stage."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopgov.counting import Profile, count

UNIT = 10**5


def naive_scottish(profile: Profile) -> list[tuple[str, tuple[int, ...], list[int], int, int]]:
    """Stages as (action, subjects, votes in units, non-transferable, loss); no lots allowed."""
    n = len(profile.candidates)
    seats = profile.seats
    quota = (profile.valid_poll // (seats + 1) + 1) * UNIT
    continuing = [c not in profile.withdrawn for c in range(n)]
    # each paper: [ranking, position, value, holder]
    papers = []
    for ranking, weight in zip(profile.rankings, profile.weights, strict=True):
        for _ in range(weight):
            papers.append([ranking, 0, UNIT, ranking[0]])
    votes = [0] * n
    for p in papers:
        votes[p[3]] += p[2]
    nt = loss = 0
    elected: list[int] = []
    pending: list[int] = []
    history: list[list[int]] = []
    stages = []

    def end_stage(action: str, subjects: tuple[int, ...]) -> None:
        for c in sorted((c for c in range(n) if continuing[c] and votes[c] >= quota), key=lambda c: -votes[c]):
            continuing[c] = False
            elected.append(c)
            if votes[c] > quota:
                pending.append(c)
        rest = [c for c in range(n) if continuing[c]]
        if len(elected) < seats and len(rest) <= seats - len(elected):
            for c in rest:
                continuing[c] = False
                elected.append(c)
        history.append(list(votes))
        stages.append((action, subjects, list(votes), nt, loss))

    def next_holder(p: list) -> int:  # type: ignore[type-arg]
        ranking, pos = p[0], p[1] + 1
        while pos < len(ranking) and not continuing[ranking[pos]]:
            pos += 1
        p[1] = pos
        return ranking[pos] if pos < len(ranking) else -1

    def pick(tied: list[int], highest: bool) -> int:
        for past in reversed(history[:-1]):
            best = (max if highest else min)(past[c] for c in tied)
            tied = [c for c in tied if past[c] == best]
            if len(tied) == 1:
                return tied[0]
        raise LookupError("lot needed")

    end_stage("first preferences", ())
    while len(elected) < seats and any(continuing):
        if pending:
            top = max(votes[c] for c in pending)
            tied = [c for c in pending if votes[c] == top]
            s = tied[0] if len(tied) == 1 else pick(tied, True)
            pending.remove(s)
            surplus, total = votes[s] - quota, votes[s]
            moved = 0
            for p in papers:
                if p[3] == s:
                    p[2] = surplus * p[2] // total  # rule 48(3): five places, remainder ignored
                    moved += p[2]
                    p[3] = next_holder(p)
                    if p[3] < 0:
                        nt += p[2]
                    else:
                        votes[p[3]] += p[2]
            votes[s] = quota
            loss += surplus - moved
            end_stage("surplus", (s,))
        else:
            low = min(votes[c] for c in range(n) if continuing[c])
            tied = [c for c in range(n) if continuing[c] and votes[c] == low]
            s = tied[0] if len(tied) == 1 else pick(tied, False)
            continuing[s] = False
            for p in papers:
                if p[3] == s:
                    p[3] = next_holder(p)
                    if p[3] < 0:
                        nt += p[2]
                    else:
                        votes[p[3]] += p[2]
            votes[s] = 0
            end_stage("exclusion", (s,))
    return stages


@st.composite
def profiles(draw: st.DrawFn) -> Profile:
    n = draw(st.integers(min_value=3, max_value=7))
    seats = draw(st.integers(min_value=1, max_value=n - 1))
    ranking = st.lists(st.integers(min_value=0, max_value=n - 1), min_size=1, max_size=n, unique=True)
    ballots = draw(st.lists(st.tuples(ranking, st.integers(min_value=1, max_value=40)), min_size=1, max_size=30))
    return Profile.from_ballots([f"C{i}" for i in range(n)], seats, [r for r, _ in ballots], [w for _, w in ballots])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profile=profiles())
def test_agrees_with_naive_reference_at_every_stage(profile: Profile) -> None:
    result = count(profile, "scottish-stv", seed=0)
    if any(t.how == "lot" for t in result.ties):
        return  # the reference does not draw lots
    expected = naive_scottish(profile)
    assert len(result.stages) == len(expected)
    for stage, (action, subjects, votes, nt, loss) in zip(result.stages, expected, strict=True):
        assert stage.action == action and stage.subjects == subjects
        assert [int(v * UNIT) for v in stage.votes] == votes
        assert stage.non_transferable * UNIT == nt and stage.loss * UNIT == loss
