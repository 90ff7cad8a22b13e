"""Real elections: official winners, and droop's stage-by-stage Scottish STV figures."""

from __future__ import annotations

import csv
from fractions import Fraction
from pathlib import Path

import pytest

from coopgov.counting import count
from coopgov.counting._blt import read_blt

# Officially declared winners, from shared/data/README.md (order not significant).
OFFICIAL: dict[str, set[str]] = {
    "edinburgh_2017/edinburgh_2017_ward01_almond.blt": {
        "Graham HUTCHISON", "Kevin LANG", "Louise YOUNG", "Norrie WORK"},
    "edinburgh_2017/edinburgh_2017_ward02_pentland_hills.blt": {
        "Graeme BRUCE", "Neil GARDINER", "Ricky HENDERSON", "Susan WEBBER"},
    "edinburgh_2017/edinburgh_2017_ward03_drum_braegyle.blt": {
        "Claire BRIDGMAN", "Mark BROWN", "Robert Christopher ALDRIDGE"},
    "edinburgh_2017/edinburgh_2017_ward04_forth.blt": {
        "Cammy DAY", "Eleanor BIRD", "George GORDON", "Jim CAMPBELL"},
    "edinburgh_2017/edinburgh_2017_ward05_inverleith.blt": {
        "Gavin BARRIE", "Hal OSLER", "Iain WHYTE", "Max MITCHELL"},
    "edinburgh_2017/edinburgh_2017_ward06_corstorphinemurrayfield.blt": {
        "Frank ROSS", "Gillian GLOYER", "Scott DOUGLAS"},
    "edinburgh_2017/edinburgh_2017_ward07_sighthillgorgie.blt": {
        "Ashley GRACZYK", "Catherine FULLERTON", "Denis DIXON", "Donald WILSON"},
    "edinburgh_2017/edinburgh_2017_ward08_colintonfairmilehead.blt": {
        "Jason RUST", "Phil DOGGART", "Scott ARTHUR"},
    "edinburgh_2017/edinburgh_2017_ward09_fountainbridgecraiglockhart.blt": {
        "Andrew JOHNSTON", "David KEY", "Gavin CORBETT"},
    "edinburgh_2017/edinburgh_2017_ward10_meadowsmorningside.blt": {
        "Mandy WATT", "Melanie MAIN", "Neil ROSS", "Nick COOK"},
    "edinburgh_2017/edinburgh_2017_ward11_city_centre.blt": {
        "Alasdair RANKIN", "Claire MILLER", "Jo MOWAT", "Karen DORAN"},
    "edinburgh_2017/edinburgh_2017_ward12_leith_walk.blt": {
        "Amy MCNEESE-MECHAN", "Lewis RITCHIE", "Marion DONALDSON", "Susan RAE"},
    "edinburgh_2017/edinburgh_2017_ward13_leith.blt": {
        "Adam MCVEY", "Chas BOOTH", "Gordon John MUNRO"},
    "edinburgh_2017/edinburgh_2017_ward14_craigentinnyduddingston.blt": {
        "Alex STANIFORTH", "Ian CAMPBELL", "Joan GRIFFITHS", "John MCLELLAN"},
    "edinburgh_2017/edinburgh_2017_ward15_southsidenewington.blt": {
        "Alison DICKIE", "Cameron ROSE", "Ian PERRY", "Steve BURGESS"},
    "edinburgh_2017/edinburgh_2017_ward16_libertongilmerton.blt": {
        "Derek HOWIE", "Lesley MACINNES", "Lezley Marion CAMERON", "Stephanie SMITH"},
    "edinburgh_2017/edinburgh_2017_ward17_portobellocraigmillar.blt": {
        "Callum LAIDLAW", "KATE CAMPBELL", "MARY CAMPBELL", "Maureen CHILD"},
    # Irish Dáil STV; the README notes the winners coincide with WIGM counts.
    "ireland_2002/dublin_north_2002.blt": {
        "G.V. Wright F.F.", "Jim Glennon F.F.", "Sean Ryan Lab", "Trevor Sargent G.P."},
    "ireland_2002/dublin_west_2002.blt": {
        "Brian Lenihan F.F.", "Joan Burton Lab", "Joe Higgins S.P."},
    "ireland_2002/meath_2002.blt": {
        "Damien English F.G.", "John Bruton F.G.", "Johnny Brady F.F.", "Mary Wallace F.F.",
        "Noel Dempsey F.F."},
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(OFFICIAL))
def test_official_winners(shared_data: Path, name: str) -> None:
    profile = read_blt(shared_data / "elections" / name)
    result = count(profile, "scottish-stv", seed=0)
    assert set(result.elected_names) == OFFICIAL[name]
    assert not result.ties  # no lot was needed for these real counts


