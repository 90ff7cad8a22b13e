"""Domain actions for participatory budgeting: each validates, writes in a transaction and audits.

Errors a person can make (a wrong code, a ballot over the budget, an action in the wrong phase) raise
:class:`PBError` with a one-line message and the form field it concerns; views show it beside that
field.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import hmac
import io
import logging
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from coopgov.apps.audit.services import model_snapshot, record_event
from coopgov.apps.membership.eligibility import is_eligible_voter
from coopgov.apps.membership.models import Membership
from coopgov.apps.orgs.models import Organisation, StakeholderClass

from . import tally
from .models import (
    PHASE_ORDER,
    Area,
    Ballot,
    BallotType,
    Comment,
    DeliveryStatus,
    Idea,
    IdeaStatus,
    Milestone,
    Phase,
    Process,
    Result,
    RingFence,
    Rule,
    Support,
    VotingCode,
)

logger = logging.getLogger(__name__)

COMPLETIONS = ("add1", "utilitarian", "")

PROCESS_AUDIT_FIELDS = [
    "title",
    "pot",
    "currency",
    "funding_source",
    "ring_fence",
    "phase",
    "ballot_type",
    "min_choices",
    "max_choices",
    "total_points",
    "limit_to_budget",
    "rule",
    "completion",
    "minimum_age",
    "code_postcode_districts",
]


class PBError(Exception):
    """A user mistake: one line, and the field (form field name) it is about, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def money(amount: int, currency: str = "GBP") -> str:
    symbol = {"GBP": "£", "EUR": "€", "USD": "$"}.get(currency, "")
    text = f"{amount:,}"
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def _audit(actor: Any, action: str, process: Process, summary: str, **kw: Any) -> None:
    record_event(actor=actor, action=action, summary=summary, organisation=process.organisation, obj=process, **kw)


# ------------------------------------------------------------------------------------ processes


@transaction.atomic
def do_create_process(
    *,
    actor: Any,
    organisation: Organisation,
    title: str,
    pot: int,
    areas: Sequence[tuple[str, int]] = (),
    ring_fence: str = RingFence.NONE,
    voter_classes: Iterable[StakeholderClass] = (),
    proposer_classes: Iterable[StakeholderClass] = (),
    **fields: Any,
) -> Process:
    """Create a process in the draft phase.  ``areas`` are (name, budget) pairs when ring-fenced."""
    if pot <= 0:
        raise PBError("The pot must be more than zero", "pot")
    if ring_fence != RingFence.NONE:
        if not areas:
            raise PBError("Give at least one ring-fenced district or category with its budget", "areas")
        total = sum(b for _, b in areas)
        if total > pot:
            raise PBError(
                f"The ring-fenced budgets add up to {money(total)}, more than the pot of {money(pot)}", "areas"
            )
        names = [n.strip().lower() for n, _ in areas]
        if len(set(names)) != len(names):
            raise PBError("Two ring-fenced areas have the same name", "areas")
    elif areas:
        raise PBError("Choose how the pot is ring-fenced (by district or category) to add areas", "ring_fence")
    bt = fields.get("ballot_type", BallotType.APPROVAL)
    if bt not in BallotType.values:
        raise PBError("Unknown ballot type", "ballot_type")
    if bt == BallotType.POINTS and not fields.get("total_points"):
        raise PBError("Say how many points each voter shares out", "total_points")
    lo, hi = fields.get("min_choices", 1), fields.get("max_choices")
    if hi is not None and lo is not None and hi < lo:
        raise PBError("The most projects a voter may choose is less than the fewest they must choose", "max_choices")
    if fields.get("rule", Rule.MES) not in Rule.values:
        raise PBError("Unknown rule", "rule")
    if fields.get("completion", "add1") not in COMPLETIONS:
        raise PBError("Unknown completion", "completion")
    process = Process(organisation=organisation, title=title, pot=pot, ring_fence=ring_fence, **fields)
    base = slugify(title)[:190] or "budget"
    slug, n = base, 1
    while Process.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    process.slug = slug
    process.save()
    for pos, (name, budget) in enumerate(areas):
        Area.objects.create(
            process=process,
            name=name.strip(),
            slug=slugify(name)[:120] or f"area-{pos + 1}",
            budget=budget,
            position=pos,
        )
    process.voter_classes.set(list(voter_classes))
    process.proposer_classes.set(list(proposer_classes))
    _audit(
        actor,
        "budget.create",
        process,
        f"Created participatory budget {title} ({money(pot, process.currency)})",
        after={**model_snapshot(process, PROCESS_AUDIT_FIELDS), "areas": list(areas)},
    )
    return process


