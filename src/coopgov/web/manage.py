"""``coopgov manage …``: Django's management commands for the platform."""

from __future__ import annotations

import os


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopgov.web.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["coopgov manage", *argv])
    return 0
