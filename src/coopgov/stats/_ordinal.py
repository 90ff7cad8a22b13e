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

Categorical predictors are dummy-coded against an explicit reference level (the given one, or
the most frequent level — ties broken alphabetically). A column that is a linear combination of
the earlier columns and the constant is dropped and listed in ``OrdinalResult.dropped``
(rather than leaving a singular information matrix and NaN intervals).
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
    dropped: tuple[str, ...] = ()
    """Dummy or numeric columns left out because they were collinear with earlier ones."""
    warnings: tuple[str, ...] = ()
    """Why the estimates may not be trustworthy (non-convergence, separation, small n)."""

    @property
    def reliable(self) -> bool:
        return not any(w.startswith(("the fit", "some estimates")) for w in self.warnings)

    def term(self, name: str) -> OddsRatio:
        for o in self.odds_ratios:
            if o.term == name:
                return o
        raise KeyError(name)


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _drop_collinear(names: Sequence[str], patterns: Any, weights: Any) -> list[str]:
    """Columns that are linear combinations of the earlier ones and a constant (the cut-points
    act as the intercept), found greedily in column order from the weighted Gram matrix of the
    distinct covariate patterns (rank of XᵀWX = rank of X)."""
    import numpy as np

    x = np.column_stack([np.ones(patterns.shape[0]), patterns])
    gram = x.T @ (x * weights[:, None])
    kept = [0]
    dropped: list[str] = []
    for j, name in enumerate(names, start=1):
        sub = gram[np.ix_([*kept, j], [*kept, j])]
        eig = np.linalg.eigvalsh(sub)
        if eig[0] > 1e-9 * max(eig[-1], 1.0):
            kept.append(j)
        else:
            dropped.append(name)
    return dropped


