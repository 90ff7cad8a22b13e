"""Quartiles for benchmarking a value against its peers.

We use the "inclusive" definition (Hyndman & Fan 1996 type 7, the default of R's ``quantile``,
numpy's ``percentile`` and Excel's ``QUARTILE.INC``): the p-quantile of sorted x₁..xₙ is
x_⌊h⌋ + (h − ⌊h⌋)(x_⌊h⌋₊₁ − x_⌊h⌋) with h = (n − 1)p + 1. Computed exactly with fractions when
the inputs are integers or fractions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

Number = int | float | Fraction


@dataclass(frozen=True, slots=True)
class Quartiles:
    minimum: Number
    q1: Number
    median: Number
    q3: Number
    maximum: Number
    n: int

    def band(self, value: Number) -> int:
        """Which quartile band ``value`` falls in: 1 (≤ q1) … 4 (> q3)."""
        if value <= self.q1:
            return 1
        if value <= self.median:
            return 2
        if value <= self.q3:
            return 3
        return 4


def _quantile(xs: list[Number], p: Fraction) -> Number:
    h = (len(xs) - 1) * p
    lo = int(h)
    frac = h - lo
    if frac == 0 or lo + 1 >= len(xs):
        return xs[lo]
    x0, x1 = xs[lo], xs[lo + 1]
    if isinstance(x0, float) or isinstance(x1, float):
        return x0 + float(frac) * (x1 - x0)
    return Fraction(x0) + frac * (Fraction(x1) - Fraction(x0))


def quartiles(values: Iterable[Number]) -> Quartiles:
    """Minimum, quartiles and maximum of ``values`` (type-7 definition)."""
    xs = sorted(values)
    if not xs:
        raise ValueError("quartiles need at least one value")
    return Quartiles(
        minimum=xs[0],
        q1=_quantile(xs, Fraction(1, 4)),
        median=_quantile(xs, Fraction(1, 2)),
        q3=_quantile(xs, Fraction(3, 4)),
        maximum=xs[-1],
        n=len(xs),
    )
