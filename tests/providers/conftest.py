from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import cache

from coopgov.apps.accounts.models import User
from coopgov.apps.providers.demo import write_demo_files
from coopgov.apps.providers.services import ImportOutcome, do_import_cqc_register


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demo_files(tmp_path: Path) -> tuple[list[Path], dict[str, str]]:
    return write_demo_files(tmp_path)


@pytest.fixture
def imported(db, demo_files) -> ImportOutcome:
    paths, pe = demo_files
    return do_import_cqc_register(actor=None, paths=paths, private_equity=pe)


@pytest.fixture
def regulator(db) -> User:
    return User.objects.create_user("regulator@example.org", "correct horse battery", platform_role="regulator")


@pytest.fixture
def commissioner(db) -> User:
    return User.objects.create_user("commissioner@example.org", "correct horse battery", platform_role="commissioner")
