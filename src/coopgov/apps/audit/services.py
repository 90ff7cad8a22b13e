"""Writing to the audit log: one function, used by every domain action."""

from __future__ import annotations

import datetime
import decimal
import enum
import uuid
from collections.abc import Mapping
from typing import Any

from django.db import models

from .models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, models.Model):
        return str(value.pk)
    return value


def record_event(
    *,
    actor: Any,
    action: str,
    summary: str,
    organisation: Any = None,
    obj: models.Model | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event.  ``actor`` is a User, or None for the system (imports, scheduled jobs)."""
    label = "system"
    actor_obj = None
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_obj = actor
        label = getattr(actor, "email", str(actor))
    return AuditEvent.objects.create(
        actor=actor_obj,
        actor_label=label,
        action=action,
        summary=summary[:500],
        organisation=organisation,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
    )


def model_snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The values of ``fields`` on ``instance``, for an event's before/after."""
    out: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = _jsonable(getattr(instance, attname))
    return out
