"""Shared helpers for the budgeting tests: the real pabulib files in ../shared/data/budgets."""

from __future__ import annotations

import functools
from pathlib import Path

from coopgov.budgeting import Election
from coopgov.budgeting._pabulib import read_pabulib

BUDGETS = Path(__file__).resolve().parents[3] / "shared" / "data" / "budgets"
ALL_FILES = sorted(p.name for p in BUDGETS.glob("*.pb")) if BUDGETS.is_dir() else []
BIG = (
    "Poland_Lodz_2022.pb",
    "Poland_Krakow_2024.pb",
    "Poland_Warszawa_2026.pb",
    "Hungary_Budapest_2024.pb",
    "Poland_Wroclaw_2015_150_-_500.pb",
)


@functools.cache
def load(name: str) -> Election:
    """Parse a shared file once per test session."""
    return read_pabulib(BUDGETS / name)