@transaction.atomic
def do_set_rule(*, actor: Any, process: Process, rule: str, completion: str) -> Process:
    """Change the counting rule.  Refused once voting has opened: the rule must be known before
    anyone votes."""
    process = Process.objects.select_for_update().get(pk=process.pk)
    if process.rule_fixed_at is not None:
        raise PBError("The rule cannot be changed after voting has opened", "rule")
    if rule not in Rule.values:
        raise PBError(f"Unknown rule {rule!r}", "rule")
    if completion not in COMPLETIONS:
        raise PBError(f"Unknown completion {completion!r}", "completion")
    before = model_snapshot(process, ["rule", "completion"])
    process.rule, process.completion = rule, completion
    process.save(update_fields=["rule", "completion"])
    _audit(
        actor,
        "budget.rule",
        process,
        f"Set the rule to {process.get_rule_display()}",
        before=before,
        after=model_snapshot(process, ["rule", "completion"]),
    )
    return process


def next_phase(process: Process) -> str | None:
    i = PHASE_ORDER.index(process.phase)
    return PHASE_ORDER[i + 1] if i + 1 < len(PHASE_ORDER) else None


@transaction.atomic
def do_advance_phase(*, actor: Any, process: Process) -> Process:
    """Move the process to its next phase, checking what that phase needs."""
    process = Process.objects.select_for_update().get(pk=process.pk)
    target = next_phase(process)
    if target is None:
        raise PBError("The process is already in its last phase")
    if target == Phase.VOTING:
        if not process.ideas.filter(status=IdeaStatus.SHORTLISTED).exists():
            raise PBError("Shortlist at least one idea before voting opens")
        pending = process.ideas.filter(status=IdeaStatus.SUBMITTED).count()
        if pending:
            raise PBError(f"{pending} idea(s) still wait for review")
        process.rule_fixed_at = timezone.now()
    if target == Phase.RESULTS:
        raise PBError("Publish the results to move to the results phase")
    before = process.phase
    process.phase = target
    process.save(update_fields=["phase", "rule_fixed_at"])
    _audit(
        actor,
        "budget.phase",
        process,
        f"Moved {process.title} to: {process.get_phase_display()}",
        before={"phase": before},
        after={"phase": target},
    )
    transaction.on_commit(lambda: notify_phase(process))
    return process


def notify_phase(process: Process) -> int:
    """Email the people who took part so far (idea authors, supporters, commenters) that the
    process has moved on.  Returns the number of emails sent."""
    from django.contrib.auth import get_user_model

    users = (
        get_user_model()
        .objects.filter(
            Q(pb_ideas__process=process) | Q(pk__in=Support.objects.filter(idea__process=process).values("user"))
        )
        .distinct()
    )
    emails = sorted({u.email for u in users if u.email})
    if not emails:
        return 0
    url = f"{settings.SITE_URL}/budgets/{process.slug}/"
    subject = f"{process.title}: {process.get_phase_display()}"
    body = f"{process.title} has moved to a new phase: {process.get_phase_display()}.\n\nSee what happens next: {url}\n"
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [e]) for e in emails]
    return send_mass_mail(messages, fail_silently=True)


