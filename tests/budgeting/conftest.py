"""Fixtures for the budgeting tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The helper modules (budgeting_helpers, pabutools_adapter) are imported by plain name, whether
# or not this directory is a package (it is one, so that test_cli.py etc. do not clash with the
# other areas' test files of the same name).
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)


@pytest.fixture(scope="session")
def budgets(shared_data: Path) -> Path:
    path = shared_data / "budgets"
    assert path.is_dir(), f"missing {path}"
    assert len(list(path.glob("*.pb"))) == 26
    return path
