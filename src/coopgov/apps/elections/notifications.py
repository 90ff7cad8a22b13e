"""Emails at each step of an election, through Django's email backend (console in development,
locmem in tests).  Bulk mailings go through one connection; large ones run as a background job."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import get_connection, send_mail, send_mass_mail
from django.urls import reverse
from django.utils import timezone

if TYPE_CHECKING:
    from .models import Election, Nomination


def _site() -> str:
    return str(getattr(settings, "SITE_URL", "")).rstrip("/")


def _url(name: str, *args: Any) -> str:
    return _site() + reverse(name, args=args)


def _when(t: Any) -> str:
    return f"{timezone.localtime(t):%-d %B %Y at %H:%M}"


def _mass(messages: Iterable[tuple[str, str, str, list[str]]]) -> int:
    msgs = [m for m in messages if m[3] and m[3][0]]
    if not msgs:
        return 0
    return send_mass_mail(msgs, fail_silently=False, connection=get_connection())


def _members(e: Election) -> list[tuple[str, str]]:
    """(name, email) of today's eligible members of the election's class or constituency."""
    from coopgov.apps.membership.eligibility import eligible_voters_as_at

    qs = eligible_voters_as_at(
        e.organisation_id,
        timezone.localdate(),
        stakeholder_class_id=e.stakeholder_class_id,
        constituency_id=e.constituency_id,
    ).values_list("person__full_name", "person__email")
    return [(n, m) for n, m in qs if m]


def notice(e: Election) -> int:
    subject = f"Notice of election: {e.title}"
    body = (
        f"{e.organisation.name} is holding an election: {e.title} ({e.seats} seat(s)).\n\n"
        f"Nominations open {_when(e.nominations_open)} and close {_when(e.nominations_close)}.\n"
        f"The poll opens {_when(e.poll_open)} and closes {_when(e.poll_close)}.\n"
        f"Members eligible on {e.cutoff_date:%-d %B %Y} can vote.\n\n"
        f"Details and nominations: {_url('elections:detail', e.pk)}\n"
    )
    return _mass((subject, body, settings.DEFAULT_FROM_EMAIL, [m]) for _, m in _members(e))


def nomination_received(n: Nomination) -> None:
    e = n.election
    person = n.membership.person
    if not person.email:
        return
    if n.consented:
        body = (
            f"Your nomination for {e.title} has been received. You can withdraw until {_when(e.withdrawal_deadline)}."
        )
    else:
        body = (
            f"You have been nominated as a candidate in {e.title}.\n\n"
            f"To stand you must consent, with a statement of up to 250 words and a declaration of interests, "
            f"by {_when(e.nominations_close)}: {_url('elections:consent', e.pk, n.pk)}\n"
        )
    send_mail(f"Nomination received: {e.title}", body, settings.DEFAULT_FROM_EMAIL, [person.email])


def poll_cards(e: Election) -> int:
    """Poll open: each voter in the frozen electorate gets how to vote and a one-time voting link."""
    from .models import ElectorateEntry
    from .services import vote_token

    rows = ElectorateEntry.objects.filter(election=e).values_list(
        "pk", "membership_id", "membership__person__full_name", "membership__person__email"
    )
    subject = f"Your vote: {e.title}"

    def msg(pk: int, mid: int, name: str, email: str) -> tuple[str, str, str, list[str]]:
        link = _url("elections:vote-link", e.pk, vote_token(e, pk, mid))
        how = (
            "Number the candidates in order of preference: 1 for your first choice, 2 for your second, and so on."
            if e.ranked
            else f"Choose up to {e.seats} candidate(s)."
        )
        body = (
            f"Dear {name},\n\nThe poll for {e.title} is open until {_when(e.poll_close)}.\n\n{how}\n\n"
            f"Vote with your personal link (do not share it): {link}\n"
            f"or sign in and go to {_url('elections:detail', e.pk)}\n\n"
            "After voting you will get a receipt code; with it you can find your ballot in the published "
            "list of ballots after the poll closes. Nobody can see how you voted.\n"
        )
        return (subject, body, settings.DEFAULT_FROM_EMAIL, [email])

    return _mass(msg(*r) for r in rows if r[3])


def reminder(e: Election) -> int:
    from .models import ElectorateEntry, VoterMark

    voted = VoterMark.objects.filter(election=e).values("membership_id")
    rows = (
        ElectorateEntry.objects.filter(election=e)
        .exclude(membership_id__in=voted)
        .values_list("membership__person__email", flat=True)
    )
    body = (
        f"Reminder: the poll for {e.title} closes {_when(e.poll_close)}. "
        f"Vote at {_url('elections:detail', e.pk)} or with the link in your poll card.\n"
    )
    return _mass((f"Reminder: vote in {e.title}", body, settings.DEFAULT_FROM_EMAIL, [m]) for m in rows if m)


def result(e: Election, elected: list[Nomination]) -> int:
    names = ", ".join(n.membership.person.full_name for n in elected)
    body = f"Result of {e.title}: elected {names}.\n\nFull result: {_url('elections:result', e.pk)}\n"
    return _mass((f"Result: {e.title}", body, settings.DEFAULT_FROM_EMAIL, [m]) for _, m in _members(e))