def test_official_list_covers_the_readme(shared_data: Path) -> None:
    readme = (shared_data / "README.md").read_text(encoding="utf-8")
    listed = {
        line.split("`")[1]
        for line in readme.splitlines()
        if line.startswith("| `") and line.split("`")[1].endswith(".blt") and line.count("|") == 4
    }
    assert listed == set(OFFICIAL)


def _droop_elected(dump: Path) -> set[str]:
    """Candidates in state E (elected) on droop's final ``end`` row."""
    with dump.open(encoding="utf-8") as f:
        end = [r for r in csv.reader(f, delimiter="\t") if len(r) > 1 and r[1] == "end"][-1]
    return {" ".join(end[j].split()) for j in range(4, len(end), 3) if end[j + 1] == "E"}


def _droop_residuals(report: Path) -> dict[int, Fraction]:
    """droop's "Residual" (value lost to ignored remainders) at the end of each round."""
    residual: dict[int, Fraction] = {}
    current = 0
    for line in report.read_text(encoding="utf-8").splitlines():
        if line.startswith("Round "):
            current = int(line.split()[1].rstrip(":"))
        elif line.strip().startswith("Residual:"):
            residual[current] = Fraction(line.split()[1])
    return residual


def _droop_rounds(dump: Path) -> dict[int, tuple[Fraction, dict[str, Fraction]]]:
    """Totals at the end of each droop round (its last row with figures)."""
    rounds: dict[int, tuple[Fraction, dict[str, Fraction]]] = {}
    with dump.open(encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    for r in rows[1:]:
        if r[1] in ("log", "round") or r[0] == "X":
            continue
        votes = {" ".join(r[j].split()): Fraction(r[j + 2]) for j in range(4, len(r), 3)}
        rounds[int(r[0])] = (Fraction(r[3]), votes)
    return rounds


GLASGOW = sorted(
    p.name
    for p in (Path(__file__).resolve().parents[3] / "shared" / "data" / "elections" / "glasgow_2007").glob("*.blt")
)


def test_all_21_glasgow_wards_present() -> None:
    assert len(GLASGOW) == 21


@pytest.mark.parametrize("name", GLASGOW)
def test_glasgow_stage_by_stage_matches_droop(shared_data: Path, name: str) -> None:
    folder = shared_data / "elections" / "glasgow_2007"
    ward = name.removeprefix("glasgow_2007_").removesuffix(".blt")
    rounds = _droop_rounds(folder / "droop_reference" / f"{ward}-2007-scotland-fixed-p5-d5-dump.csv")
    profile = read_blt(folder / name)
    result = count(profile, "scottish-stv", seed=0)
    assert set(result.elected_names) == _droop_elected(
        folder / "droop_reference" / f"{ward}-2007-scotland-fixed-p5-d5-dump.csv"
    )
    residuals = _droop_residuals(folder / "droop_reference" / f"{ward}-2007-scotland-fixed-p5-d5-report.txt")
    # droop numbers the first-preference round 0; our stages start at 1.
    assert len(result.stages) == len(rounds)
    for k, (nontransferable, votes) in rounds.items():
        stage = result.stages[k]
        assert stage.number == k + 1
        ours = {profile.candidates[c]: v for c, v in enumerate(stage.votes)}
        assert ours == votes, f"stage {k + 1}"
        # droop's "non-transferable" excludes the remainders ignored (our separate `loss`)
        assert stage.non_transferable == nontransferable, f"stage {k + 1}"
        assert stage.loss == residuals[k], f"stage {k + 1}"
        assert sum(stage.votes) + stage.non_transferable + stage.loss == result.valid_poll
        for v in stage.votes:
            assert (v * 10**5).denominator == 1  # five decimal places exactly
