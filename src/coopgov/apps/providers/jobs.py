"""Background import of large CQC files (``jobs.runner.enqueue("providers.import", ...)``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from coopgov.apps.jobs.models import Job
from coopgov.apps.jobs.runner import register
from coopgov.ownership import OwnershipInputError


@register("providers.import")
def run_import(job: Job, progress: Callable[[int, int | None], None]) -> dict[str, Any]:
    from .services import do_import_cqc_register

    def step(stage: str, n: int) -> None:
        if n % 10000 == 0:
            progress(n, None)

    try:
        out = do_import_cqc_register(
            actor=job.created_by,
            paths=list(job.args["paths"]),
            chain_threshold=int(job.args.get("chain_threshold", 10)),
            progress=step,
        )
    except OwnershipInputError as exc:
        message = exc.one_line()
        if exc.path:  # the officer knows the file by its name, not where the server put it
            message = message.replace(exc.path, Path(exc.path).name, 1)
        raise ValueError(message) from None
    return {
        "import_id": out.record.pk,
        "providers": out.providers,
        "locations": out.locations,
        "models": out.models,
        "problems": sum(len(r.problems) for r in out.reports),
    }
