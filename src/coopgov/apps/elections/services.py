"""Domain actions for elections.  Each ``do_…`` validates against the timetable, writes in one
transaction, and records an audit event for every officer action (never for a vote: an audit row
per vote would carry the voter and a time, which is exactly the link secrecy forbids)."""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import itertools
import random
import secrets
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from coopgov.apps.audit.services import record_event
from coopgov.apps.governance.services import consecutive_terms, do_take_office, vacancies_on
from coopgov.apps.membership.eligibility import eligible_voters_as_at, is_eligible_voter, state_as_at
from coopgov.apps.membership.models import Membership
from coopgov.apps.orgs.models import Constituency, Organisation, StakeholderClass
from coopgov.counting import Profile, count
from coopgov.counting._blt import write_blt
from coopgov.counting._report import to_csv, to_dict, to_text

from . import ballot_rules, clock, notifications
from .models import Ballot, Election, ElectorateEntry, Method, Nomination, PaperBatch, VoterMark

STATEMENT_MAX_WORDS = 250
#: A paper batch whose voters are listed (and marked) must hold at least this many papers, so that
#: the listed voters' ballots cannot be picked out of it.
MIN_MARKED_BATCH = 5

TIMETABLE_FIELDS = (
    "cutoff_date",
    "notice_at",
    "nominations_open",
    "nominations_close",
    "withdrawal_deadline",
    "poll_open",
    "poll_close",
)


class Phase:
    DRAFT = "draft"
    NOTICE = "notice"
    NOMINATIONS = "nominations"
    WITHDRAWALS = "withdrawals"
    BEFORE_POLL = "before-poll"
    POLL = "poll"
    CLOSED = "closed"
    COUNTED = "counted"
    DECLARED = "declared"


PHASE_LABELS = {
    Phase.DRAFT: "Not yet announced",
    Phase.NOTICE: "Notice of election published",
    Phase.NOMINATIONS: "Nominations open",
    Phase.WITHDRAWALS: "Nominations closed; withdrawals allowed",
    Phase.BEFORE_POLL: "Candidates announced; poll not yet open",
    Phase.POLL: "Poll open",
    Phase.CLOSED: "Poll closed",
    Phase.COUNTED: "Counted",
    Phase.DECLARED: "Result declared",
}


def phase(e: Election, now: datetime.datetime | None = None) -> str:
    now = now or clock.now()
    if e.declared_on is not None:
        return Phase.DECLARED
    if e.counted:
        return Phase.COUNTED
    if e.poll_closed or now >= e.poll_close:
        return Phase.CLOSED
    if now >= e.poll_open:
        return Phase.POLL
    if now >= e.withdrawal_deadline:
        return Phase.BEFORE_POLL
    if now >= e.nominations_close:
        return Phase.WITHDRAWALS
    if now >= e.nominations_open:
        return Phase.NOMINATIONS
    if now >= e.notice_at:
        return Phase.NOTICE
    return Phase.DRAFT


def _sync(src: Election, dst: Election, fields: list[str]) -> None:
    """Copy fields saved on a locked copy back to the caller's instance."""
    for f in fields:
        setattr(dst, f, getattr(src, f))


def _audit(actor: Any, e: Election, action: str, summary: str, **kw: Any) -> None:
    record_event(actor=actor, action=f"election.{action}", organisation=e.organisation, obj=e, summary=summary, **kw)


def _when(t: datetime.datetime) -> str:
    return f"{timezone.localtime(t):%-d %B %Y at %H:%M}"


def _check_timetable(t: dict[str, Any], term_start: datetime.date | None) -> None:
    order = ["notice_at", "nominations_open", "nominations_close", "withdrawal_deadline", "poll_open", "poll_close"]
    words = {
        "notice_at": "the notice of election",
        "nominations_open": "nominations open",
        "nominations_close": "nominations close",
        "withdrawal_deadline": "the withdrawal deadline",
        "poll_open": "the poll opens",
        "poll_close": "the poll closes",
    }
    for a, b in itertools.pairwise(order):
        strict = (a, b) in {("nominations_open", "nominations_close"), ("poll_open", "poll_close")}
        if t[b] < t[a] or (strict and t[b] == t[a]):
            raise ValidationError({b: f"The time {words[b]} must be after {words[a]}."})
    if t["cutoff_date"] > timezone.localtime(t["poll_open"]).date():
        raise ValidationError(
            {"cutoff_date": "The electorate cut-off date must be on or before the day the poll opens."}
        )
    if term_start is not None and term_start < timezone.localtime(t["poll_close"]).date():
        raise ValidationError({"term_start": "The term must start on or after the day the poll closes."})


