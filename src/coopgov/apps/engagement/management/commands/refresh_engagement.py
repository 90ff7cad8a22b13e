"""Recompute the engagement dashboard snapshots (e.g. nightly from cron), so no officer waits for
the first computation: ``coopgov manage refresh_engagement [--organisation SLUG]``."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coopgov.apps.engagement import snapshots
from coopgov.apps.engagement.models import Snapshot
from coopgov.apps.orgs.models import Organisation


class Command(BaseCommand):
    help = "Recompute engagement dashboard snapshots (the default view of every organisation, and any kept views)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", help="Only this organisation (its slug)")
        parser.add_argument("--progress", action="store_true", help="Show progress on stderr")

    def handle(self, *args: Any, **options: Any) -> None:
        orgs = Organisation.objects.order_by("pk")
        if options["organisation"]:
            orgs = orgs.filter(slug=options["organisation"])
            if not orgs.exists():
                raise CommandError(f"No organisation with the slug {options['organisation']!r}")
        progress = options["progress"] or sys.stderr.isatty()
        done = 0
        for org in orgs:
            t0 = time.perf_counter()
            default = snapshots.snapshot_key(None, None, None)
            fresh = ""
            if not Snapshot.objects.filter(organisation=org, key=default).exists():
                snapshots.dashboard_figures(org, None, None, None)  # computes and keeps it
                fresh, done = default, done + 1
            kept = Snapshot.objects.filter(organisation=org).exclude(key=fresh)
            for snap in kept.select_related("organisation", "stakeholder_class"):
                snapshots.compute(snap).save()
                done += 1
            if progress:
                self.stderr.write(f"{org.name}: {time.perf_counter() - t0:.1f} s")
        self.stdout.write(f"Recomputed {done} snapshot(s).")
