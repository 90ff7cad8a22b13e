"""Close voting in every process whose announced closing date has passed (run daily from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from coopgov.apps.budgets import services
from coopgov.apps.budgets.models import Phase, Process


class Command(BaseCommand):
    help = "Close voting in participatory budgets whose closing date has passed."

    def handle(self, *args: Any, **options: Any) -> None:
        due = Process.objects.filter(phase=Phase.VOTING, voting_close__lt=timezone.localdate())
        for process in due:
            services.do_advance_phase(actor=None, process=process)
            self.stdout.write(f"closed voting in {process.slug}")
