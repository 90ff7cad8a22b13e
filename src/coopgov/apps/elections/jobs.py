"""Background jobs: counting a large election and mailing a large electorate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model

from coopgov.apps.jobs.models import Job
from coopgov.apps.jobs.runner import register

from . import notifications, services
from .models import Election

#: Counts with more ballots than this, and mailings to more voters, run in the background.
INLINE_MAX = 20_000
MAILINGS = {"notice", "poll_cards", "reminder"}


def _actor(job: Job) -> Any:
    return get_user_model().objects.filter(pk=job.created_by_id).first() if job.created_by_id else None


@register("elections.count")
def count_job(job: Job, progress: Callable[[int, int | None], None]) -> dict[str, Any]:
    e = Election.objects.get(pk=job.args["election"])
    progress(0, 1)
    e = services.do_count(actor=_actor(job), election=e)
    progress(1, 1)
    return {"elected": (e.result or {}).get("elected", [])}


@register("elections.mail")
def mail_job(job: Job, progress: Callable[[int, int | None], None]) -> dict[str, Any]:
    kind = job.args["kind"]
    if kind not in MAILINGS:
        raise ValueError(f"unknown mailing {kind!r}")
    e = Election.objects.get(pk=job.args["election"])
    sent = getattr(notifications, kind)(e)
    services._audit(_actor(job), e, f"notify.{kind}", f"Sent {kind.replace('_', ' ')}: {sent} email(s)")
    progress(sent, sent)
    return {"sent": sent}
