"""stvpoll's ScottishSTV (a PyPI counter, used only as an oracle here) elects the same
candidates as coopgov's scottish-stv on every real election in shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest
from stvpoll.scottish_stv import ScottishSTV

from coopgov.counting import count
from coopgov.counting._blt import read_blt

FILES = sorted(
    str(p.relative_to(p.parents[1]))
    for p in (Path(__file__).resolve().parents[3] / "shared" / "data" / "elections").glob("*/*.blt")
)


def test_files_found() -> None:
    assert len(FILES) == 17 + 21 + 3 + 1


@pytest.mark.parametrize("name", FILES)
def test_same_winners_as_stvpoll(shared_data: Path, name: str) -> None:
    profile = read_blt(shared_data / "elections" / name)
    ours = count(profile, "scottish-stv", seed=0)
    names = list(profile.candidates)
    poll = ScottishSTV(profile.seats, names, random_in_tiebreaks=False)
    for ranking, weight in zip(profile.rankings, profile.weights, strict=True):
        poll.add_ballot([names[c] for c in ranking], weight)
    theirs = poll.calculate()
    assert set(theirs.elected_as_tuple()) == set(ours.elected_names)
