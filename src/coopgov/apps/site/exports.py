from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from coopgov.apps.audit.models import AuditEvent
from coopgov.apps.audit.services import record_event
from coopgov.apps.orgs.models import Organisation


def audit_csv(org: Organisation, qs: QuerySet[AuditEvent]) -> StreamingHttpResponse:
    def rows() -> Iterator[str]:
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["at", "actor", "action", "summary", "object_type", "object_id", "before", "after"])
        for e in qs.order_by("at", "id").iterator(chunk_size=2000):
            w.writerow(
                [
                    e.at.isoformat(),
                    e.actor_label,
                    e.action,
                    e.summary,
                    e.object_type,
                    e.object_id,
                    e.before if e.before is not None else "",
                    e.after if e.after is not None else "",
                ]
            )
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
        yield buf.getvalue()

    record_event(actor=None, action="audit.export", organisation=org, summary="Audit log exported as CSV")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{org.slug}-audit-log.csv"'
    return response
