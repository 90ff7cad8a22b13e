"""Sequential Phragmén: against pabutools (goldens, live, random instances), exact == fast."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from budgeting_helpers import ALL_FILES, load
from hypothesis import HealthCheck, given, settings
from test_mes import elections, ids_of

from coopgov.budgeting import BudgetingError, Election, allocate

GOLDEN = Path(__file__).parent / "golden"
PHRAGMEN_GOLDENS = [
    p.name for p in sorted(GOLDEN.glob("*.json")) if "phragmen" in json.loads(p.read_text(encoding="utf-8"))["results"]
]


@pytest.mark.parametrize("golden", PHRAGMEN_GOLDENS)
@pytest.mark.parametrize("exact", [False, True])
def test_matches_pabutools_golden(golden: str, exact: bool) -> None:
    data = json.loads((GOLDEN / golden).read_text(encoding="utf-8"))
    if exact and data["voters"] > 40000:
        pytest.skip("exact Phragmén on the three largest approval files is slow (rational loads); fast mode is checked there")
    election = load(data["file"])
    out = allocate(election, "phragmen", exact=exact)
    # pabutools returns Phragmén's outcome sorted, not in selection order
    assert sorted(ids_of(election, out.selected)) == sorted(data["results"]["phragmen"]["selected"])


@pytest.mark.parametrize("name", [f for f in ALL_FILES if f.startswith(("Poland_Swiecie", "Netherlands", "US_"))])
def test_exact_equals_fast(name: str) -> None:
    election = load(name)
    assert allocate(election, "phragmen").selected == allocate(election, "phragmen", exact=True).selected


def test_loads_and_explanations() -> None:
    election = load("Poland_Swiecie_2023.pb")
    out = allocate(election, "phragmen", exact=True)
    table = election.utilities("approval")
    assert out.payments is not None
    paid: dict[int, Fraction] = {}
    for g, w in enumerate(table.voter_weights):
        for p, x in out.payments[g].items():
            paid[p] = paid.get(p, Fraction(0)) + w * Fraction(x)
    for p in out.selected:  # supporters' load increases pay exactly for each project
        assert paid[p] == table.costs[p]
    for p, ex in out.explanations.items():
        assert ex.funded == (p in out.selected)
    if out.details["stopped_by"]:
        stopper = election.instance.index()[out.details["stopped_by"][0]]  # type: ignore[index]
        assert "did not fit" in out.explanations[stopper].text


def test_no_options() -> None:
    with pytest.raises(BudgetingError, match="no option"):
        allocate(load("Netherlands_Assen_2024.pb"), "phragmen", bogus=1)
    with pytest.raises(BudgetingError, match="no completion"):
        allocate(load("Netherlands_Assen_2024.pb"), "phragmen", completion="add1")


def pabutools_phragmen(election: Election) -> list[str]:
    from pabutools.rules import sequential_phragmen
    from pabutools_adapter import to_pabutools

    inst, prof = to_pabutools(election, "approval")
    return sorted(p.name for p in sequential_phragmen(inst, prof))


@pytest.mark.parametrize(
    "name",
    [
        "Netherlands_Assen_2024.pb",
        "Poland_Warszawa_2017_Aleksandrow.pb",
        "US_Stanford_Dataset_PB_Cambridge_2015_vote_knapsacks.pb",
    ],
)
def test_live_pabutools(name: str) -> None:
    election = load(name)
    want = pabutools_phragmen(election)
    for exact in (False, True):
        assert sorted(ids_of(election, allocate(election, "phragmen", exact=exact).selected)) == want


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(election=elections(cardinal=False))
def test_random_against_pabutools(election: Election) -> None:
    want = pabutools_phragmen(election)
    for exact in (False, True):
        out = allocate(election, "phragmen", exact=exact)
        assert sorted(ids_of(election, out.selected)) == want
