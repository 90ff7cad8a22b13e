"""Background job: recompute a dashboard snapshot."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from coopgov.apps.jobs.models import Job
from coopgov.apps.jobs.runner import register

from .models import Snapshot
from .snapshots import compute


@register("engagement.refresh")
def refresh(job: Job, progress: Callable[[int, int | None], None]) -> dict[str, Any]:
    snap = Snapshot.objects.select_related("organisation", "stakeholder_class").filter(pk=job.args["snapshot"]).first()
    if snap is None:
        return {"refreshed": False}
    compute(snap).save()
    progress(1, 1)
    return {"refreshed": True, "computed_at": snap.computed_at.isoformat()}
