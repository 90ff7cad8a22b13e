from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from .models import Job, JobStatus

log = logging.getLogger(__name__)

Handler = Callable[[Job, Callable[[int, int | None], None]], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}


def register(kind: str) -> Callable[[Handler], Handler]:
    def deco(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return deco


def enqueue(kind: str, args: dict[str, Any], *, user: Any = None, organisation: Any = None) -> Job:
    job = Job.objects.create(
        kind=kind,
        args=args,
        organisation=organisation,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    if getattr(settings, "JOBS_IN_THREAD", True):
        transaction.on_commit(lambda: _start_thread(job.pk))
    return job


def _start_thread(job_id: Any) -> None:
    def target() -> None:
        try:
            run_job(job_id)
        finally:
            close_old_connections()

    threading.Thread(target=target, daemon=True, name=f"job-{job_id}").start()


def claim_next() -> Job | None:
    with transaction.atomic():
        job = (
            Job.objects.select_for_update(skip_locked=True)
            .filter(status=JobStatus.QUEUED)
            .order_by("created_at")
            .first()
        )
        if job is None:
            return None
        job.status = JobStatus.RUNNING
        job.save(update_fields=["status"])
        return job


def run_job(job_id: Any) -> Job:
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
            return job
        job.status = JobStatus.RUNNING
        job.save(update_fields=["status"])
    return _execute(job)


def _execute(job: Job) -> Job:
    handler = HANDLERS.get(job.kind)

    def progress(done: int, total: int | None) -> None:
        Job.objects.filter(pk=job.pk).update(progress=done, total=total if total is not None else job.total)

    try:
        if handler is None:
            raise LookupError(f"no handler for job kind {job.kind!r}")
        result = handler(job, progress)
    except Exception as exc:
        log.exception("job %s failed", job.pk)
        Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error=str(exc), finished_at=timezone.now())
    else:
        Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE, result=result, finished_at=timezone.now())
    job.refresh_from_db()
    return job


def run_pending(limit: int | None = None) -> int:
    n = 0
    while limit is None or n < limit:
        job = claim_next()
        if job is None:
            break
        _execute(job)
        n += 1
    return n