@transaction.atomic
def do_create_election(
    *,
    actor: Any,
    organisation: Organisation,
    title: str,
    stakeholder_class: StakeholderClass,
    seats: int,
    method: str,
    term_start: datetime.date,
    constituency: Constituency | None = None,
    body: Any = None,
    seat_rule: Any = None,
    is_by_election: bool = False,
    term_end: datetime.date | None = None,
    **timetable: Any,
) -> Election:
    if stakeholder_class.organisation_id != organisation.pk:
        raise ValidationError({"stakeholder_class": "That class belongs to another organisation."})
    if constituency is not None and constituency.stakeholder_class_id != stakeholder_class.pk:
        raise ValidationError({"constituency": f"{constituency.name} is not part of {stakeholder_class.name}."})
    if seat_rule is not None:
        body = seat_rule.body
    if body is not None and body.organisation_id != organisation.pk:
        raise ValidationError({"body": "That governing body belongs to another organisation."})
    if seats < 1:
        raise ValidationError({"seats": "An election fills at least one seat."})
    if body is not None and body.counting_method and method != body.counting_method:
        named = dict(Method.choices).get(body.counting_method, body.counting_method)
        raise ValidationError({"method": f"The rules of {body.name} name {named} for its elections."})
    if seat_rule is not None:
        free = vacancies_on(seat_rule, term_start)
        if seats > free:
            raise ValidationError(
                {"seats": f"Only {free} seat(s) of {seat_rule.name} will be vacant on {term_start:%-d %B %Y}."}
            )
    missing = [f for f in TIMETABLE_FIELDS if timetable.get(f) is None]
    if missing:
        raise ValidationError({missing[0]: "Enter every date of the timetable."})
    _check_timetable(timetable, term_start)
    e = Election(
        organisation=organisation,
        title=title,
        stakeholder_class=stakeholder_class,
        constituency=constituency,
        seats=seats,
        method=method,
        body=body,
        seat_rule=seat_rule,
        is_by_election=is_by_election,
        term_start=term_start,
        term_end=term_end,
        seed=secrets.randbelow(2**31),
        **{f: timetable[f] for f in TIMETABLE_FIELDS},
    )
    e.full_clean()
    e.save()
    _audit(
        actor,
        e,
        "create",
        f"Created {'by-election' if is_by_election else 'election'} {title} "
        f"({seats} seat(s), {e.get_method_display()})",
        after={f: timetable[f] for f in TIMETABLE_FIELDS},
    )
    return e


def _refuse_after_poll_opened(actor: Any, e: Election, what: str) -> None:
    """After the poll opens the timetable and electorate are fixed; the attempt is logged (outside
    any transaction that would roll the log entry back) and refused."""
    if clock.now() >= e.poll_open or e.poll_closed:
        _audit(actor, e, f"{what}.refused", f"Refused a change to the {what} after the poll opened")
        raise ValidationError(f"The {what} cannot be changed after the poll has opened.")


def do_change_timetable(*, actor: Any, election: Election, **changes: Any) -> Election:
    _refuse_after_poll_opened(actor, election, "timetable")
    return _change_timetable(actor=actor, election=election, **changes)


@transaction.atomic
def _change_timetable(*, actor: Any, election: Election, **changes: Any) -> Election:
    e = Election.objects.select_for_update().get(pk=election.pk)
    if clock.now() >= e.poll_open or e.poll_closed:
        raise ValidationError("The timetable cannot be changed after the poll has opened.")
    before = {f: getattr(e, f) for f in TIMETABLE_FIELDS}
    t = dict(before)
    t.update({k: v for k, v in changes.items() if k in TIMETABLE_FIELDS})
    _check_timetable(t, e.term_start)
    if t["cutoff_date"] != before["cutoff_date"] and e.electorate_frozen:
        e.electorate_frozen = False  # the snapshot no longer matches the cut-off: take it again
        ElectorateEntry.objects.filter(election=e).delete()
        e.electorate_count, e.electorate_hash = None, ""
    for k, v in t.items():
        setattr(e, k, v)
    e.save()
    changed = {k: v for k, v in t.items() if before[k] != v}
    _audit(
        actor,
        e,
        "timetable.change",
        f"Changed the timetable: {', '.join(changed) or 'no change'}",
        before={k: before[k] for k in changed},
        after=changed,
    )
    return e


