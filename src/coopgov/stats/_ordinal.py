"""Ordinal (proportional-odds) logistic regression reported as odds ratios.

Model (McCullagh 1980, JRSS B 42:109), for an outcome with ordered levels 1 < … < J::

    logit P(Y ≤ j | x) = θⱼ − xᵀβ,   j = 1 … J−1

so exp(βₖ) is the odds ratio of being in a *higher* category per unit of xₖ (for a dummy: the
level against the reference level), holding the other covariates fixed. Wald intervals:
exp(βₖ ± z·SEₖ). Fitted by maximum likelihood with statsmodels' ``OrderedModel``
(``distr="logit"``), a maintained library; we only build the design matrix and report.

Speed: rows with identical predictor values and outcome are collapsed into one covariate
pattern with a frequency weight, and the weighted log-likelihood Σ wᵢ·ℓᵢ(θ) is maximised — the
same function as the ungrouped Σ ℓᵢ(θ), so estimates and (observed-information) standard errors
are identical, but statsmodels' numerical derivatives run over hundreds of patterns instead of
tens of thousands of rows. (``OrderedModel`` itself takes no weights; a two-line subclass adds
them.)

Categorical predictors are dummy-coded against an explicit reference level (the first level
given, or the most frequent level when none is given — ties broken alphabetically).
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any


@dataclass(frozen=True, slots=True)
class OddsRatio:
    term: str
    """``"variable[level]"`` for a dummy, the variable name for a numeric predictor."""
    odds_ratio: float
    lower: float
    upper: float
    p_value: float
    coefficient: float
    std_error: float


@dataclass(frozen=True, slots=True)
class OrdinalResult:
    n: int
    outcome_levels: tuple[str, ...]
    reference_levels: dict[str, str]
    odds_ratios: tuple[OddsRatio, ...]
    thresholds: tuple[float, ...]
    log_likelihood: float
    converged: bool
    confidence: float

    def term(self, name: str) -> OddsRatio:
        for o in self.odds_ratios:
            if o.term == name:
                return o
        raise KeyError(name)


def _weighted_model_class() -> Any:
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    class WeightedOrderedModel(OrderedModel):  # type: ignore[misc]
        """``OrderedModel`` with frequency weights on the per-observation log-likelihood."""

        def __init__(self, endog: Any, exog: Any, *, weights: Any, **kwargs: Any) -> None:
            self._freq_weights = weights
            super().__init__(endog, exog, **kwargs)

        def loglikeobs(self, params: Any) -> Any:
            return self._freq_weights * super().loglikeobs(params)

    return WeightedOrderedModel


def _WeightedOrderedModel(endog: Any, exog: Any, *, weights: Any, distr: str) -> Any:
    return _weighted_model_class()(endog, exog, weights=weights, distr=distr)


def ordinal_logit(
    outcome: Sequence[str],
    outcome_levels: Sequence[str],
    categorical: Mapping[str, Sequence[str]] | None = None,
    numeric: Mapping[str, Sequence[float]] | None = None,
    *,
    reference: Mapping[str, str] | None = None,
    confidence: float = 0.95,
    maxiter: int = 200,
) -> OrdinalResult:
    """Fit a proportional-odds logit of ``outcome`` on the predictors; report odds ratios.

    ``outcome_levels`` lists the levels from lowest to highest. Rows whose outcome is not one
    of the levels must be removed by the caller (a ``ValueError`` names the first offender).
    Dummy columns for levels that never occur are dropped; a categorical variable with a
    single level is dropped entirely (it carries no contrast).
    """
    import numpy as np
    import pandas as pd

    categorical = dict(categorical or {})
    numeric = dict(numeric or {})
    reference = dict(reference or {})
    n = len(outcome)
    level_index = {lvl: i for i, lvl in enumerate(outcome_levels)}
    for i, y in enumerate(outcome):
        if y not in level_index:
            raise ValueError(f"row {i}: outcome {y!r} is not one of {list(outcome_levels)}")
    columns: dict[str, np.ndarray] = {}
    refs: dict[str, str] = {}
    for name, values in categorical.items():
        if len(values) != n:
            raise ValueError(f"predictor {name!r} has {len(values)} values for {n} rows")
        counts = Counter(values)
        if len(counts) < 2:
            continue
        ref = reference.get(name)
        if ref is None:
            ref = min(counts, key=lambda lv: (-counts[lv], lv))
        elif ref not in counts:
            raise ValueError(f"reference level {ref!r} of {name!r} does not occur in the data")
        refs[name] = ref
        arr = np.asarray(values, dtype=object)
        for level in sorted(counts):
            if level != ref:
                columns[f"{name}[{level}]"] = (arr == level).astype(float)
    for name, nums in numeric.items():
        if len(nums) != n:
            raise ValueError(f"predictor {name!r} has {len(nums)} values for {n} rows")
        columns[name] = np.asarray(nums, dtype=float)
    if not columns:
        raise ValueError("no predictor varies: nothing to estimate")
    full = pd.DataFrame(columns)
    names = list(full.columns)
    full["__y__"] = [level_index[y] for y in outcome]
    grouped = full.groupby([*names, "__y__"], sort=True).size().reset_index(name="__w__")
    exog = grouped[names].astype(float).reset_index(drop=True)
    endog = pd.Series(
        pd.Categorical.from_codes(grouped["__y__"].to_numpy(), categories=pd.Index(list(outcome_levels)), ordered=True)
    )
    model = _WeightedOrderedModel(endog, exog, weights=grouped["__w__"].to_numpy(dtype=float), distr="logit")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = model.fit(method="bfgs", maxiter=maxiter, disp=False)
    z = NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)
    k = exog.shape[1]
    params = np.asarray(fit.params)
    bse = np.asarray(fit.bse)
    pvalues = np.asarray(fit.pvalues)
    ors: list[OddsRatio] = []
    for i, term in enumerate(exog.columns):
        b, se = float(params[i]), float(bse[i])
        ors.append(
            OddsRatio(
                term=str(term),
                odds_ratio=math.exp(b),
                lower=math.exp(b - z * se),
                upper=math.exp(b + z * se),
                p_value=float(pvalues[i]),
                coefficient=b,
                std_error=se,
            )
        )
    # OrderedModel parametrises thresholds as θ₁ then log-increments.
    raw = [float(x) for x in params[k:]]
    thresholds: list[float] = []
    for j, v in enumerate(raw):
        thresholds.append(v if j == 0 else thresholds[-1] + math.exp(v))
    converged = bool(fit.mle_retvals.get("converged", True)) if fit.mle_retvals else True
    return OrdinalResult(
        n=n,
        outcome_levels=tuple(outcome_levels),
        reference_levels=refs,
        odds_ratios=tuple(ors),
        thresholds=tuple(thresholds),
        log_likelihood=float(fit.llf),
        converged=converged,
        confidence=confidence,
    )
