"""Dashboard figures kept as snapshots, so the dashboard renders from one row whatever the size of
the membership.

* A snapshot younger than :func:`lifetime` is served as it is.
* An older one is still served (the page says when the figures were computed) and a background job
  recomputes it; an officer can also ask for a refresh.
* With no snapshot yet, the figures are computed in the request (the computation is a fixed number
  of aggregate queries — :func:`coopgov.apps.engagement.data.engagement_data`).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from coopgov.apps.orgs.models import Organisation, StakeholderClass

from .data import engagement_data
from .models import Snapshot

DEFAULT_LIFETIME_SECONDS = 900


def lifetime() -> datetime.timedelta:
    return datetime.timedelta(seconds=int(getattr(settings, "ENGAGEMENT_SNAPSHOT_SECONDS", DEFAULT_LIFETIME_SECONDS)))


def snapshot_key(start: datetime.date | None, end: datetime.date | None, cls: StakeholderClass | None) -> str:
    return f"{start or ''}:{end or ''}:{cls.pk if cls else ''}"


def _period(snap_start: datetime.date | None, snap_end: datetime.date | None) -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    end = min(snap_end or today, today)
    start = snap_start or datetime.date(end.year, 1, 1)
    return start, end


def compute(snap: Snapshot) -> Snapshot:
    start, end = _period(snap.start, snap.end)
    snap.data = engagement_data(snap.organisation, start=start, end=end, stakeholder_class=snap.stakeholder_class)
    snap.computed_at = timezone.now()
    snap.refresh_requested_at = None
    return snap


def dashboard_figures(
    org: Organisation,
    start: datetime.date | None,
    end: datetime.date | None,
    cls: StakeholderClass | None,
) -> tuple[dict[str, Any], datetime.datetime, bool]:
    """(figures, when they were computed, whether a refresh is on its way)."""
    key = snapshot_key(start, end, cls)
    snap = Snapshot.objects.filter(organisation=org, key=key).first()
    now = timezone.now()
    if snap is not None:
        if snap.computed_at >= now - lifetime():
            return snap.data, snap.computed_at, False
        request_refresh(snap)
        return snap.data, snap.computed_at, True
    snap = compute(Snapshot(organisation=org, key=key, start=start, end=end, stakeholder_class=cls))
    try:
        with transaction.atomic():
            snap.save()
    except IntegrityError:  # computed at the same moment by another request: theirs is as good
        pass
    return snap.data, snap.computed_at, False


def request_refresh(snap: Snapshot, *, force: bool = False) -> bool:
    """Queue a background recomputation unless one was asked for within the lifetime (or within a
    minute, when an officer asks: ``force``)."""
    now = timezone.now()
    recent = now - (datetime.timedelta(minutes=1) if force else lifetime())
    if snap.refresh_requested_at is not None and snap.refresh_requested_at >= recent:
        return False
    updated = Snapshot.objects.filter(pk=snap.pk, refresh_requested_at=snap.refresh_requested_at).update(
        refresh_requested_at=now
    )
    if not updated:
        return False
    from coopgov.apps.jobs.runner import enqueue

    enqueue("engagement.refresh", {"snapshot": snap.pk}, organisation=snap.organisation)
    return True
