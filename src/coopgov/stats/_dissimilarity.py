"""Index of dissimilarity (Duncan & Duncan 1955, Am Sociol Rev 20:210).

    D = ½ · Σᵢ | aᵢ/A − bᵢ/B |,   A = Σ aᵢ,  B = Σ bᵢ

D is the share of one distribution that would have to move category for the two to match:
0 means identical composition, 1 complete separation. The result is exact (a ``Fraction``)
because inputs are counts.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from fractions import Fraction


def dissimilarity_index(a: Mapping[Hashable, int], b: Mapping[Hashable, int]) -> Fraction:
    """Index of dissimilarity between two count distributions over the same categories.

    A category missing from one mapping counts as zero there.

    >>> dissimilarity_index({"x": 1, "y": 1}, {"x": 2, "y": 0})
    Fraction(1, 2)
    """
    total_a = sum(a.values())
    total_b = sum(b.values())
    if total_a <= 0 or total_b <= 0:
        raise ValueError("both distributions need a positive total")
    if any(v < 0 for v in a.values()) or any(v < 0 for v in b.values()):
        raise ValueError("counts must not be negative")
    keys = set(a) | set(b)
    return Fraction(1, 2) * sum(
        (abs(Fraction(a.get(k, 0), total_a) - Fraction(b.get(k, 0), total_b)) for k in keys),
        Fraction(0),
    )
