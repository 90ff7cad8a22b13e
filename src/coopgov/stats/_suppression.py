"""Small-number suppression for published tables of counts.

Policy (chosen for coopgov; it follows the common UK statistical-disclosure practice of the ONS
and NHS England "suppress 1–9, then protect against differencing"):

* **Primary suppression** — a cell with ``0 < count < threshold`` is shown as ``"<10"``
  (``"<{threshold}"`` in general). Zero is published as ``0`` by default (``suppress_zero=False``):
  a zero reveals nothing about an individual that a suppressed cell would hide; set
  ``suppress_zero=True`` to treat zeros as small cells too.
* **Secondary suppression** — when the table's total is published and exactly one cell is
  primary-suppressed, the total minus the shown cells would reveal it. We then also suppress the
  smallest remaining cell with a positive count (ties: the first in the mapping's order), shown
  as ``"*"``. If there is no such cell (a one-cell table), the total is suppressed instead.
  With two or more suppressed cells only their sum can be derived, which we accept.

Tables with several dimensions should be suppressed along each published margin by calling
:func:`suppress_counts` per row and per column; this helper deals with one margin at a time.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class CellStatus(Enum):
    SHOWN = "shown"
    PRIMARY = "primary"
    SECONDARY = "secondary"


@dataclass(frozen=True, slots=True)
class Cell:
    count: int
    status: CellStatus
    display: str


@dataclass(frozen=True, slots=True)
class SuppressedCounts(Generic[K]):
    cells: dict[K, Cell]
    total: int
    total_display: str

    def display(self) -> dict[K, str]:
        return {k: c.display for k, c in self.cells.items()}


def suppress_counts(
    counts: Mapping[K, int],
    *,
    threshold: int = 10,
    total_published: bool = True,
    suppress_zero: bool = False,
) -> SuppressedCounts[K]:
    """Apply primary and secondary suppression to one margin of counts (see module text)."""
    if threshold < 1:
        raise ValueError(f"threshold must be at least 1, got {threshold}")
    if any(v < 0 for v in counts.values()):
        raise ValueError("counts must not be negative")
    small = f"<{threshold}"
    status: dict[K, CellStatus] = {}
    for key, value in counts.items():
        is_small = (0 < value < threshold) or (suppress_zero and value == 0)
        status[key] = CellStatus.PRIMARY if is_small else CellStatus.SHOWN
    total = sum(counts.values())
    total_display = str(total)
    primary = [k for k, s in status.items() if s is CellStatus.PRIMARY]
    if total_published and len(primary) == 1:
        candidates = [k for k, s in status.items() if s is CellStatus.SHOWN and counts[k] > 0]
        if candidates:
            victim = min(candidates, key=lambda k: counts[k])  # min keeps the first on ties
            status[victim] = CellStatus.SECONDARY
        else:
            total_display = "*"
    if not total_published:
        total_display = ""
    cells: dict[K, Cell] = {}
    for key, value in counts.items():
        st = status[key]
        shown = str(value) if st is CellStatus.SHOWN else small if st is CellStatus.PRIMARY else "*"
        cells[key] = Cell(value, st, shown)
    return SuppressedCounts(cells, total, total_display)
