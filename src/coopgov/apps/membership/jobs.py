"""Background jobs for large register files (checked and imported outside the web request)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings

from coopgov.apps.jobs.models import Job
from coopgov.apps.jobs.runner import register
from coopgov.apps.orgs.models import Organisation

from . import register_csv

MAX_PROBLEMS_SHOWN = 1000


def report_dict(report: register_csv.ImportReport) -> dict[str, Any]:
    return {
        "file_name": report.file_name,
        "rows": report.rows,
        "ok": report.ok,
        "committed": report.committed,
        "problem_count": len(report.problems),
        "problems": [
            {"row": p.row, "column": p.column, "message": p.message} for p in report.problems[:MAX_PROBLEMS_SHOWN]
        ],
        "warnings": [{"row": p.row, "column": p.column, "message": p.message} for p in report.warnings[:50]],
        "people_created": report.people_created,
        "people_matched": report.people_matched,
        "memberships_created": report.memberships_created,
    }


def _path(token: str) -> Path:
    if not token.isalnum():
        raise ValueError("bad upload token")
    return Path(settings.MEDIA_ROOT) / "imports" / f"{token}.csv"


@register("membership.check")
def check_job(job: Job, progress: Callable[[int, int | None], None]) -> dict[str, Any]:
    org = Organisation.objects.get(pk=job.args["org"])
    report = register_csv.check_register_csv(
        org, _path(job.args["token"]).read_bytes(), file_name=job.args["name"], progress=progress
    )
    out = report_dict(report)
    out["token"] = job.args["token"]
    return out


@register("membership.import")
def import_job(job: Job, progress: Callable[[int, int | None], None]) -> dict[str, Any]:
    org = Organisation.objects.get(pk=job.args["org"])
    path = _path(job.args["token"])
    report = register_csv.do_import_register_csv(
        actor=job.created_by, organisation=org, data=path.read_bytes(), file_name=job.args["name"], progress=progress
    )
    if report.committed:
        path.unlink(missing_ok=True)
    return report_dict(report)
