"""``coopgov manage import_members ORG FILE.csv [--dry-run]`` with progress on the terminal."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coopgov.apps.membership import register_csv
from coopgov.apps.orgs.models import Organisation


class Command(BaseCommand):
    help = "Check and import a CSV membership register (all rows or none)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organisation", help="the organisation's slug")
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check the file and list problems; write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        org = Organisation.objects.filter(slug=options["organisation"]).first()
        if org is None:
            raise CommandError(f"no organisation with slug {options['organisation']!r}")
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        started = time.perf_counter()
        show = sys.stderr.isatty()

        def progress(done: int, total: int | None) -> None:
            if show:
                pct = f" ({100 * done // total}%)" if total else ""
                print(f"\r{path.name}: {done:,} rows{pct}", end="", file=sys.stderr, flush=True)

        if options["dry_run"]:
            report = register_csv.check_register_csv(org, data, file_name=path.name, progress=progress)
        else:
            report = register_csv.do_import_register_csv(
                actor=None, organisation=org, data=data, file_name=path.name, progress=progress
            )
        if show:
            print(file=sys.stderr)
        for w in report.warnings:
            self.stderr.write(f"{path}: warning: {w}")
        if report.problems:
            for p in report.problems[:200]:
                self.stderr.write(f"{path}: {p}")
            more = len(report.problems) - 200
            if more > 0:
                self.stderr.write(f"… and {more} more problems")
            raise CommandError(f"{path}: {len(report.problems)} problem(s); nothing was imported")
        elapsed = time.perf_counter() - started
        if report.committed:
            self.stdout.write(f"Imported {report.memberships_created:,} members into {org.name} in {elapsed:.1f} s.")
        else:
            self.stdout.write(
                f"{report.rows:,} rows checked in {elapsed:.1f} s: no problems. Run without --dry-run to import."
            )
