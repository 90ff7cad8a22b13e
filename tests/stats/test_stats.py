"""Known-answer tests for coopgov.stats, with statsmodels/scipy as oracles."""

from __future__ import annotations

import math
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from coopgov.stats import (
    CellStatus,
    dissimilarity_index,
    ordinal_logit,
    quartiles,
    ratio_interval,
    suppress_counts,
    wilson_interval,
)


def test_wilson_81_of_263_matches_published_example() -> None:
    # Newcombe (1998) Table I example 81/263: Wilson 0.2553 to 0.3662,
    # continuity-corrected 0.2535 to 0.3682.
    iv = wilson_interval(81, 263)
    assert (round(iv.lower, 4), round(iv.upper, 4)) == (0.2553, 0.3662)
    cc = wilson_interval(81, 263, continuity=True)
    assert (round(cc.lower, 4), round(cc.upper, 4)) == (0.2535, 0.3682)


@given(st.integers(min_value=1, max_value=5000), st.data())
def test_wilson_agrees_with_statsmodels(n: int, data: st.DataObject) -> None:
    x = data.draw(st.integers(min_value=0, max_value=n))
    conf = data.draw(st.sampled_from([0.9, 0.95, 0.99]))
    lo, hi = proportion_confint(x, n, alpha=1 - conf, method="wilson")
    iv = wilson_interval(x, n, conf)
    assert iv.lower == pytest.approx(lo, abs=1e-12)
    assert iv.upper == pytest.approx(hi, abs=1e-12)


def test_newcombe_continuity_edge_cases() -> None:
    # Newcombe (1998) Table I: 0/20 cc gives 0 to 0.2005; 1/29 cc gives 0.0018 to 0.1963.
    cc = wilson_interval(0, 20, continuity=True)
    assert cc.lower == 0.0 and round(cc.upper, 4) == 0.2005
    cc = wilson_interval(1, 29, continuity=True)
    assert (round(cc.lower, 4), round(cc.upper, 4)) == (0.0018, 0.1963)


def test_wilson_rejects_bad_counts() -> None:
    with pytest.raises(ValueError, match="positive"):
        wilson_interval(0, 0)
    with pytest.raises(ValueError, match="between 0 and n"):
        wilson_interval(5, 4)


def test_katz_ratio_against_hand_computation() -> None:
    # 30/100 members vs 20/200 population: RR 3; SE = sqrt(1/30-1/100+1/20-1/200)
    r = ratio_interval(30, 100, 20, 200)
    se = math.sqrt(1 / 30 - 1 / 100 + 1 / 20 - 1 / 200)
    assert r.ratio == pytest.approx(3.0)
    assert r.lower == pytest.approx(3 * math.exp(-1.959963984540054 * se))
    assert r.upper == pytest.approx(3 * math.exp(1.959963984540054 * se))
    assert not r.corrected


def test_katz_ratio_zero_cell_uses_haldane_correction() -> None:
    r = ratio_interval(0, 10, 3, 10)
    assert r.corrected and r.ratio == 0.0 and 0 < r.lower < r.upper


def test_dissimilarity_exact() -> None:
    assert dissimilarity_index({"a": 10, "b": 0}, {"a": 0, "b": 5}) == 1
    assert dissimilarity_index({"a": 1, "b": 3}, {"a": 2, "b": 6}) == 0
    assert dissimilarity_index({"a": 1, "b": 1}, {"a": 3, "c": 1}) == Fraction(1, 2)


def test_suppression_primary_and_secondary() -> None:
    s = suppress_counts({"a": 3, "b": 50, "c": 20, "d": 0})
    assert s.display() == {"a": "<10", "b": "50", "c": "*", "d": "0"}
    assert s.cells["c"].status is CellStatus.SECONDARY
    # two primary cells: no secondary needed
    s = suppress_counts({"a": 3, "b": 4, "c": 20})
    assert s.display() == {"a": "<10", "b": "<10", "c": "20"}
    # no published total: no secondary suppression
    s = suppress_counts({"a": 3, "b": 50}, total_published=False)
    assert s.display() == {"a": "<10", "b": "50"}
    # one-cell table: the total goes instead
    s = suppress_counts({"a": 3})
    assert s.total_display == "*"


def test_quartiles_match_numpy_type7() -> None:
    data = [7, 1, 3, 9, 4, 12, 15, 2]
    q = quartiles(data)
    assert [float(q.q1), float(q.median), float(q.q3)] == list(np.percentile(data, [25, 50, 75]))
    assert q.band(1) == 1 and q.band(100) == 4


def test_ordinal_logit_recovers_known_effect() -> None:
    rng = np.random.default_rng(7)
    n = 3000
    group = rng.choice(["a", "b"], size=n)
    x = rng.normal(size=n)
    eta = 1.0 * (group == "b") + 0.5 * x
    latent = eta + rng.logistic(size=n)
    cuts = [-1.0, 0.5, 2.0]
    levels = ["low", "mid", "high", "top"]
    y = [levels[int(np.searchsorted(cuts, v))] for v in latent]
    res = ordinal_logit(y, levels, {"group": list(group)}, {"x": list(x)}, reference={"group": "a"})
    b = res.term("group[b]")
    assert b.lower < math.e < b.upper
    assert res.term("x").lower < math.exp(0.5) < res.term("x").upper
    assert res.thresholds[0] == pytest.approx(-1.0, abs=0.2)
    assert res.reference_levels == {"group": "a"}