def candidates(e: Election) -> list[Nomination]:
    """Valid nominations in ballot-paper order (alphabetical by name)."""
    noms = Nomination.objects.filter(election=e, consented=True, withdrawn=False).select_related("membership__person")
    return sorted(noms, key=lambda n: (n.membership.person.full_name.casefold(), n.pk))


_CANDIDATE_IDS: dict[Any, frozenset[int]] = {}


def candidate_ids(e: Election) -> frozenset[int]:
    """Ids of the valid nominations.  Once the withdrawal deadline has passed they cannot change,
    so they are cached per process from then on (the voting path asks on every ballot)."""
    cached = _CANDIDATE_IDS.get(e.pk)
    if cached is not None:
        return cached
    ids = frozenset(Nomination.objects.filter(election=e, consented=True, withdrawn=False).values_list("pk", flat=True))
    if clock.now() >= e.withdrawal_deadline:
        _CANDIDATE_IDS[e.pk] = ids
    return ids


def _word_count(text: str) -> int:
    return len(text.split())


def _check_statement(statement: str) -> None:
    words = _word_count(statement)
    if words > STATEMENT_MAX_WORDS:
        raise ValidationError(
            {"statement": f"The statement must be {STATEMENT_MAX_WORDS} words or fewer; it has {words} words."}
        )


def _can_stand(e: Election, membership: Membership) -> None:
    if membership.organisation_id != e.organisation_id:
        raise ValidationError("Only members of the organisation can stand.")
    today = timezone.localdate()
    ok, reason = is_eligible_voter(membership, today, constituency_id=e.constituency_id)
    if not ok:
        raise ValidationError(f"{membership.person.full_name} cannot stand: {reason}")
    seat = e.seat_rule
    if seat is not None and seat.max_consecutive_terms is not None:
        served = consecutive_terms(seat, membership.person, e.term_start)
        if served >= seat.max_consecutive_terms:
            raise ValidationError(
                f"{membership.person.full_name} cannot stand: they will have served {served} consecutive term(s) "
                f"on {seat.name}, the most the rules allow."
            )
    rec = state_as_at(membership, today)
    if rec is None or rec.stakeholder_class_id != e.stakeholder_class_id:
        raise ValidationError(
            f"{membership.person.full_name} cannot stand: candidates must be members of {e.stakeholder_class.name}."
        )


@transaction.atomic
def do_nominate(
    *,
    actor: Any,
    election: Election,
    nominee: Membership,
    nominator: Membership,
    statement: str = "",
    interests: str = "",
) -> Nomination:
    """A member nominates a member (possibly themself).  Self-nomination is consent."""
    e = election
    if phase(e) != Phase.NOMINATIONS:
        raise ValidationError(
            f"Nominations are open from {_when(e.nominations_open)} until {_when(e.nominations_close)}."
        )
    if nominator.organisation_id != e.organisation_id or nominator.status != "active":
        raise ValidationError("Only active members can make nominations.")
    _can_stand(e, nominee)
    if Nomination.objects.filter(election=e, membership=nominee).exists():
        raise ValidationError(f"{nominee.person.full_name} has already been nominated.")
    own = nominee.pk == nominator.pk
    if own:
        _check_statement(statement)
    n = Nomination.objects.create(
        election=e,
        membership=nominee,
        nominated_by=nominator,
        statement=statement if own else "",
        interests=interests if own else "",
        consented=own,
    )
    _audit(actor, e, "nomination.received", f"Nomination received for {nominee.person.full_name}")
    notifications.nomination_received(n)
    return n


