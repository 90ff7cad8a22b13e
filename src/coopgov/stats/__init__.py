"""Shared statistics for coopgov: plain Python (numpy/statsmodels only where fitting needs it).

* :func:`wilson_interval` — Wilson score interval for a proportion (continuity correction optional).
* :func:`ratio_interval` — Katz log interval for a ratio of two proportions
  (e.g. member share against population share).
* :func:`dissimilarity_index` — Duncan index of dissimilarity, exact.
* :func:`suppress_counts` — small-number suppression ("<10") with secondary suppression.
* :func:`quartiles` — type-7 quartiles for benchmarking.
* :func:`ordinal_logit` — proportional-odds logistic regression (statsmodels) as odds ratios.

Each private module documents its formula and source.
"""

from coopgov.stats._dissimilarity import dissimilarity_index
from coopgov.stats._ordinal import OddsRatio, OrdinalResult, ordinal_logit
from coopgov.stats._proportions import Interval, RatioInterval, ratio_interval, wilson_interval
from coopgov.stats._quartiles import Quartiles, quartiles
from coopgov.stats._suppression import Cell, CellStatus, SuppressedCounts, suppress_counts

__all__ = [
    "Cell",
    "CellStatus",
    "Interval",
    "OddsRatio",
    "OrdinalResult",
    "Quartiles",
    "RatioInterval",
    "SuppressedCounts",
    "dissimilarity_index",
    "ordinal_logit",
    "quartiles",
    "ratio_interval",
    "suppress_counts",
    "wilson_interval",
]