def test_ordinal_logit_matches_statsmodels_directly() -> None:
    import pandas as pd
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    rng = np.random.default_rng(1)
    n = 500
    g = rng.choice(["p", "q", "r"], size=n)
    y = np.where(rng.random(n) < 0.3 + 0.2 * (g == "q"), "hi", "lo")
    res = ordinal_logit(list(y), ["lo", "hi"], {"g": list(g)}, reference={"g": "p"})
    exog = pd.DataFrame({"q": (g == "q").astype(float), "r": (g == "r").astype(float)})
    endog = pd.Series(pd.Categorical(y, categories=["lo", "hi"], ordered=True))
    fit = OrderedModel(endog, exog, distr="logit").fit(method="bfgs", disp=False)
    assert res.term("g[q]").odds_ratio == pytest.approx(math.exp(fit.params["q"]), rel=1e-5)
    assert res.term("g[r]").std_error == pytest.approx(fit.bse["r"], rel=1e-4)
    assert res.log_likelihood == pytest.approx(fit.llf, rel=1e-8)


def test_weighted_model_score_is_the_gradient() -> None:
    import pandas as pd
    from statsmodels.tools.numdiff import approx_fprime

    from coopgov.stats._ordinal import _weighted_model_class

    rng = np.random.default_rng(0)
    n = 300
    exog = pd.DataFrame({"a": rng.normal(size=n), "b": (rng.random(n) < 0.5).astype(float)})
    codes = rng.integers(0, 4, n)
    endog = pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(list("wxyz")), ordered=True))
    model = _weighted_model_class()(endog, exog, weights=rng.integers(1, 4, n).astype(float), distr="logit")
    params = np.array([0.3, -0.2, -1.0, 0.1, 0.4])
    assert model.score(params) == pytest.approx(approx_fprime(params, model.loglike, centered=True), rel=1e-6)


def test_stats_does_not_import_django() -> None:
    code = "import sys, coopgov.stats; assert 'django' not in sys.modules, 'django loaded'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_ordinal_logit_unused_levels_and_warnings() -> None:
    rng = np.random.default_rng(5)
    g = list(rng.choice(["a", "b"], size=40))
    y = ["lo" if v == "a" and rng.random() < 0.7 else "hi" for v in g]
    res = ordinal_logit(y, ["never", "lo", "hi", "top"], {"g": g})
    assert res.outcome_levels == ("lo", "hi")
    assert any("never observed: never, top" in w for w in res.warnings)
    assert len(res.thresholds) == 1
    # perfect separation: flagged as unreliable rather than silently reported
    sep = ordinal_logit(["lo"] * 20 + ["hi"] * 20, ["lo", "hi"], {"g": ["a"] * 20 + ["b"] * 20})
    assert not sep.reliable
    with pytest.raises(ValueError, match="single level"):
        ordinal_logit(["lo"] * 5, ["lo", "hi"], {"g": list("ababa")})


def test_ordinal_logit_drops_collinear_columns() -> None:
    rng = np.random.default_rng(9)
    n = 600
    kind = rng.choice(["home", "dom"], size=n)
    band = np.where(kind == "home", rng.choice(["small", "big"], size=n), "none")
    y = list(rng.choice(["lo", "mid", "hi"], size=n))
    res = ordinal_logit(
        y, ["lo", "mid", "hi"], {"kind": list(kind), "band": list(band)}, reference={"kind": "dom", "band": "none"}
    )
    assert res.dropped == ("band[small]",)  # band[big] + band[small] = kind[home]
    assert all(math.isfinite(o.std_error) for o in res.odds_ratios)


@given(
    st.dictionaries(st.sampled_from("abcdef"), st.integers(0, 50), min_size=1),
    st.dictionaries(st.sampled_from("abcdef"), st.integers(0, 50), min_size=1),
)
def test_dissimilarity_properties(a: dict[str, int], b: dict[str, int]) -> None:
    if sum(a.values()) == 0 or sum(b.values()) == 0:
        with pytest.raises(ValueError):
            dissimilarity_index(a, b)
        return
    d = dissimilarity_index(a, b)
    assert 0 <= d <= 1 and d == dissimilarity_index(b, a)
    assert dissimilarity_index(a, a) == 0


@given(st.dictionaries(st.integers(0, 20), st.integers(0, 200), min_size=1, max_size=12))
def test_suppression_never_leaves_a_single_derivable_cell(counts: dict[int, int]) -> None:
    s = suppress_counts(counts)
    hidden = [k for k, c in s.cells.items() if c.status is not CellStatus.SHOWN]
    assert all(c.display == str(counts[k]) for k, c in s.cells.items() if c.status is CellStatus.SHOWN)
    assert all(s.cells[k].display == "<10" for k in counts if 0 < counts[k] < 10)
    if len(hidden) == 1:  # one hidden cell is only allowed if the total is withheld
        assert s.total_display == "*"