@transaction.atomic
def do_consent(*, nomination: Nomination, statement: str, interests: str) -> Nomination:
    e = nomination.election
    if phase(e) != Phase.NOMINATIONS:
        raise ValidationError(f"Consent to nomination must be given by {_when(e.nominations_close)}.")
    _check_statement(statement)
    nomination.statement = statement
    nomination.interests = interests
    nomination.consented = True
    nomination.save(update_fields=["statement", "interests", "consented"])
    _audit(None, e, "nomination.consent", f"{nomination.membership.person.full_name} consented to nomination")
    return nomination


@transaction.atomic
def do_withdraw(*, nomination: Nomination) -> Nomination:
    e = nomination.election
    if clock.now() >= e.withdrawal_deadline:
        raise ValidationError(f"Candidates can withdraw until {_when(e.withdrawal_deadline)}.")
    nomination.withdrawn = True
    nomination.save(update_fields=["withdrawn"])
    _audit(None, e, "nomination.withdraw", f"{nomination.membership.person.full_name} withdrew")
    return nomination


# --- electorate -------------------------------------------------------------------------------


def fingerprint(election_id: Any, membership_ids: Sequence[int]) -> str:
    """SHA-256 over the election id and the sorted membership ids, one per line (published)."""
    h = hashlib.sha256(f"coopgov-electorate-v1\n{election_id}\n".encode())
    for mid in sorted(membership_ids):
        h.update(f"{mid}\n".encode())
    return h.hexdigest()


def do_freeze_electorate(*, actor: Any, election: Election) -> Election:
    """Freeze the voting members as at the cut-off date; publish count and hash."""
    _refuse_after_poll_opened(actor, election, "electorate")
    return _freeze_electorate(actor=actor, election=election)


@transaction.atomic
def _freeze_electorate(*, actor: Any, election: Election) -> Election:
    e = Election.objects.select_for_update().get(pk=election.pk)
    if clock.now() >= e.poll_open or e.poll_closed:
        raise ValidationError("The electorate cannot be changed after the poll has opened.")
    if timezone.localdate() < e.cutoff_date:
        raise ValidationError(f"The electorate can be frozen from the cut-off date, {e.cutoff_date:%-d %B %Y}.")
    rows = list(
        eligible_voters_as_at(
            e.organisation_id,
            e.cutoff_date,
            stakeholder_class_id=e.stakeholder_class_id,
            constituency_id=e.constituency_id,
        ).values_list("pk", "as_at_constituency")  # type: ignore[misc]  # an annotation
    )
    ElectorateEntry.objects.filter(election=e).delete()
    ElectorateEntry.objects.bulk_create(
        [ElectorateEntry(election=e, membership_id=mid, constituency_id=cid) for mid, cid in rows], batch_size=2000
    )
    e.electorate_count = len(rows)
    e.electorate_hash = fingerprint(e.pk, [mid for mid, _ in rows])
    e.electorate_frozen = True
    e.save(update_fields=["electorate_count", "electorate_hash", "electorate_frozen"])
    _sync(e, election, ["electorate_count", "electorate_hash", "electorate_frozen"])
    _audit(
        actor,
        e,
        "electorate.freeze",
        f"Froze the electorate as at {e.cutoff_date:%Y-%m-%d}: {len(rows)} voters, SHA-256 {e.electorate_hash}",
        after={"count": len(rows), "sha256": e.electorate_hash},
    )
    return e


def refusal_reason(e: Election, membership: Membership | None) -> str:
    """Why this person may not vote in ``e`` ('' if they may)."""
    org = e.organisation
    if membership is None or membership.organisation_id != e.organisation_id:
        return f"You are not a member of {org.name}, so you cannot vote in this election."
    if ElectorateEntry.objects.filter(election=e, membership=membership).exists():
        return ""
    ok, reason = is_eligible_voter(membership, e.cutoff_date, constituency_id=e.constituency_id)
    if not ok:
        if "different constituency" in reason and e.constituency is not None:
            return (
                f"This election is for members in {e.constituency.name}; you are a member of a different constituency."
            )
        return reason
    rec = state_as_at(membership, e.cutoff_date)
    if rec is not None and rec.stakeholder_class_id != e.stakeholder_class_id:
        return f"This election is for {e.stakeholder_class.name}; your membership is in another class."
    return "You are not on the register of voters for this election."


# --- voting -----------------------------------------------------------------------------------

_RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_receipt() -> str:
    raw = "".join(secrets.choice(_RECEIPT_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_receipt(code: str) -> str:
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:12]}" if len(raw) == 12 else code.strip().upper()


def vote_token(election: Election, entry_id: int, membership_id: int) -> str:
    """The secret in a one-time voting link (HMAC of the electorate entry; nothing stored)."""
    sig = salted_hmac("coopgov.elections.vote-link", f"{election.pk}:{entry_id}:{membership_id}").hexdigest()[:32]
    return f"{entry_id}-{sig}"


def membership_for_token(election: Election, token: str) -> int | None:
    head, _, sig = token.partition("-")
    if not head.isdigit() or not sig:
        return None
    row = (
        ElectorateEntry.objects.filter(election=election, pk=int(head)).values_list("membership_id", flat=True).first()
    )
    if row is None:
        return None
    expected = vote_token(election, int(head), row)
    return row if constant_time_compare(expected, token) else None


def _poll_open_or_refuse(e: Election) -> None:
    now = clock.now()
    if now < e.poll_open:
        raise ValidationError(f"The poll opens on {_when(e.poll_open)}.")
    if e.poll_closed or now >= e.poll_close:
        raise ValidationError(f"The poll closed on {_when(e.poll_close)}.")
    if not e.electorate_frozen:
        raise ValidationError("Voting has not started: the returning officer has not yet frozen the electorate.")


class AlreadyVoted(ValidationError):
    pass


_POLLING: dict[Any, Election] = {}


def election_for_voting(election_id: Any) -> Election | None:
    """The election, cached per process while its poll is open.

    Safe by construction: once the poll opens the timetable and the electorate cannot change
    (:func:`do_change_timetable`, :func:`do_freeze_electorate` refuse), and the poll can only be
    closed after ``poll_close``, which every vote is checked against.
    """
    e = _POLLING.get(election_id)
    if e is not None:
        return e
    e = Election.objects.filter(pk=election_id).first()
    if e is not None and e.electorate_frozen and e.poll_open <= clock.now() < e.poll_close and not e.poll_closed:
        _POLLING[election_id] = e
    return e


def entry_for_token(election: Election, token: str) -> int | None:
    """The membership id a voting-link token opens (one small query), or None."""
    head, _, sig = token.partition("-")
    if not head.isdigit() or not sig or len(head) > 18:
        return None
    # The hot path of every vote: plain SQL, skipping the ORM's query compilation.
    with connection.cursor() as cur:
        election_id = Election._meta.pk.get_db_prep_value(election.pk, connection)
        cur.execute(_ENTRY_SQL.format(table=ElectorateEntry._meta.db_table), [int(head), election_id])
        rows = [r[0] for r in cur.fetchall()]
    if not rows:
        return None
    expected = vote_token(election, int(head), rows[0])
    return rows[0] if constant_time_compare(expected, token) else None


def do_cast_vote(*, election: Election, membership_id: int, preferences: Sequence[int], on_roll: bool = False) -> str:
    """Store one ballot and mark the member as having voted, in one transaction; return the receipt.

    The unique constraint on VoterMark(election, membership) makes the database refuse a second
    vote even when two requests race: the later insert waits for the first to commit and then
    fails, rolling back its ballot with it.  ``on_roll=True`` when the caller has just found the
    member in the frozen electorate (a voting-link token is an electorate entry), saving a query.
    """
    e = election
    _poll_open_or_refuse(e)
    receipt = new_receipt()
    prefs = " ".join(str(p) for p in preferences)
    try:
        if not on_roll and not ElectorateEntry.objects.filter(election=e, membership_id=membership_id).exists():
            m = Membership.objects.filter(pk=membership_id).select_related("organisation").first()
            raise ValidationError(refusal_reason(e, m))
        if connection.vendor == "postgresql":
            _store_vote_one_statement(e.pk, membership_id, prefs, receipt)
        else:
            with transaction.atomic():
                VoterMark.objects.create(election=e, membership_id=membership_id)
                Ballot.objects.create(election=e, preferences=prefs, receipt=receipt)
    except IntegrityError:
        raise AlreadyVoted("You have already voted in this election. Each member has one vote.") from None
    return receipt


