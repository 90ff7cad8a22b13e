from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from coopgov.apps.jobs.runner import run_pending


class Command(BaseCommand):
    help = "Run queued background jobs (large imports, big counts). Loops until stopped unless --once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run what is queued, then stop")
        parser.add_argument("--interval", type=float, default=1.0)

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            n = run_pending()
            if n:
                self.stdout.write(f"ran {n} job(s)")
            if options["once"]:
                return
            time.sleep(options["interval"])
