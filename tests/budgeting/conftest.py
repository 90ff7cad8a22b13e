"""Fixtures for the budgeting tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def budgets(shared_data: Path) -> Path:
    path = shared_data / "budgets"
    assert path.is_dir(), f"missing {path}"
    assert len(list(path.glob("*.pb"))) == 26
    return path
