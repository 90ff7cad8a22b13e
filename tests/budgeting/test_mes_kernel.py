"""The compiled MES kernel used by the add1 completion (``_cmes.c`` via ``_mes_lean``).

It must select exactly what the exact-checked engine selects, hand every close call it cannot
settle exactly back to the engine, and the add1 completion must give the same outcome with and
without it."""

from __future__ import annotations

import shutil
import sysconfig
from fractions import Fraction

import numpy as np
import pytest
from budgeting_helpers import load
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopgov.budgeting import Ballot, Election, Instance, Profile, Project, _mes_lean, allocate, tie_ranks
from coopgov.budgeting._mes_engine import MesProblem, run_mes
from coopgov.budgeting._mes_lean import LeanMes, kernel

needs_kernel = pytest.mark.skipif(kernel() is None, reason="coopgov was installed without its C kernel")


def test_kernel_is_built_where_a_compiler_is() -> None:
    """bin/setup builds the kernel whenever a C compiler is there (CI machines have one)."""
    if shutil.which(sysconfig.get_config_var("CC").split()[0] if sysconfig.get_config_var("CC") else "cc") is None:
        pytest.skip("no C compiler here")
    assert kernel() is not None


def problem(election: Election, scoring: str = "cost") -> MesProblem:
    table = election.utilities(scoring)
    return MesProblem(table, tie_ranks(table))


def kernel_for(name: str) -> tuple[MesProblem, LeanMes, Fraction]:
    """A shared file's problem (cost utilities), its kernel layout and the budget per voter."""
    election = load(name)
    prob = problem(election)
    lean = LeanMes.create(prob)
    assert lean is not None
    return prob, lean, Fraction(election.instance.budget, prob.num_voters)


def election_of(costs: list[int], ballots: list[tuple[tuple[int, ...], int]], budget: int) -> Election:
    projects = tuple(Project(id=f"p{i}", cost=c) for i, c in enumerate(costs))
    profile = Profile(
        vote_type="approval",
        ballots=tuple(Ballot(items=items, points=None, multiplicity=n) for items, n in ballots),
    )
    return Election(Instance(meta={}, budget=budget, projects=projects), profile)


@needs_kernel
def test_a_close_call_goes_back_to_the_engine() -> None:
    # two voters with 5 each and a project of cost 10: its supporters have exactly its cost,
    # and only exact arithmetic may say it is affordable
    election = election_of([10], [((0,), 2)], budget=10)
    prob = problem(election, "approval")
    lean = LeanMes.create(prob)
    assert lean is not None
    assert lean.selected(5.0) is None
    assert run_mes(prob, Fraction(5), exact=False).selected == [0]


@needs_kernel
def test_an_exact_tie_is_settled_by_the_tie_breaking_order() -> None:
    # p0 and p1 cost the same and have as many supporters: the same price, exactly; p0 first
    election = election_of([6, 6, 4], [((0,), 3), ((1,), 3), ((2,), 1)], budget=21)
    prob = problem(election)
    lean = LeanMes.create(prob)
    assert lean is not None
    engine = run_mes(prob, Fraction(3), exact=True)
    assert engine.rounds[0].tied_with == (1,)
    assert lean.selected(3.0) == engine.selected == [0, 1]


@needs_kernel
def test_bad_arrays_are_refused() -> None:
    k = kernel()
    assert k is not None
    i64 = np.zeros(2, dtype=np.int64)
    f64 = np.zeros(1, dtype=np.float64)
    none = np.zeros(0, dtype=np.int64)
    with pytest.raises(ValueError, match="inconsistent array lengths"):
        k.scan(i64, i64, f64, f64, f64, i64, 1.0, 1.0, 1, none, False, 1e-9, True)
    with pytest.raises(TypeError, match="expected items of 8 bytes"):
        k.scan(np.zeros(2, dtype=np.int32), i64, f64, f64, f64, i64, 1.0, 1.0, 1, none, False, 1e-9, True)  # type: ignore[arg-type]
    one = np.array([0, 1], dtype=np.int64)
    args = (np.ones(1), np.ones(1), np.ones(1), np.zeros(1, dtype=np.int64))
    with pytest.raises(ValueError, match="supporter out of range"):
        k.scan(one, np.array([5], dtype=np.int64), *args, 1.0, 1.0, 1, none, False, 1e-9, True)
    with pytest.raises(ValueError, match="count must be positive"):
        k.scan(one, np.array([0], dtype=np.int64), *args, 1.0, 1.0, 0, none, False, 1e-9, True)


