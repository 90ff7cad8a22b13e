from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from coopgov.apps.orgs.models import Organisation
from coopgov.apps.site.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo organisations and members (only into an empty database unless --force)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="do nothing if any organisation exists")
        parser.add_argument("--trust-members", type=int, default=21000)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Organisation.objects.exists():
            self.stdout.write("Demo data already loaded.")
            return
        self.stdout.write("Loading demo data (about 30 seconds)…")
        counts = load_demo(trust_members=options["trust_members"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {counts['organisations']} organisations and {counts['members']:,} memberships "
                f"({counts['trust_members']:,} in the foundation trust)."
            )
        )
        self.stdout.write(
            "Demo accounts (password " + DEMO_PASSWORD + "): admin@example.org, secretary@example.org, "
            "returning.officer@example.org, member@example.org, commissioner@example.org"
        )