_ENTRY_SQL = "SELECT membership_id FROM {table} WHERE id = %s AND election_id = %s"
_VOTE_SQL = (
    "WITH mark AS (INSERT INTO {mark} (id, election_id, membership_id) VALUES (%s, %s, %s) RETURNING id) "
    "INSERT INTO {ballot} (id, election_id, preferences, receipt, batch_id) SELECT %s, %s, %s, %s, NULL FROM mark"
)


def _store_vote_one_statement(election_id: Any, membership_id: int, prefs: str, receipt: str) -> None:
    """PostgreSQL: the mark and the ballot in ONE statement (one round trip).  A statement is
    atomic: if the mark violates one_vote_per_member, the ballot insert does not happen either."""
    sql = _VOTE_SQL.format(mark=VoterMark._meta.db_table, ballot=Ballot._meta.db_table)
    params = [uuid.uuid4(), election_id, membership_id, uuid.uuid4(), election_id, prefs, receipt]
    # Inside an outer transaction, a savepoint keeps a refused vote from poisoning it.
    with transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext(), connection.cursor() as cur:
        cur.execute(sql, params)


def check_marks(e: Election, cands: list[Nomination], data: dict[str, Any]) -> list[int]:
    """The voter's marks from a form as nomination ids in preference order (BallotError if invalid)."""
    names = {n.pk: n.membership.person.full_name for n in cands}
    if e.ranked:
        marks = {n.pk: str(data.get(f"rank-{n.pk}", "") or "") for n in cands}
        return ballot_rules.check_ranked(marks, names)
    chosen = [int(v) for v in data.get("choice", []) if str(v).isdigit() and int(v) in names]
    return ballot_rules.check_plurality(chosen, e.seats)


def has_voted(e: Election, membership_id: int) -> bool:
    return VoterMark.objects.filter(election=e, membership_id=membership_id).exists()


# --- paper ballots, close, count, declare ------------------------------------------------------


@transaction.atomic
def do_add_paper_batch(
    *, actor: Any, election: Election, label: str, declared_count: int, text: str, returned_by: str = ""
) -> PaperBatch:
    """Enter a batch of paper ballots.  The lines must add up to the batch's subtotal.  If the
    officer lists the member numbers of those who returned papers (separated from the papers, as
    postal voting statements are), each is marked as having voted in the same transaction, and a
    member who has already voted is refused."""
    e = Election.objects.select_for_update().get(pk=election.pk)
    if clock.now() < e.poll_open:
        raise ValidationError("Paper ballots can be entered once the poll has opened.")
    if e.counted:
        raise ValidationError("The votes have been counted: no more ballots can be added.")
    cands = candidates(e)
    try:
        lines = ballot_rules.parse_paper_batch(text, len(cands), ranked=e.ranked, seats=e.seats)
    except ballot_rules.BallotError as exc:
        raise ValidationError({"ballots": str(exc)}) from None
    total = sum(pl.count for pl in lines)
    if total != declared_count:
        raise ValidationError(
            {"ballots": f"The lines hold {total} ballot(s) but the batch subtotal is {declared_count}."}
        )
    numbers = [x for x in (s.strip() for s in returned_by.replace(",", "\n").splitlines()) if x]
    if numbers and declared_count < MIN_MARKED_BATCH:
        raise ValidationError(
            {
                "returned_by": f"List voters only for batches of at least {MIN_MARKED_BATCH} papers: in a smaller "
                "batch the listed voters' ballots could be told apart."
            }
        )
    if numbers:
        if len(numbers) != declared_count:
            raise ValidationError(
                {"returned_by": f"{len(numbers)} member number(s) listed but the batch subtotal is {declared_count}."}
            )
        members = dict(
            Membership.objects.filter(organisation=e.organisation, member_number__in=numbers).values_list(
                "member_number", "pk"
            )
        )
        in_roll = set(
            ElectorateEntry.objects.filter(election=e, membership_id__in=members.values()).values_list(
                "membership_id", flat=True
            )
        )
        for i, num in enumerate(numbers, start=1):
            if num not in members or members[num] not in in_roll:
                raise ValidationError({"returned_by": f"Line {i}: member {num} is not on the register of voters."})
        try:
            with transaction.atomic():
                VoterMark.objects.bulk_create([VoterMark(election=e, membership_id=members[n]) for n in numbers])
        except IntegrityError:
            voted = set(
                VoterMark.objects.filter(election=e, membership_id__in=members.values()).values_list(
                    "membership_id", flat=True
                )
            )
            dup = next(n for n in numbers if members[n] in voted)
            raise ValidationError({"returned_by": f"Member {dup} has already voted."}) from None
    batch = PaperBatch.objects.create(
        election=e, label=label, declared_count=declared_count, entered_by=actor if actor else None
    )
    ids = [c.pk for c in cands]
    ballots: list[Ballot] = []
    for pl in lines:
        prefs = " ".join(str(ids[i]) for i in pl.sequence)
        ballots.extend(Ballot(election=e, preferences=prefs, batch=batch) for _ in range(pl.count))
    random.SystemRandom().shuffle(ballots)
    Ballot.objects.bulk_create(ballots, batch_size=2000)
    invalid = sum(pl.count for pl in lines if not pl.sequence)
    _audit(
        actor,
        e,
        "paper.batch",
        f"Entered paper batch '{label}': {declared_count} ballot(s) ({invalid} without a usable first preference)",
        after={"label": label, "subtotal": declared_count, "invalid": invalid, "marked_voters": len(numbers)},
    )
    return batch