@needs_kernel
def test_next_change_skips_the_increments_that_repeat_an_outcome() -> None:
    prob, lean, base = kernel_for("Poland_Swiecie_2023.pb")
    first = run_mes(prob, base, exact=True).selected
    i, outcome, runs = lean.next_change(float(base) + 1, 1.0, 500, first)
    assert 0 < runs <= i + 1
    assert 0 <= i < 500 and outcome is not None and outcome != first
    for k in range(1, i + 1):  # increments 1 .. i repeat the first outcome, increment i + 1 does not
        assert run_mes(prob, base + k, exact=False).selected == first
    assert run_mes(prob, base + i + 1, exact=True).selected == outcome
    assert lean.next_change(float(base), 1.0, 1, first) == (1, first, 1)


@st.composite
def approval_elections(draw: st.DrawFn) -> tuple[Election, str]:
    m = draw(st.integers(1, 7))
    costs = draw(st.lists(st.integers(1, 30), min_size=m, max_size=m))
    n = draw(st.integers(1, 12))
    grouped: dict[tuple[int, ...], int] = {}
    for _ in range(n):
        items = tuple(sorted(draw(st.sets(st.integers(0, m - 1), min_size=1, max_size=m))))
        grouped[items] = grouped.get(items, 0) + draw(st.integers(1, 4))
    budget = draw(st.integers(1, 80))
    scoring = draw(st.sampled_from(["cost", "approval"]))
    return election_of(costs, list(grouped.items()), budget), scoring


@needs_kernel
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=approval_elections(), extra=st.integers(0, 40))
def test_kernel_selects_what_the_engine_selects(case: tuple[Election, str], extra: int) -> None:
    election, scoring = case
    prob = problem(election, scoring)
    lean = LeanMes.create(prob)
    assert lean is not None
    per_voter = Fraction(election.instance.budget, prob.num_voters) + extra
    got = lean.selected(float(per_voter))
    if got is not None:
        assert got == run_mes(prob, per_voter, exact=True).selected


# pabutools' add1 takes hours on the big files, so they have no add1 golden; there the kernel is
# checked against the engine alone (the numpy galloping loop, seconds each)
NO_ADD1_GOLDEN = [
    pytest.param(name, marks=pytest.mark.slow)
    for name in (
        "Poland_Lodz_2022.pb",
        "Poland_Krakow_2024.pb",
        "Poland_Warszawa_2026.pb",
        "Poland_Wroclaw_2015_150_-_500.pb",
        "Poland_Gdansk_2020.pb",
    )
]


