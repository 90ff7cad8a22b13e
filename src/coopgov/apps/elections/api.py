"""Public JSON API for elections (mounted at ``/api/elections/``): the timetable and published
electorate fingerprint, the statement of persons nominated, and the declared result."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from coopgov.apps.api.auth import OptionalAuth

from . import services
from .models import Election

router = Router(tags=["elections"])
PUBLIC = [OptionalAuth()]


class ElectionOut(Schema):
    id: str
    organisation: str
    title: str
    method: str
    seats: int
    phase: str
    cutoff_date: datetime.date
    nominations_open: datetime.datetime
    nominations_close: datetime.datetime
    withdrawal_deadline: datetime.datetime
    poll_open: datetime.datetime
    poll_close: datetime.datetime
    electorate_count: int | None
    electorate_sha256: str
    candidates: list[str]


@router.get("/{uuid:election_id}", response=ElectionOut, auth=PUBLIC)
def election_detail(request: HttpRequest, election_id: str) -> dict[str, Any]:
    """An election's timetable, stage, published electorate fingerprint and (once nominations
    close) its candidates."""
    e = get_object_or_404(Election.objects.select_related("organisation"), pk=election_id)
    ph = services.phase(e)
    shown = ph not in {services.Phase.DRAFT, services.Phase.NOTICE, services.Phase.NOMINATIONS}
    return {
        "id": str(e.pk),
        "organisation": e.organisation.slug,
        "title": e.title,
        "method": e.method,
        "seats": e.seats,
        "phase": ph,
        "cutoff_date": e.cutoff_date,
        "nominations_open": e.nominations_open,
        "nominations_close": e.nominations_close,
        "withdrawal_deadline": e.withdrawal_deadline,
        "poll_open": e.poll_open,
        "poll_close": e.poll_close,
        "electorate_count": e.electorate_count,
        "electorate_sha256": e.electorate_hash,
        "candidates": [c.membership.person.full_name for c in services.candidates(e)] if shown else [],
    }


@router.get("/{uuid:election_id}/result", auth=PUBLIC)
def election_result(request: HttpRequest, election_id: str) -> dict[str, Any]:
    """The declared result sheet (the same JSON as the result page's download)."""
    e = get_object_or_404(Election, pk=election_id)
    if e.declared_on is None or not e.result:
        raise Http404("The result has not been declared yet.")
    result: dict[str, Any] = e.result
    return result