def notify_review(idea: Idea) -> int:
    """Tell the person who suggested an idea what the officers decided, and why."""
    author = idea.author
    if author is None or not author.email:
        return 0
    url = f"{settings.SITE_URL}/budgets/{idea.process.slug}/ideas/{idea.pk}/"
    body = (
        f'Your idea "{idea.title}" for {idea.process.title} has been reviewed: {idea.get_status_display()}.\n\n'
        f"The officers' reason: {idea.review_reason}\n\nSee it here: {url}\n"
    )
    return send_mass_mail(
        [(f"Your idea: {idea.get_status_display()}", body, settings.DEFAULT_FROM_EMAIL, [author.email])],
        fail_silently=True,
    )


# ---------------------------------------------------------------------------------- eligibility


def _membership(process: Process, user: Any) -> Membership | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return (
        Membership.objects.filter(organisation_id=process.organisation_id, person__user=user)
        .select_related("person")
        .first()
    )


def _age_on(dob: datetime.date, day: datetime.date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def can_propose(process: Process, user: Any) -> tuple[bool, str]:
    if not getattr(user, "is_authenticated", False):
        return False, "Sign in to suggest an idea."
    if process.phase != Phase.IDEAS:
        return False, "Ideas are not being collected at the moment."
    classes = set(process.proposer_classes.values_list("pk", flat=True))
    if classes:
        m = _membership(process, user)
        if m is None or m.stakeholder_class_id not in classes:
            return False, "Only members of the classes this process names can suggest ideas."
    return True, ""


def member_voter(process: Process, user: Any) -> tuple[Membership | None, str]:
    """The membership through which ``user`` may vote in ``process``, or why not."""
    if not getattr(user, "is_authenticated", False):
        return None, "Sign in as a member, or use your voting code."
    m = _membership(process, user)
    if m is None:
        return None, "You are not a member of the organisation running this vote."
    classes = set(process.voter_classes.values_list("pk", flat=True))
    if m.stakeholder_class_id not in classes:
        return None, "Members of your class do not vote in this process."
    ok, reason = is_eligible_voter(m, timezone.localdate())
    if not ok:
        return None, reason
    dob = m.person.date_of_birth
    if process.minimum_age and dob is not None and _age_on(dob, timezone.localdate()) < process.minimum_age:
        return None, f"You must be {process.minimum_age} or over to vote in this process."
    return m, ""


def _hmac(message: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()


def member_voter_key(process: Process, membership: Membership) -> str:
    return _hmac(f"member:{process.pk}:{membership.pk}")


# ---------------------------------------------------------------------------------- voting codes

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper without mistakes
CODE_LENGTH = 12  # 60 bits


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def format_code(raw: str) -> str:
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def code_hash(process: Process, code: str) -> str:
    return _hmac(f"vc:{process.pk}:{normalise_code(code)}")


def code_voter_key(process: Process, code: str) -> str:
    return _hmac(f"code:{process.pk}:{normalise_code(code)}")


@transaction.atomic
def do_generate_codes(
    *, actor: Any, process: Process, count: int, postcode_district: str = ""
) -> list[tuple[int, str]]:
    """Make ``count`` one-time codes; returns (serial, code) pairs — the only time the plaintext
    exists.  Stores only each code's HMAC."""
    if not 1 <= count <= 100_000:
        raise PBError("Generate between 1 and 100,000 codes at a time", "count")
    if process.phase_index >= PHASE_ORDER.index(Phase.CLOSED):
        raise PBError("Voting has closed: no more codes can be generated")
    district = postcode_district.strip().upper()
    allowed = process.postcode_district_list()
    if district and allowed and district not in allowed:
        raise PBError(
            f"{district} is not one of this process's postcode districts ({', '.join(allowed)})", "postcode_district"
        )
    last = process.codes.order_by("-serial").values_list("serial", flat=True).first() or 0
    out: list[tuple[int, str]] = []
    rows = []
    for k in range(count):
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        serial = last + k + 1
        out.append((serial, format_code(raw)))
        rows.append(
            VotingCode(process=process, code_hash=code_hash(process, raw), serial=serial, postcode_district=district)
        )
    VotingCode.objects.bulk_create(rows, batch_size=2000)
    _audit(
        actor,
        "budget.codes",
        process,
        f"Generated {count} voting codes (serials {last + 1}–{last + count})",
        after={"count": count, "postcode_district": district},
    )
    return out


def codes_csv(process: Process, codes: Sequence[tuple[int, str]], postcode_district: str = "") -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["serial", "code", "postcode_district", "process", "vote_at"])
    url = f"{settings.SITE_URL}/budgets/{process.slug}/vote/"
    for serial, code in codes:
        w.writerow([serial, code, postcode_district.upper(), process.title, url])
    return buf.getvalue()


def _check_not_past_close(process: Process) -> None:
    """The announced closing date binds even if no officer has pressed "Close voting" yet."""
    if process.voting_close is not None and timezone.localdate() > process.voting_close:
        raise PBError(f"Voting closed on {process.voting_close:%-d %B %Y}", "code")


@transaction.atomic
def redeem_code(process: Process, code: str) -> str:
    """Use a code: returns the voter key its ballot is stored under.  A code works once: it is
    marked used here, and the voter key is kept in the voter's session so they can change their
    ballot until the close (see the module docstring of :mod:`.models`)."""
    if not Process.objects.filter(pk=process.pk, phase=Phase.VOTING).exists():  # not a stale copy
        raise PBError("Voting is not open", "code")
    _check_not_past_close(process)
    raw = normalise_code(code)
    if not raw:
        raise PBError("Enter your voting code", "code")
    h = code_hash(process, raw)
    updated = VotingCode.objects.filter(process=process, code_hash=h, used_on=None).update(used_on=timezone.localdate())
    if updated == 0:
        if VotingCode.objects.filter(process=process, code_hash=h).exists():
            raise PBError("This voting code has already been used", "code")
        raise PBError("This voting code is not recognised: check it against your letter", "code")
    return code_voter_key(process, raw)


# ------------------------------------------------------------------------------------- ideas


@transaction.atomic
def do_submit_idea(
    *,
    actor: Any,
    process: Process,
    title: str,
    description: str,
    estimated_cost: int,
    area: Area | None = None,
    category: str = "",
    location: str = "",
    image: Any = None,
    image_alt: str = "",
) -> Idea:
    ok, reason = can_propose(process, actor)
    if not ok:
        raise PBError(reason)
    if process.ring_fence != RingFence.NONE and area is None:
        raise PBError(f"Choose the {process.ring_fence} the idea is for", "area")
    if area is not None and area.process_id != process.pk:
        raise PBError("That area is not part of this process", "area")
    limit = area.budget if area is not None else process.pot
    if estimated_cost <= 0:
        raise PBError("Enter an estimated cost of more than zero", "estimated_cost")
    if estimated_cost > limit:
        raise PBError(
            f"The estimated cost is more than the budget of {money(limit, process.currency)}", "estimated_cost"
        )
    idea = Idea.objects.create(
        process=process,
        title=title,
        description=description,
        estimated_cost=estimated_cost,
        area=area,
        category=category,
        location=location,
        image=image or "",
        image_alt=image_alt,
        author=actor,
    )
    record_event(
        actor=actor,
        action="budget.idea",
        summary=f"Idea submitted: {title}",
        organisation=process.organisation,
        obj=idea,
    )
    return idea


def do_comment(*, actor: Any, idea: Idea, text: str) -> Comment:
    if not getattr(actor, "is_authenticated", False):
        raise PBError("Sign in to comment", "text")
    if idea.process.phase not in (Phase.IDEAS, Phase.REVIEW, Phase.VOTING, Phase.DELIVERY):
        raise PBError("Comments are closed", "text")
    if not text.strip():
        raise PBError("Enter a comment", "text")
    return Comment.objects.create(idea=idea, author=actor, text=text.strip())


def do_support(*, actor: Any, idea: Idea) -> bool:
    """Support an idea (once per person).  Returns False if already supported."""
    if not getattr(actor, "is_authenticated", False):
        raise PBError("Sign in to support an idea")
    if idea.process.phase not in (Phase.IDEAS, Phase.REVIEW):
        raise PBError("Ideas can only be supported before voting opens")
    try:
        with transaction.atomic():
            Support.objects.create(idea=idea, user=actor)
    except IntegrityError:
        return False
    return True


@transaction.atomic
def do_review_idea(
    *,
    actor: Any,
    idea: Idea,
    decision: str,
    reason: str,
    cost: int | None = None,
    merge_into: Idea | None = None,
) -> Idea:
    """An officer's decision on an idea, with a public reason: shortlist it (at the reviewed cost),
    reject it as not feasible, or merge it into another idea."""
    process = idea.process
    if process.phase not in (Phase.IDEAS, Phase.REVIEW):
        raise PBError("Ideas can only be reviewed before voting opens")
    if not reason.strip():
        raise PBError("Give the public reason for the decision", "reason")
    before = model_snapshot(idea, ["status", "cost", "review_reason", "merged_into"])
    if decision == IdeaStatus.SHORTLISTED:
        final = cost if cost is not None else idea.estimated_cost
        limit = idea.area.budget if idea.area is not None else process.pot
        if final <= 0 or final > limit:
            raise PBError(f"The cost must be more than zero and at most {money(limit, process.currency)}", "cost")
        idea.cost = final
    elif decision == IdeaStatus.MERGED:
        if merge_into is None or merge_into.pk == idea.pk or merge_into.process_id != process.pk:
            raise PBError("Choose another idea of this process to merge into", "merge_into")
        if merge_into.status in (IdeaStatus.MERGED, IdeaStatus.REJECTED):
            raise PBError("Merge into an idea that is still in the running", "merge_into")
        idea.merged_into = merge_into
        Support.objects.filter(idea=idea).exclude(user__in=merge_into.supports.values("user")).update(idea=merge_into)
    elif decision != IdeaStatus.REJECTED:
        raise PBError("Choose a decision", "decision")
    idea.status = decision
    idea.review_reason = reason.strip()
    idea.save()
    transaction.on_commit(lambda: notify_review(idea))
    record_event(
        actor=actor,
        action="budget.review",
        summary=f"Reviewed idea {idea.title}: {idea.get_status_display()}",
        organisation=process.organisation,
        obj=idea,
        before=before,
        after=model_snapshot(idea, ["status", "cost", "review_reason", "merged_into"]),
    )
    return idea


# ------------------------------------------------------------------------------------ ballots


def shortlist(process: Process) -> list[Idea]:
    return list(
        process.ideas.filter(status=IdeaStatus.SHORTLISTED).select_related("area").order_by("area__position", "id")
    )


def area_budgets(process: Process) -> list[tuple[str, str, int]]:
    """(slug, name, budget) of every pot a ballot is checked against ("" slug: the whole pot)."""
    if process.ring_fence == RingFence.NONE:
        return [("", process.title, process.pot)]
    return [(a.slug, a.name, a.budget) for a in process.areas.all()]


def check_ballot(process: Process, ideas: Sequence[Idea], choices: Any) -> dict[str, int]:
    """Validate ``choices`` (see :class:`~.models.Ballot`) against the process's ballot rules;
    returns the money chosen per area slug.  Raises :class:`PBError` naming the area/field."""
    by_id = {i.pk: i for i in ideas}
    bt = process.ballot_type
    if bt == BallotType.POINTS:
        pairs = [(int(i), int(p)) for i, p in choices]
        if any(p < 0 for _, p in pairs):
            raise PBError("Points cannot be negative", "points")
        ids = [i for i, p in pairs if p > 0]
        total_pts = sum(p for _, p in pairs)
        if process.total_points is not None and total_pts > process.total_points:
            raise PBError(f"You have given {total_pts} points: you have {process.total_points} to give", "points")
    else:
        ids = [int(i) for i in choices]
    if len(set(ids)) != len(ids):
        raise PBError("A project is chosen twice", "choices")
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise PBError("A chosen project is not on the ballot", "choices")
    field = "points" if bt == BallotType.POINTS else "choices"
    if len(ids) < process.min_choices:
        raise PBError(f"Choose at least {process.min_choices} project{'s' if process.min_choices != 1 else ''}", field)
    if process.max_choices is not None and len(ids) > process.max_choices:
        raise PBError(f"You have chosen {len(ids)} projects: you can choose at most {process.max_choices}", field)
    spent: dict[str, int] = {slug: 0 for slug, _, _ in area_budgets(process)}
    for i in ids:
        area = by_id[i].area
        slug = area.slug if area is not None and process.ring_fence != RingFence.NONE else ""
        spent[slug] = spent.get(slug, 0) + by_id[i].ballot_cost
    if bt == BallotType.KNAPSACK or (process.limit_to_budget and bt != BallotType.POINTS):
        for slug, name, budget in area_budgets(process):
            if spent.get(slug, 0) > budget:
                where = f" in {name}" if slug else ""
                raise PBError(
                    f"You have chosen {money(spent[slug], process.currency)} of "
                    f"{money(budget, process.currency)}{where}: remove a project to stay within the budget",
                    f"area_{slug}" if slug else field,
                )
    return spent


@transaction.atomic
def do_cast_ballot(*, process: Process, voter_key: str, choices: Any, ideas: Sequence[Idea] | None = None) -> bool:
    """Store a voter's ballot, replacing any earlier one (the unique constraint on
    ``(process, voter_key)`` means there is only ever one).  Returns True if it replaced one."""
    locked = Process.objects.select_for_update().get(pk=process.pk)
    if locked.phase != Phase.VOTING:
        raise PBError("Voting is not open")
    _check_not_past_close(locked)
    check_ballot(locked, ideas if ideas is not None else shortlist(locked), choices)
    text = tally.encode_choices(locked.ballot_type, choices)
    updated = Ballot.objects.filter(process=locked, voter_key=voter_key).update(choices=text)
    if updated:
        return True
    Ballot.objects.create(process=locked, voter_key=voter_key, choices=text)
    return False


def my_ballot(process: Process, voter_key: str) -> Any:
    text = Ballot.objects.filter(process=process, voter_key=voter_key).values_list("choices", flat=True).first()
    return None if text is None else tally.decode_choices(process.ballot_type, text)


# ------------------------------------------------------------------------------------ results


def tally_spec(process: Process, ideas: Sequence[Idea] | None = None) -> tally.TallySpec:
    ideas = shortlist(process) if ideas is None else ideas
    fenced = process.ring_fence != RingFence.NONE
    areas = tuple(tally.AreaSpec(slug, name, budget) for slug, name, budget in area_budgets(process))
    return tally.TallySpec(
        title=process.title,
        currency=process.currency,
        ballot_type=process.ballot_type,
        rule=process.rule,
        completion=process.completion or None,
        areas=areas,
        projects=tuple(
            tally.ProjectSpec(
                id=i.pk,
                name=i.title,
                cost=i.ballot_cost,
                area=i.area.slug if fenced and i.area is not None else "",
                category=i.category,
            )
            for i in ideas
        ),
        max_choices=process.max_choices,
        total_points=process.total_points,
    )


@transaction.atomic
def do_compute_results(*, actor: Any, process: Process) -> Result:
    """Count the ballots with the rule fixed when voting opened.  Voting must be closed."""
    process = Process.objects.select_for_update().get(pk=process.pk)
    if process.phase != Phase.CLOSED:
        raise PBError("Close voting before computing the results")
    spec = tally_spec(process)
    ballots = list(Ballot.objects.filter(process=process).values_list("choices", flat=True).iterator(chunk_size=5000))
    try:
        data = tally.count(spec, ballots)
    except tally.BudgetingError as exc:
        raise PBError(f"The budgeting engine refused the count: {exc}") from None
    except Exception:  # a fault in the engine: the officer gets a message, the log gets the trace
        logger.exception("count of %s failed", process.slug)
        raise PBError(
            "The count failed because of a fault in the budgeting engine. The ballots are safe; "
            "the fault has been logged for the developers. Try again later."
        ) from None
    pb_files = data.pop("pb_files")
    data["ballots"] = len(ballots)
    Result.objects.filter(process=process).delete()
    result = Result.objects.create(process=process, data=data, pb_files=pb_files)
    _audit(
        actor,
        "budget.count",
        process,
        f"Counted {len(ballots)} ballots with {process.get_rule_display()}",
        after={"selected": [a["main"]["selected"] for a in data["areas"]]},
    )
    return result


@transaction.atomic
def do_publish_results(*, actor: Any, process: Process) -> Process:
    process = Process.objects.select_for_update().get(pk=process.pk)
    if process.phase != Phase.CLOSED:
        raise PBError("Close voting before publishing the results")
    result = Result.objects.filter(process=process).first()
    if result is None:
        raise PBError("Compute the results before publishing them")
    funded = [int(pid) for a in result.data["areas"] for pid in a["main"]["selected"]]
    process.ideas.update(funded=False)
    process.ideas.filter(pk__in=funded).update(funded=True)
    process.phase = Phase.RESULTS
    process.results_published_at = timezone.now()
    process.save(update_fields=["phase", "results_published_at"])
    _audit(
        actor,
        "budget.publish",
        process,
        f"Published the results: {len(funded)} projects funded",
        after={"funded": funded},
    )
    transaction.on_commit(lambda: notify_phase(process))
    return process


def do_close_and_publish(*, actor: Any, process: Process) -> Process:
    """Close voting (if open), count and publish in one go."""
    if process.phase == Phase.VOTING:
        process = do_advance_phase(actor=actor, process=process)
    do_compute_results(actor=actor, process=process)
    return do_publish_results(actor=actor, process=process)


# ------------------------------------------------------------------------------------ delivery


@transaction.atomic
def do_update_delivery(*, actor: Any, idea: Idea, status: str, spend: int, note: str = "") -> Idea:
    if not idea.funded:
        raise PBError("Only funded projects are tracked")
    if status not in DeliveryStatus.values:
        raise PBError("Choose a status", "delivery_status")
    if spend < 0:
        raise PBError("Spend cannot be negative", "spend")
    before = model_snapshot(idea, ["delivery_status", "spend"])
    idea.delivery_status, idea.spend = status, spend
    idea.save(update_fields=["delivery_status", "spend"])
    record_event(
        actor=actor,
        action="budget.delivery",
        summary=f"Delivery of {idea.title}: {idea.get_delivery_status_display()}",
        organisation=idea.process.organisation,
        obj=idea,
        before=before,
        after=model_snapshot(idea, ["delivery_status", "spend"]),
    )
    return idea


@transaction.atomic
def do_add_milestone(
    *,
    actor: Any,
    idea: Idea,
    title: str,
    due: datetime.date | None = None,
    done_on: datetime.date | None = None,
    note: str = "",
) -> Milestone:
    if not idea.funded:
        raise PBError("Only funded projects have milestones")
    if not title.strip():
        raise PBError("Enter the milestone", "title")
    m = Milestone.objects.create(idea=idea, title=title.strip(), due=due, done_on=done_on, note=note)
    record_event(
        actor=actor,
        action="budget.milestone",
        summary=f"Milestone for {idea.title}: {title}",
        organisation=idea.process.organisation,
        obj=idea,
    )
    return m