def _weighted_model_class() -> Any:
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    class WeightedOrderedModel(OrderedModel):  # type: ignore[misc]
        """``OrderedModel`` with frequency weights on the per-observation log-likelihood."""

        def __init__(self, endog: Any, exog: Any, *, weights: Any, **kwargs: Any) -> None:
            self._freq_weights = weights
            super().__init__(endog, exog, **kwargs)

        def loglikeobs(self, params: Any) -> Any:
            return self._freq_weights * super().loglikeobs(params)

        def score(self, params: Any) -> Any:
            """Analytic gradient of Σ wᵢ log(F(c_{yᵢ+1} − xᵢβ) − F(c_{yᵢ} − xᵢβ)), F logistic.

            ∂ℓᵢ/∂(xᵢβ) = −(f(uᵢ) − f(lᵢ))/Pᵢ; ∂ℓᵢ/∂c_m = (f(uᵢ)·[yᵢ+1 = m] − f(lᵢ)·[yᵢ = m])/Pᵢ;
            the cut-points are c₁ = t₁, c_m = c_{m−1} + exp(t_m), as statsmodels parametrises them.
            """
            import numpy as np
            from scipy.special import expit

            params = np.asarray(params, dtype=float)
            k = self.k_vars
            cuts = self.transform_threshold_params(params)
            xb = self._linpred(params)
            y = np.asarray(self.endog, dtype=int)
            f_low = expit(cuts[y] - xb)
            f_upp = expit(cuts[y + 1] - xb)
            dens_low = f_low * (1.0 - f_low)
            dens_upp = f_upp * (1.0 - f_upp)
            prob = np.clip(f_upp - f_low, 1e-300, None)
            a = self._freq_weights * dens_upp / prob
            b = self._freq_weights * dens_low / prob
            grad_beta = -(np.asarray(self.exog).T @ (a - b))
            n_cuts = len(cuts) - 2
            grad_c = (
                np.bincount(y + 1, weights=a, minlength=n_cuts + 2) - np.bincount(y, weights=b, minlength=n_cuts + 2)
            )[1 : n_cuts + 1]
            t = params[k:]
            tail = np.cumsum(grad_c[::-1])[::-1]  # Σ_{m ≥ l} ∂ℓ/∂c_m
            grad_t = tail * np.concatenate([[1.0], np.exp(t[1:])])
            return np.concatenate([grad_beta, grad_t])

        def hessian(self, params: Any) -> Any:
            """Central differences of the analytic score (2·k score evaluations, not k²
            log-likelihood evaluations); symmetrised."""
            import numpy as np
            from statsmodels.tools.numdiff import approx_fprime

            h = approx_fprime(np.asarray(params, dtype=float), self.score, centered=True)
            return (h + h.T) / 2.0

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
    known = set(outcome_levels)
    for i, y in enumerate(outcome):
        if y not in known:
            raise ValueError(f"row {i}: outcome {y!r} is not one of {list(outcome_levels)}")
    present = set(outcome)
    levels = [lvl for lvl in outcome_levels if lvl in present]  # unused levels carry no cut-point
    if len(levels) < 2:
        raise ValueError("the outcome takes a single level: nothing to estimate")
    level_index = {lvl: i for i, lvl in enumerate(levels)}
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
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    # The matrices are tall and thin (patterns × ~30 columns): multi-threaded BLAS only adds
    # thread hand-offs, and on a shared machine it is several times slower. One thread.
    with threadpool_limits(limits=1, user_api="blas"):
        full = pd.DataFrame(columns)
        names = list(full.columns)
        full["__y__"] = [level_index[y] for y in outcome]
        grouped = full.groupby([*names, "__y__"], sort=True).size().reset_index(name="__w__")
        weights = grouped["__w__"].to_numpy(dtype=float)
        dropped = _drop_collinear(names, grouped[names].to_numpy(dtype=float), weights)
        names = [n for n in names if n not in dropped]
        exog = grouped[names].astype(float).reset_index(drop=True)
        endog = pd.Series(
            pd.Categorical.from_codes(grouped["__y__"].to_numpy(), categories=pd.Index(levels), ordered=True)
        )
        model = _WeightedOrderedModel(endog, exog, weights=weights, distr="logit")
        z = NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)
        k = exog.shape[1]
        with warnings.catch_warnings():  # overflow in line searches is expected and harmless
            warnings.simplefilter("ignore")
            fit = model.fit(method="bfgs", maxiter=maxiter, disp=False)
            params = np.asarray(fit.params, dtype=float)
            bse = np.asarray(fit.bse, dtype=float)
            pvalues = np.asarray(fit.pvalues, dtype=float)
    ors: list[OddsRatio] = []
    for i, term in enumerate(exog.columns):
        b, se = float(params[i]), float(bse[i])
        ors.append(
            OddsRatio(
                term=str(term),
                odds_ratio=_exp(b),
                lower=_exp(b - z * se),
                upper=_exp(b + z * se),
                p_value=float(pvalues[i]),
                coefficient=b,
                std_error=se,
            )
        )
    # OrderedModel parametrises thresholds as θ₁ then log-increments.
    raw = [float(x) for x in params[k:]]
    thresholds: list[float] = []
    for j, v in enumerate(raw):
        thresholds.append(v if j == 0 else thresholds[-1] + _exp(v))
    converged = bool(fit.mle_retvals.get("converged", True)) if fit.mle_retvals else True
    notes: list[str] = []
    if not converged:
        notes.append("the fit did not converge")
    if not all(math.isfinite(o.std_error) for o in ors) or any(abs(o.coefficient) > 15 for o in ors):
        notes.append("some estimates are unbounded or have no finite standard error (separation or too little data)")
    n_params = k + len(levels) - 1
    if n < 10 * n_params:
        notes.append(f"only {n} units for {n_params} parameters (fewer than 10 per parameter)")
    if len(levels) < len(outcome_levels):
        notes.append("outcome levels never observed: " + ", ".join(x for x in outcome_levels if x not in present))
    return OrdinalResult(
        n=n,
        outcome_levels=tuple(levels),
        reference_levels=refs,
        odds_ratios=tuple(ors),
        thresholds=tuple(thresholds),
        log_likelihood=float(fit.llf),
        converged=converged,
        confidence=confidence,
        dropped=tuple(dropped),
        warnings=tuple(notes),
    )
