"""The production settings guard: refuses the development key, and is secure when configured."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from coopgov.web.settings import DEV_SECRET_KEY

PRINT = (
    "from django.conf import settings as s; "
    "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.DEBUG)"
)


def _run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "COOPGOV_ALLOW_DEV_KEY", "COOPGOV_TESTING"}
    }
    base.update(env)
    base["DJANGO_SETTINGS_MODULE"] = "coopgov.web.settings"
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {PRINT}"],
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_the_development_key() -> None:
    result = _run({"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY is the development key" in result.stderr


def test_production_refuses_a_short_key() -> None:
    result = _run({"DEBUG": "0", "SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "at least 32 characters" in result.stderr


def test_production_with_a_real_key_is_secure() -> None:
    result = _run({"DEBUG": "0", "SECRET_KEY": "x" * 50})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "31536000", "False"]


def test_development_mode_starts_with_the_development_key() -> None:
    result = _run({"DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    assert DEV_SECRET_KEY != "x" * 50


@pytest.mark.django_db
def test_pages_send_security_headers(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
