"""Domain actions on memberships.  Each change adds a MembershipRecord and an audit event."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coopgov.apps.audit.services import record_event
from coopgov.apps.orgs.models import Constituency, Organisation, StakeholderClass

from .models import Membership, MembershipRecord, Person, Status

STATE_FIELDS = ["status", "stakeholder_class_id", "constituency_id", "voting_rights"]


def _state(m: Membership) -> dict[str, Any]:
    return {f: getattr(m, f) for f in STATE_FIELDS}


def _check_class(organisation: Organisation, sc: StakeholderClass, constituency: Constituency | None) -> None:
    if sc.organisation_id != organisation.pk:
        raise ValidationError("That stakeholder class belongs to another organisation.")
    if constituency is not None and constituency.stakeholder_class_id != sc.pk:
        raise ValidationError(f"Constituency {constituency.name} is not part of {sc.name}.")
    if constituency is None and sc.constituencies.exists():
        raise ValidationError(f"Choose a constituency of {sc.name}.")


def _today() -> datetime.date:
    return timezone.localdate()


def _log(m: Membership, *, effective_from: datetime.date, actor: Any, reason: str) -> MembershipRecord:
    return MembershipRecord.objects.create(
        membership=m,
        effective_from=effective_from,
        status=m.status,
        stakeholder_class_id=m.stakeholder_class_id,
        constituency_id=m.constituency_id,
        voting_rights=m.voting_rights,
        reason=reason,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


@transaction.atomic
def do_apply_for_membership(
    *,
    person: Person,
    organisation: Organisation,
    stakeholder_class: StakeholderClass,
    constituency: Constituency | None = None,
    actor: Any = None,
    on: datetime.date | None = None,
) -> Membership:
    """A person applies to join; an officer decides (``do_admit_member``)."""
    if not organisation.open_to_applications:
        raise ValidationError(f"{organisation.name} is not taking applications.")
    on = on or _today()
    return _create_membership(
        actor=actor,
        organisation=organisation,
        person=person,
        stakeholder_class=stakeholder_class,
        constituency=constituency,
        status=Status.APPLIED,
        on=on,
        reason="application",
        action="membership.apply",
        summary=f"{person.full_name} applied to join as {stakeholder_class.name}",
        applied_on=on,
        voting_rights=stakeholder_class.voting_by_default,
    )


@transaction.atomic
def do_add_member(
    *,
    actor: Any,
    organisation: Organisation,
    person: Person,
    stakeholder_class: StakeholderClass,
    constituency: Constituency | None = None,
    joined_on: datetime.date | None = None,
    voting_rights: bool | None = None,
    member_number: str = "",
) -> Membership:
    """An officer adds an active member directly."""
    joined_on = joined_on or _today()
    return _create_membership(
        actor=actor,
        organisation=organisation,
        person=person,
        stakeholder_class=stakeholder_class,
        constituency=constituency,
        status=Status.ACTIVE,
        on=joined_on,
        reason="added by officer",
        action="membership.add",
        summary=f"Added {person.full_name} as {stakeholder_class.name}",
        joined_on=joined_on,
        member_number=member_number,
        voting_rights=stakeholder_class.voting_by_default if voting_rights is None else voting_rights,
    )


def _create_membership(
    *,
    actor: Any,
    organisation: Organisation,
    person: Person,
    stakeholder_class: StakeholderClass,
    constituency: Constituency | None,
    status: str,
    on: datetime.date,
    reason: str,
    action: str,
    summary: str,
    **fields: Any,
) -> Membership:
    """Validate, create the membership with its first log record, and audit it."""
    _check_class(organisation, stakeholder_class, constituency)
    if Membership.objects.filter(organisation=organisation, person=person).exists():
        raise ValidationError(f"{person.full_name} already has a membership of {organisation.name}.")
    m = Membership.objects.create(
        organisation=organisation,
        person=person,
        stakeholder_class=stakeholder_class,
        constituency=constituency,
        status=status,
        **fields,
    )
    _log(m, effective_from=on, actor=actor, reason=reason)
    record_event(actor=actor, action=action, organisation=organisation, obj=m, summary=summary, after=_state(m))
    return m


@transaction.atomic
def do_change_membership(
    *,
    actor: Any,
    membership: Membership,
    effective_from: datetime.date | None = None,
    reason: str = "",
    status: str | None = None,
    stakeholder_class: StakeholderClass | None = None,
    constituency: Constituency | str | None = "unchanged",
    voting_rights: bool | None = None,
) -> Membership:
    """Change status, class, constituency or voting rights from a date; adds a log record."""
    m = Membership.objects.select_for_update().get(pk=membership.pk)
    before = _state(m)
    effective_from = effective_from or _today()
    if status is not None:
        if status not in Status.values:
            raise ValidationError(f"Unknown status {status!r}.")
        m.status = status
        if status == Status.ACTIVE and m.joined_on is None:
            m.joined_on = effective_from
        if status == Status.ENDED:
            m.ended_on = effective_from
    if stakeholder_class is not None:
        m.stakeholder_class = stakeholder_class
        if constituency == "unchanged":
            constituency = None
    if constituency != "unchanged":
        m.constituency = constituency if isinstance(constituency, Constituency) else None
    if voting_rights is not None:
        m.voting_rights = voting_rights
    _check_class(m.organisation, m.stakeholder_class, m.constituency)
    after = _state(m)
    if after == before:
        return m
    m.save()
    _log(m, effective_from=effective_from, actor=actor, reason=reason)
    changed = [k for k in after if after[k] != before[k]]
    record_event(
        actor=actor,
        action="membership.change",
        organisation=m.organisation,
        obj=m,
        summary=f"Changed {m.person.full_name}: {', '.join(changed)} from {effective_from:%Y-%m-%d}"
        + (f" ({reason})" if reason else ""),
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    return m


def do_admit_member(*, actor: Any, membership: Membership, on: datetime.date | None = None) -> Membership:
    if membership.status != Status.APPLIED:
        raise ValidationError("Only an application can be admitted.")
    return do_change_membership(
        actor=actor, membership=membership, status=Status.ACTIVE, effective_from=on, reason="admitted"
    )


def do_end_membership(
    *, actor: Any, membership: Membership, on: datetime.date | None = None, reason: str = ""
) -> Membership:
    return do_change_membership(
        actor=actor, membership=membership, status=Status.ENDED, effective_from=on, reason=reason or "ended"
    )