@pytest.mark.parametrize(
    "name",
    [
        "Netherlands_Assen_2024.pb",
        "Poland_Swiecie_2023.pb",
        "France_Toulouse_2019.pb",
        "Poland_Wieliczka_2023_Green_Budget.pb",
        "US_Stanford_Dataset_PB_Cambridge_2015_vote_knapsacks.pb",
        *NO_ADD1_GOLDEN,
    ],
)
def test_add1_is_the_same_with_and_without_the_kernel(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    election = load(name)
    with_kernel = allocate(election, "mes", completion="add1")
    monkeypatch.setattr(_mes_lean, "kernel", lambda: None)
    without = allocate(election, "mes", completion="add1")
    assert with_kernel.selected == without.selected
    assert with_kernel.details["increments"] == without.details["increments"]
    assert with_kernel.details["virtual_budget_per_voter"] == without.details["virtual_budget_per_voter"]
    assert with_kernel.payments is not None and without.payments is not None
    assert [dict(with_kernel.payments[g]) for g in range(10)] == [dict(without.payments[g]) for g in range(10)]


@pytest.mark.parametrize("with_kernel", [True, False])
def test_add1_reports_progress(with_kernel: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Long add1 runs say how far they have got (the command line shows it on stderr)."""
    election = load("Poland_Swiecie_2023.pb")
    if not with_kernel:
        monkeypatch.setattr(_mes_lean, "kernel", lambda: None)
    clock = iter(range(0, 10**6, 2))  # every reading two seconds after the last
    monkeypatch.setattr("coopgov.budgeting.mes.time.monotonic", lambda: float(next(clock)))
    said: list[str] = []
    out = allocate(election, "mes", completion="add1", progress=said.append)
    assert said and all(s.startswith("add1: increment ") for s in said)
    assert out.details["increments"] == 226


@needs_kernel
def test_the_kernel_lets_other_threads_run() -> None:
    """A long add1 in a background job must not stall the web server's threads."""
    import threading

    _, lean, exact_base = kernel_for("Poland_Warszawa_2026.pb")
    base = float(exact_base)
    first = lean.selected(base)
    assert first is not None
    ticks = [0]
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            ticks[0] += 1

    thread = threading.Thread(target=spin)
    thread.start()
    try:
        before = ticks[0]
        # the same budget 40 times: 40 full runs (about 0.1 s), none of them a change
        assert lean.next_change(base, 0.0, 40, first)[:2] == (40, first)
        during = ticks[0] - before
    finally:
        stop.set()
        thread.join()
    assert during > 1000


@needs_kernel
@pytest.mark.parametrize(
    "name",
    [
        "Netherlands_Assen_2024.pb",
        "Poland_Swiecie_2023.pb",
        "Poland_Krakow_2025_Biezanow-Prokocim.pb",
        "US_Stanford_Dataset_PB_Cambridge_2015_vote_knapsacks.pb",
        "Switzerland_Zurich_D10.pb",
        "Poland_Warszawa_2026.pb",
    ],
)
@pytest.mark.parametrize("completion", [None, "utilitarian"])
def test_plain_mes_is_the_same_with_and_without_the_kernel(
    name: str, completion: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plain MES in fast mode takes its projects from the kernel and computes the engine's run
    (payments, explanations) only when asked: every figure must be what the engine alone gives."""
    election = load(name)
    fast = allocate(election, "mes", completion=completion)
    assert fast.details["exact_checks"] == 0  # the kernel decided
    monkeypatch.setattr(_mes_lean, "kernel", lambda: None)
    slow = allocate(election, "mes", completion=completion)
    assert fast.selected == slow.selected
    assert fast.ties == slow.ties
    assert fast.total_cost == slow.total_cost
    for p in range(len(election.instance.projects)):
        assert fast.explanations[p] == slow.explanations[p]
    assert fast.payments is not None and slow.payments is not None
    groups = range(0, len(election.profile.ballots), max(1, len(election.profile.ballots) // 50))
    assert [dict(fast.payments[g]) for g in groups] == [dict(slow.payments[g]) for g in groups]
    same = {k: v for k, v in slow.details.items() if k != "exact_checks"}
    assert {k: v for k, v in fast.details.items() if k != "exact_checks"} == same


@needs_kernel
def test_plain_mes_reports_a_tie_the_kernel_met() -> None:
    """An exact tie makes the fast path hand over to the engine, which reports it."""
    election = election_of([6, 6, 4], [((0,), 3), ((1,), 3), ((2,), 1)], budget=21)
    out = allocate(election, "mes")
    assert out.selected == (0, 1)
    assert out.ties and out.ties[0].startswith("round 1: p0 tied with p1")


def scan_changes(
    prob: MesProblem,
    lean: LeanMes,
    start: float,
    step: float,
    count: int,
    *,
    gallop: bool,
    stop_budget: float = -1.0,
) -> list[tuple[int, list[int]]]:
    """Every increment in ``1 .. count - 1`` whose outcome differs from the one before (with a
    stop budget, those of them the scan returns), and that outcome (its candidates, in order),
    found by the kernel's scan from the outcome at ``start``.  A close call the kernel meets is decided
    by the exact engine (a scan with jumps may certify its way past a budget where a single run
    meets one: certificates hold for exact arithmetic)."""
    free = set(prob.free)

    def exact(j: int) -> list[int]:
        return [p for p in run_mes(prob, Fraction(start + j * step), exact=True).selected if p not in free]

    first = exact(0)
    sel = lean._local(lean._free + first)
    assert sel is not None
    out: list[tuple[int, list[int]]] = []
    j = 1
    while j < count:
        i, close, picked, _, _ = lean._scan(
            start + j * step, step, count - j, sel, gallop=gallop, stop_budget=stop_budget
        )
        j += i
        if j >= count:
            break
        outcome = exact(j) if close or picked is None else picked
        now = lean._local(lean._free + outcome)
        assert now is not None
        if now != sel:
            out.append((j, outcome))
        sel = now
        j += 1
    return out


@needs_kernel
@pytest.mark.parametrize(
    ("name", "count"),
    [("Poland_Swiecie_2023.pb", 600), ("Poland_Katowice_2023.pb", 400), ("Hungary_Budapest_2024.pb", 700)],
)
def test_certified_jumps_find_every_change_that_single_steps_find(name: str, count: int) -> None:
    """The add1 scan certifies jumps over budgets (every budget in between funds the same
    projects in the same order); it must stop at exactly the increments where running every
    budget in turn stops."""
    prob, lean, base = kernel_for(name)
    stepped = scan_changes(prob, lean, float(base), 1.0, count, gallop=False)
    assert stepped  # the range holds changes
    assert scan_changes(prob, lean, float(base), 1.0, count, gallop=True) == stepped


def stops(prob: MesProblem, budget: int, outcome: list[int]) -> bool:
    """Would this outcome (candidate positions' projects) stop the add1 loop?"""
    spent = sum(prob.costs[p] for p in outcome)
    return spent > budget or all(spent + prob.costs[p] > budget for p in prob.candidates if p not in outcome)


@st.composite
def points_elections(draw: st.DrawFn) -> tuple[Election, str]:
    """Cumulative ballots, scored by their points: utilities differ between a project's supporters."""
    m = draw(st.integers(1, 7))
    costs = draw(st.lists(st.integers(1, 30), min_size=m, max_size=m))
    ballots = []
    for _ in range(draw(st.integers(1, 12))):
        items = tuple(sorted(draw(st.sets(st.integers(0, m - 1), min_size=1, max_size=m))))
        points = tuple(draw(st.integers(1, 5)) for _ in items)
        ballots.append(Ballot(items=items, points=points, multiplicity=draw(st.integers(1, 4))))
    profile = Profile(vote_type="cumulative", ballots=tuple(ballots))
    projects = tuple(Project(id=f"p{i}", cost=c) for i, c in enumerate(costs))
    budget = draw(st.integers(1, 80))
    return Election(Instance(meta={}, budget=budget, projects=projects), profile), "points"


@needs_kernel
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.one_of(approval_elections(), points_elections()), fine=st.sampled_from([1, 3, 10, 50]))
def test_certified_jumps_agree_with_single_steps_on_random_elections(case: tuple[Election, str], fine: int) -> None:
    """On small random elections, with budget steps small enough that the order of the rounds
    changes many times: the scan with jumps finds exactly the changes single steps find, and with
    a stop budget it returns exactly the first of them that would stop the add1 loop."""
    election, scoring = case
    prob = problem(election, scoring)
    lean = LeanMes.create(prob)
    assert lean is not None
    start = election.instance.budget / prob.num_voters
    step = start / (4 * fine)
    count = 40 * fine
    stepped = scan_changes(prob, lean, start, step, count, gallop=False)
    assert scan_changes(prob, lean, start, step, count, gallop=True) == stepped
    budget = election.instance.budget
    first_stop = next(((j, o) for j, o in stepped if stops(prob, budget, lean._free + o)), None)
    got = scan_changes(prob, lean, start, step, count, gallop=True, stop_budget=float(budget))
    # the scan returns the changes that stop the loop, and the close calls it meets (which
    # scan_changes lists when the engine finds no change there)
    assert next(((j, o) for j, o in got if stops(prob, budget, lean._free + o)), None) == first_stop


@needs_kernel
def test_plain_mes_with_a_free_project_explains_the_same_with_and_without_the_kernel(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    election = election_of([0, 6, 9, 4], [((0, 1), 3), ((1, 2), 2), ((2, 3), 4), ((3,), 1)], budget=30)
    fast = allocate(election, "mes", scoring="approval")  # a free project needs a positive utility
    monkeypatch.setattr(_mes_lean, "kernel", lambda: None)
    slow = allocate(election, "mes", scoring="approval")
    assert fast.selected == slow.selected and fast.selected[0] == 0
    assert [fast.explanations[p] for p in range(4)] == [slow.explanations[p] for p in range(4)]
    assert fast.explanations[0].text == "Funded: it costs nothing."
