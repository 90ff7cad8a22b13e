"""Comparison tables, regression and charts on hand-built records (known answers)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest
from statsmodels.stats.proportion import proportion_confint

from coopgov import ownership as own
from coopgov.ownership import ComparisonRecord, OwnershipModel, Rating

M = OwnershipModel
G, RI, INAD, OUTS, NR = (
    Rating.GOOD,
    Rating.REQUIRES_IMPROVEMENT,
    Rating.INADEQUATE,
    Rating.OUTSTANDING,
    Rating.NOT_RATED,
)


def _recs() -> list[ComparisonRecord]:
    spec = [
        (M.FOR_PROFIT, G, "South West", 2023),
        (M.FOR_PROFIT, RI, "South West", 2023),
        (M.FOR_PROFIT, INAD, "London", 2022),
        (M.FOR_PROFIT, NR, "London", 2022),  # not a grade: left out
        (M.COOPERATIVE, OUTS, "London", 2023),
        (M.COOPERATIVE, G, "South West", 2023),
        (M.EMPLOYEE_OWNED, G, "London", 2021),
    ]
    return [
        ComparisonRecord(
            f"1-{i}", m, {"Overall": r, "Safe": INAD if m is M.FOR_PROFIT else G}, "Domiciliary care service", reg, y
        )
        for i, (m, r, reg, y) in enumerate(spec)
    ]


def test_share_table_counts_and_wilson() -> None:
    rows = own.share_table(_recs())
    assert [r.label() for r in rows] == ["For-profit", "Co-operative / community benefit society", "Employee-owned"]
    fp = rows[0]
    assert (fp.rated, fp.good_or_outstanding, fp.inadequate) == (3, 1, 1)
    lo, hi = proportion_confint(1, 3, method="wilson")
    assert fp.good_share.lower == pytest.approx(lo) and fp.good_share.upper == pytest.approx(hi)
    assert rows[1].good_share.estimate == 1.0


def test_share_table_by_region_and_year_and_key_question() -> None:
    rows = own.share_table(_recs(), by=("ownership", "region"))
    assert ("For-profit", "London") in {tuple(v for _, v in r.group) for r in rows}
    safe = own.share_table(_recs(), key_question="Safe")
    assert safe[0].inadequate == 4 and safe[0].inadequate_share.estimate == 1.0
    years = own.share_table(_recs(), by=("year",))
    assert [r.label() for r in years] == ["2021", "2022", "2023"]
    with pytest.raises(ValueError, match="key question"):
        own.share_table(_recs(), key_question="Kind")
    with pytest.raises(ValueError, match="cannot group by"):
        own.share_table(_recs(), by=("colour",))


def test_flag_table_denominator_is_known_flags() -> None:
    recs = [
        ComparisonRecord("a", M.FOR_PROFIT, flags={"forced_closure": True}),
        ComparisonRecord("b", M.FOR_PROFIT, flags={"forced_closure": False}),
        ComparisonRecord("c", M.FOR_PROFIT, flags={}),
    ]
    (row,) = own.flag_table(recs, "forced_closure")
    assert (row.known, row.count, row.share.estimate) == (2, 1, 0.5)


def test_latest_per_unit() -> None:
    recs = [
        ComparisonRecord("x", M.FOR_PROFIT, {"Overall": INAD}, year=2019),
        ComparisonRecord("x", M.FOR_PROFIT, {"Overall": G}, year=2022),
        ComparisonRecord("y", M.FOR_PROFIT, {"Overall": RI}, year=2020),
        ComparisonRecord("x", M.FOR_PROFIT, {"Overall": OUTS}, year=2021),
    ]
    latest = own.latest_per_unit(recs)
    assert [(r.unit_id, r.ratings["Overall"]) for r in latest] == [("x", G), ("y", RI)]


def test_regression_recovers_a_planted_effect() -> None:
    import numpy as np

    rng = np.random.default_rng(3)
    grades = [INAD, RI, G, OUTS]
    recs = []
    for i in range(4000):
        coop = bool(rng.random() < 0.3)
        region = str(rng.choice(["North", "South", "London"]))
        latent = (1.0 if coop else 0.0) + (0.4 if region == "South" else 0.0) + rng.logistic()
        r = grades[int(np.searchsorted([-2.0, -0.5, 2.0], latent))]
        recs.append(
            ComparisonRecord(
                f"1-{i}", M.COOPERATIVE if coop else M.FOR_PROFIT, {"Overall": r}, region=region, year=2023
            )
        )
    res = own.rating_regression(recs, controls=("region", "year"))
    coop = res.term("ownership[Co-operative / community benefit society]")
    assert coop.lower < math.e < coop.upper
    assert res.reference_levels["ownership"] == "For-profit"
    assert all(not t.term.startswith("year") for t in res.odds_ratios)  # one level: dropped
    with pytest.raises(ValueError, match="two ownership models"):
        own.rating_regression([r for r in recs if r.ownership is M.FOR_PROFIT])


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_chart_files_and_alt_text(tmp_path: Path, suffix: str) -> None:
    rows = own.share_table(_recs())
    path = tmp_path / f"chart{suffix}"
    alt = own.share_chart(rows, path, measure="inadequate")
    assert path.stat().st_size > 1000
    assert alt.startswith("Bar chart. Share of locations rated Inadequate (Overall)")
    assert "For-profit: 33.3% (95% CI" in alt and "n=3" in alt
    if suffix == ".svg":
        text = path.read_text()
        assert "<desc>" in text and "Bar chart. Share of locations rated Inadequate" in text
    else:
        assert b"Description" in path.read_bytes()[:4000]


def test_chart_rejects_other_formats(tmp_path: Path) -> None:
    with pytest.raises(own.OwnershipInputError, match=r"\.png or \.svg"):
        own.share_chart(own.share_table(_recs()), tmp_path / "c.jpg")


def test_cores_do_not_import_django() -> None:
    code = (
        "import sys, coopgov.ownership, coopgov.ownership.cli, coopgov.stats; "
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if 'django' in m)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_publishable_rows_suppress_small_numbers() -> None:
    recs = [ComparisonRecord(f"a{i}", M.FOR_PROFIT, {"Overall": INAD if i < 3 else G}) for i in range(40)]
    recs += [ComparisonRecord(f"b{i}", M.COOPERATIVE, {"Overall": G}) for i in range(4)]
    recs += [ComparisonRecord(f"c{i}", M.NOT_FOR_PROFIT, {"Overall": G}) for i in range(25)]
    rows = own.publishable_share_rows(own.share_table(recs), threshold=10)
    fp, nfp, coop = rows
    assert fp["rated"] == "40" and fp["good_or_outstanding"] == "37" and fp["good_or_outstanding_pct"] == "92.5"
    assert fp["inadequate"] == "<10" and fp["inadequate_pct"] == ""  # 3 homes: withheld
    assert coop["rated"] == "<10" and coop["good_or_outstanding"] == ""  # 4 co-op homes
    # secondary suppression: the smallest other group goes too, or 69 - 40 - 25 reveals the 4
    assert nfp["rated"] == "*" and nfp["good_or_outstanding_pct"] == ""


def test_size_bands_are_cqcs() -> None:
    from coopgov.ownership.compare import size_band

    assert [size_band(x) for x in (None, 0, 9, 10, 24, 25, 60, 61)] == [
        "no beds", "no beds", "1-9 beds", "10-24 beds", "10-24 beds", "25-39 beds", "40-60 beds", "61 beds and over",
    ]  # fmt: skip
