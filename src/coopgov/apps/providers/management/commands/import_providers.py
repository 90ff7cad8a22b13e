"""``manage.py import_providers FILE_OR_DIR…``: import CQC files and registers into the register."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coopgov.ownership import OwnershipInputError


def expand(paths: list[str]) -> list[str]:
    """Files as given; a directory stands for the CSV, ODS and JSON files directly in it (sorted)."""
    out: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = sorted(
                str(f)
                for f in path.iterdir()
                if f.is_file() and f.suffix.casefold() in (".csv", ".ods", ".json", ".txt")
            )
            if not found:
                raise OwnershipInputError("no CSV, ODS, JSON or TXT files in this directory", path=path)
            out += found
        else:
            out.append(p)
    return out


class Command(BaseCommand):
    help = (
        "Import CQC files (care directory, latest ratings, API records) with the registers (Companies House, "
        "FCA mutuals, Charity Commission, employee-owned list): classify every provider and replace the register."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="FILE_OR_DIR")
        parser.add_argument("--chain-threshold", type=int, default=10)
        parser.add_argument("--progress", action="store_true", help="show progress (default: when stderr is a TTY)")
        parser.add_argument("--problems", action="store_true", help="list every row that could not be read")
        parser.add_argument("--background", action="store_true", help="queue as a background job (run_jobs runs it)")
        parser.add_argument(
            "--skip-research",
            action="store_true",
            help="in a directory, leave out research files (Bach-Mortensen, Goodair) instead of stopping",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from coopgov.apps.jobs.runner import enqueue
        from coopgov.apps.providers import services
        from coopgov.ownership import detect_kind

        show = bool(options["progress"] or sys.stderr.isatty())
        try:
            paths = expand(options["paths"])
            if options["skip_research"]:
                paths = [p for p in paths if detect_kind(p) not in services.RESEARCH_KINDS]
            if options["background"]:
                job = enqueue("providers.import", {"paths": [str(Path(p).resolve()) for p in paths]})
                self.stdout.write(f"queued import job {job.pk}")
                return

            last = [""]

            def progress(stage: str, n: int) -> None:
                if not show or (n % 5000 and "written" not in stage):
                    return
                if last[0] and last[0] != stage:
                    print(file=sys.stderr)  # each file and stage on its own line
                last[0] = stage
                print(f"\r{stage}: {n:,}", end="", file=sys.stderr, flush=True)

            out = services.do_import_cqc_register(
                actor=None, paths=paths, chain_threshold=options["chain_threshold"], progress=progress
            )
        except OwnershipInputError as exc:
            raise CommandError(exc.one_line()) from None
        if show:
            print(file=sys.stderr)
        for rep in out.reports:
            self.stderr.write(rep.summary())
            shown = rep.problems if options["problems"] else rep.problems[:3]
            for p in shown:
                self.stderr.write(f"  {p.one_line()}")
            if len(rep.problems) > len(shown):
                self.stderr.write(f"  ... {len(rep.problems) - len(shown)} more (use --problems)")
        models = ", ".join(f"{k} {v}" for k, v in out.models.items())
        self.stdout.write(f"imported {out.locations} locations of {out.providers} providers (import {out.record.pk})")
        self.stdout.write(f"providers by model: {models}")
