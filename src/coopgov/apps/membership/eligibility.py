"""Who was a member, and who could vote, on a given date — answered from the membership log."""

from __future__ import annotations

import datetime

from django.db.models import OuterRef, QuerySet, Subquery

from .models import Membership, MembershipRecord, Status


def _latest_record(as_at: datetime.date) -> QuerySet[MembershipRecord]:
    return MembershipRecord.objects.filter(membership=OuterRef("pk"), effective_from__lte=as_at).order_by(
        "-effective_from", "-id"
    )


def memberships_as_at(organisation_id: int, as_at: datetime.date) -> QuerySet[Membership]:
    """Memberships of the organisation annotated with their state on ``as_at``
    (``as_at_status``, ``as_at_class``, ``as_at_constituency``, ``as_at_voting``); memberships with
    no record by then are left out."""
    latest = _latest_record(as_at)
    return (
        Membership.objects.filter(organisation_id=organisation_id)
        .annotate(
            as_at_status=Subquery(latest.values("status")[:1]),
            as_at_class=Subquery(latest.values("stakeholder_class_id")[:1]),
            as_at_constituency=Subquery(latest.values("constituency_id")[:1]),
            as_at_voting=Subquery(latest.values("voting_rights")[:1]),
        )
        .exclude(**{"as_at_status": None})
    )


def eligible_voters_as_at(
    organisation_id: int,
    as_at: datetime.date,
    *,
    stakeholder_class_id: int | None = None,
    constituency_id: int | None = None,
) -> QuerySet[Membership]:
    """Active members with voting rights on ``as_at``, optionally in one class or constituency."""
    qs = memberships_as_at(organisation_id, as_at).filter(**{"as_at_status": Status.ACTIVE, "as_at_voting": True})
    if stakeholder_class_id is not None:
        qs = qs.filter(**{"as_at_class": stakeholder_class_id})
    if constituency_id is not None:
        qs = qs.filter(**{"as_at_constituency": constituency_id})
    return qs


def state_as_at(membership: Membership, as_at: datetime.date) -> MembershipRecord | None:
    return (
        MembershipRecord.objects.filter(membership=membership, effective_from__lte=as_at)
        .order_by("-effective_from", "-id")
        .first()
    )


def is_eligible_voter(
    membership: Membership, as_at: datetime.date, *, constituency_id: int | None = None
) -> tuple[bool, str]:
    """Whether the member could vote on ``as_at``, with the reason in words when not."""
    rec = state_as_at(membership, as_at)
    if rec is None:
        return False, f"You were not a member on {as_at:%-d %B %Y}, the cut-off date for this vote."
    if rec.status != Status.ACTIVE:
        return False, f"Your membership was {rec.get_status_display().lower()} on {as_at:%-d %B %Y}."
    if not rec.voting_rights:
        return False, "Your membership does not carry voting rights."
    if constituency_id is not None and rec.constituency_id != constituency_id:
        return False, "You are a member of a different constituency."
    return True, ""
