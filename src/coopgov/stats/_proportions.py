"""Confidence intervals for proportions and for ratios of two proportions.

Formulas
--------
Wilson score interval (Wilson 1927, JASA 22:209; Newcombe 1998, Stat Med 17:857, method 3)::

    p = x / n,  z = Φ⁻¹(1 − α/2)
    centre = (p + z²/(2n)) / (1 + z²/n)
    half   = z / (1 + z²/n) · √( p(1 − p)/n + z²/(4n²) )
    CI     = [centre − half, centre + half]

With continuity correction (Newcombe 1998, method 4)::

    L = (2np + z² − 1 − z·√(z² − 2 − 1/n + 4p(n(1 − p) + 1))) / (2(n + z²)),  L = 0 when p = 0
    U = (2np + z² + 1 + z·√(z² + 2 − 1/n + 4p(n(1 − p) − 1))) / (2(n + z²)),  U = 1 when p = 1

Ratio of two independent proportions, Katz et al. (1978, Biometrics 34:469) log method::

    RR = (a/n₁) / (b/n₂)
    SE(ln RR) = √( 1/a − 1/n₁ + 1/b − 1/n₂ )
    CI = exp( ln RR ± z · SE )

When ``a`` or ``b`` is zero the log method is undefined; we then add ½ to both numerators and
both denominators (Haldane–Anscombe correction) and say so in the result (``corrected=True``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist


@dataclass(frozen=True, slots=True)
class Interval:
    """A point estimate with a two-sided confidence interval."""

    estimate: float
    lower: float
    upper: float
    confidence: float


@dataclass(frozen=True, slots=True)
class RatioInterval:
    """A ratio of two proportions with its confidence interval."""

    ratio: float
    lower: float
    upper: float
    confidence: float
    corrected: bool
    """True when a zero count forced the Haldane–Anscombe ½ correction."""


def _z(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence!r}")
    return NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)


def _check_counts(successes: int, n: int) -> None:
    if n <= 0:
        raise ValueError(f"the number of trials must be positive, got {n}")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be between 0 and n={n}, got {successes}")


def wilson_interval(successes: int, n: int, confidence: float = 0.95, *, continuity: bool = False) -> Interval:
    """Wilson score interval for the proportion ``successes / n``.

    >>> iv = wilson_interval(81, 263)
    >>> round(iv.lower, 4), round(iv.upper, 4)
    (0.2553, 0.3662)
    """
    _check_counts(successes, n)
    z = _z(confidence)
    p = successes / n
    z2 = z * z
    if not continuity:
        denom = 1.0 + z2 / n
        centre = (p + z2 / (2.0 * n)) / denom
        half = (z / denom) * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n))
        # the bounds are exactly 0 and 1 at x = 0 and x = n (rounding could leave them a hair off)
        lower = 0.0 if successes == 0 else max(0.0, centre - half)
        upper = 1.0 if successes == n else min(1.0, centre + half)
        return Interval(p, lower, upper, confidence)
    q = 1.0 - p
    if successes == 0:
        lower = 0.0
    else:
        lower = (2 * n * p + z2 - 1 - z * math.sqrt(z2 - 2 - 1 / n + 4 * p * (n * q + 1))) / (2 * (n + z2))
    if successes == n:
        upper = 1.0
    else:
        upper = (2 * n * p + z2 + 1 + z * math.sqrt(z2 + 2 - 1 / n + 4 * p * (n * q - 1))) / (2 * (n + z2))
    return Interval(p, max(0.0, lower), min(1.0, upper), confidence)


def ratio_interval(a: int, n1: int, b: int, n2: int, confidence: float = 0.95) -> RatioInterval:
    """Katz log-method interval for the ratio of proportions ``(a/n1) / (b/n2)``.

    Typical use: a group's share among members (``a`` of ``n1``) against its share of the
    population served (``b`` of ``n2``); a ratio of 1 means proportionate representation.
    """
    _check_counts(a, n1)
    _check_counts(b, n2)
    z = _z(confidence)
    corrected = a == 0 or b == 0
    fa, fn1, fb, fn2 = float(a), float(n1), float(b), float(n2)
    if corrected:
        fa, fn1, fb, fn2 = fa + 0.5, fn1 + 0.5, fb + 0.5, fn2 + 0.5
    ratio = (fa / fn1) / (fb / fn2)
    se = math.sqrt(1.0 / fa - 1.0 / fn1 + 1.0 / fb - 1.0 / fn2)
    log_r = math.log(ratio)
    return RatioInterval(
        ratio=(a / n1) / (b / n2) if b else math.inf if a else math.nan,
        lower=math.exp(log_r - z * se),
        upper=math.exp(log_r + z * se),
        confidence=confidence,
        corrected=corrected,
    )
