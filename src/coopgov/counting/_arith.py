"""Exact fixed-point helpers for statutory counts.

Rules such as the Scottish Order (five decimal places, remainder ignored) or ERS97 (two decimal
places) truncate: :func:`truncate` implements "calculated to d decimal places, any remainder
being ignored" exactly on :class:`~fractions.Fraction` values, never via binary floats.
"""

from __future__ import annotations

from fractions import Fraction

__all__ = ["ceil_to", "fmt", "scale", "to_fixed", "truncate"]


def scale(decimals: int) -> int:
    """``10 ** decimals``: the number of fixed-point units in one vote."""
    return int(10**decimals)


def truncate(value: Fraction | int, decimals: int) -> Fraction:
    """``value`` cut (towards zero) to ``decimals`` decimal places: the remainder is ignored."""
    s = 10**decimals
    v = Fraction(value)
    n = (abs(v.numerator) * s) // v.denominator
    return Fraction(n if v >= 0 else -n, s)


def ceil_to(value: Fraction | int, decimals: int) -> Fraction:
    """``value`` rounded up to ``decimals`` decimal places."""
    s = 10**decimals
    v = Fraction(value)
    return Fraction(-((-v.numerator * s) // v.denominator), s)


def to_fixed(value: Fraction | int, decimals: int) -> int:
    """``value`` as an integer number of ``10**-decimals`` units, truncated."""
    return int(truncate(value, decimals) * 10**decimals)


def fmt(value: Fraction | int, decimals: int | None) -> str:
    """Show ``value`` with exactly ``decimals`` places (truncated; exact if it fits).

    ``decimals=None`` shows integers as integers and other values to 5 places.
    """
    v = Fraction(value)
    if decimals is None:
        if v.denominator == 1:
            return str(v.numerator)
        decimals = 5
    s = 10**decimals
    n = (abs(v.numerator) * s) // v.denominator
    sign = "-" if v < 0 and n else ""
    if decimals == 0:
        return f"{sign}{n}"
    whole, frac = divmod(n, s)
    return f"{sign}{whole}.{frac:0{decimals}d}"