@transaction.atomic
def do_close_poll(*, actor: Any, election: Election) -> Election:
    e = Election.objects.select_for_update().get(pk=election.pk)
    if clock.now() < e.poll_close:
        raise ValidationError(f"The poll closes on {_when(e.poll_close)}; it cannot be closed before then.")
    if not e.poll_closed:
        e.poll_closed = True
        e.save(update_fields=["poll_closed"])
        _sync(e, election, ["poll_closed"])
        _shuffle_storage_order()
        _audit(actor, e, "poll.close", f"Closed the poll: {e.ballots.count()} ballot(s) received")
    return e


def _shuffle_storage_order() -> None:
    """Rewrite the ballots and voter marks in random (UUID) order on PostgreSQL.

    Rows are stored in the order they were inserted, so someone reading the raw table files could
    line the n-th voter mark up with the n-th ballot.  Clustering both tables on their random
    primary keys when a poll closes destroys that order.  (SQLite test databases are left alone.)
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        # Check deferred foreign keys now: CLUSTER refuses a table with pending trigger events.
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for model in (Ballot, VoterMark):
            table = connection.ops.quote_name(model._meta.db_table)
            index = connection.ops.quote_name(f"{model._meta.db_table}_pkey")
            cur.execute(f"CLUSTER {table} USING {index}")


def build_profile(e: Election) -> Profile:
    cands = candidates(e)
    index = {c.pk: i for i, c in enumerate(cands)}
    names = _unique_names(cands)
    rows = Ballot.objects.filter(election=e).values("preferences").annotate(n=Count("id")).order_by("preferences")
    rankings: list[list[int]] = []
    weights: list[int] = []
    for r in rows:
        seq = [index[int(x)] for x in r["preferences"].split() if int(x) in index]
        rankings.append(seq)
        weights.append(r["n"])
    return Profile.from_ballots(names, e.seats, rankings, weights, title=e.title)


def _unique_names(cands: list[Nomination]) -> list[str]:
    names = [c.membership.person.full_name for c in cands]
    counts = Counter(names)
    return [
        f"{n} ({c.membership.member_number or c.membership_id})" if counts[n] > 1 else n
        for n, c in zip(names, cands, strict=True)
    ]


@transaction.atomic
def do_count(*, actor: Any, election: Election) -> Election:
    e = Election.objects.select_for_update().get(pk=election.pk)
    if not e.poll_closed:
        raise ValidationError("Close the poll before counting.")
    if e.counted:
        raise ValidationError("The votes have already been counted.")
    profile = build_profile(e)
    result = count(profile, e.method, seed=e.seed)
    e.result = to_dict(result)
    e.result_text = to_text(result)
    e.result_csv = to_csv(result)
    e.blt = write_blt(profile)
    e.counted = True
    e.save(update_fields=["result", "result_text", "result_csv", "blt", "counted"])
    _sync(e, election, ["result", "result_text", "result_csv", "blt", "counted"])
    _audit(
        actor,
        e,
        "count",
        f"Counted {profile.valid_poll} valid ballot(s) by {e.method} (seed {e.seed}); elected: "
        + ", ".join(result.elected_names),
        after={"elected": list(result.elected_names), "valid_poll": profile.valid_poll, "invalid": profile.invalid},
    )
    return e


def winners(e: Election) -> list[Nomination]:
    if not e.result:
        return []
    cands = candidates(e)
    names = _unique_names(cands)
    by_name = dict(zip(names, cands, strict=True))
    return [by_name[n] for n in e.result["elected"]]


def _seat_holders(actor: Any, e: Election, elected: list[Nomination]) -> None:
    if e.seat_rule is None:
        return
    how = "elected at a by-election" if e.is_by_election else "elected"
    for n in elected:
        do_take_office(
            actor=actor,
            seat=e.seat_rule,
            person=n.membership.person,
            start_date=e.term_start,
            end_date=e.term_end,
            how=how,
            source=e.title,
        )


@transaction.atomic
def do_declare(*, actor: Any, election: Election) -> Election:
    e = Election.objects.select_for_update().get(pk=election.pk)
    if not e.counted:
        raise ValidationError("Count the votes before declaring the result.")
    if e.declared_on is not None:
        raise ValidationError("The result has already been declared.")
    elected = winners(e)
    _seat_holders(actor, e, elected)
    e.declared_on = timezone.localdate()
    e.save(update_fields=["declared_on"])
    _audit(actor, e, "declare", "Declared elected: " + ", ".join(n.membership.person.full_name for n in elected))
    notifications.result(e, elected)
    return e


@transaction.atomic
def do_declare_uncontested(*, actor: Any, election: Election) -> Election:
    """With no more valid candidates than seats after the withdrawal deadline, declare them
    elected without a poll."""
    e = Election.objects.select_for_update().get(pk=election.pk)
    if clock.now() < e.withdrawal_deadline:
        raise ValidationError(
            f"An uncontested result can be declared after the withdrawal deadline, {_when(e.withdrawal_deadline)}."
        )
    if e.declared_on is not None:
        raise ValidationError("The result has already been declared.")
    cands = candidates(e)
    if not cands:
        raise ValidationError("No valid candidates: the seats stay vacant (a by-election can fill them).")
    if len(cands) > e.seats:
        raise ValidationError(f"{len(cands)} candidates for {e.seats} seat(s): the election is contested.")
    names = _unique_names(cands)
    e.uncontested = True
    e.counted = True
    e.poll_closed = True
    e.result = {
        "method": "uncontested",
        "elected": names,
        "candidates": names,
        "stages": [],
        "seats": e.seats,
        "valid_poll": 0,
        "invalid": 0,
        "quota": "",
        "ties": [],
        "notes": ["Uncontested: no poll held."],
    }
    e.declared_on = timezone.localdate()
    e.save()
    _seat_holders(actor, e, cands)
    _audit(actor, e, "declare.uncontested", "Declared elected unopposed: " + ", ".join(names))
    notifications.result(e, cands)
    return e


# --- reporting --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TurnoutRow:
    name: str
    electorate: int
    voted: int

    @property
    def percent(self) -> str:
        return f"{100 * self.voted / self.electorate:.1f}" if self.electorate else "—"


def turnout(e: Election) -> list[TurnoutRow]:
    """Voters marked (online and listed postal voters) against the electorate, per constituency."""
    marked = set(VoterMark.objects.filter(election=e).values_list("membership_id", flat=True))
    names = dict(Constituency.objects.filter(stakeholder_class=e.stakeholder_class).values_list("pk", "name"))
    per: dict[str, list[int]] = {}
    for mid, cid in ElectorateEntry.objects.filter(election=e).values_list("membership_id", "constituency_id"):
        row = per.setdefault(names.get(cid, e.stakeholder_class.name) if cid else e.stakeholder_class.name, [0, 0])
        row[0] += 1
        row[1] += mid in marked
    return [TurnoutRow(k, v[0], v[1]) for k, v in sorted(per.items())]


def poll_site_url() -> str:
    return str(getattr(settings, "SITE_URL", "")).rstrip("/")
