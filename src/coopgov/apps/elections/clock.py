"""The time the timetable is checked against (one place, so tests can move it)."""

from __future__ import annotations

import datetime

from django.utils import timezone


def now() -> datetime.datetime:
    return timezone.now()
