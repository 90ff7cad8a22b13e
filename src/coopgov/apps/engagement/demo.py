"""Demo engagement history for the demo foundation trust: ten years of governor elections, a
population table and deprivation deciles for its area, decisions put to members, and a published
annual report with its narrative.

Past elections (held before the trust used the platform) go in as *historical records*, the way a
trust moving to coopgov would import them: the declared election with its published electorate
size, the candidates' nominations, the ballots as cast (preferences only — no voter marks, which
were never kept), and the winners taking office through the governance app's ``do_take_office``.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from coopgov.apps.membership.models import Membership, Status
from coopgov.apps.orgs.models import Constituency, Organisation, StakeholderClass

from . import services

DEMO_TRUST = "South Devon Valley NHS Foundation Trust"


def _at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour))


def record_past_election(
    *,
    organisation: Organisation,
    title: str,
    stakeholder_class: StakeholderClass,
    constituency: Constituency | None,
    seats: int,
    poll_close: datetime.date,
    electorate: int,
    candidates: Sequence[Membership],
    ballots: int,
    winners: Sequence[Membership] = (),
    seat_rule: Any = None,
    rng: random.Random | None = None,
    is_by_election: bool = False,
) -> Any:
    """A declared past election as a historical record (see the module text)."""
    from coopgov.apps.elections.models import Ballot, Election, Method, Nomination

    rng = rng or random.Random(0)
    term_start = poll_close + datetime.timedelta(days=14)
    contested = len(candidates) > seats
    e = Election.objects.create(
        organisation=organisation,
        body=seat_rule.body if seat_rule is not None else None,
        seat_rule=seat_rule,
        title=title,
        method=Method.NHS_STV,
        seats=seats,
        stakeholder_class=stakeholder_class,
        constituency=constituency,
        is_by_election=is_by_election,
        term_start=term_start,
        cutoff_date=poll_close - datetime.timedelta(days=70),
        notice_at=_at(poll_close - datetime.timedelta(days=60)),
        nominations_open=_at(poll_close - datetime.timedelta(days=60)),
        nominations_close=_at(poll_close - datetime.timedelta(days=40)),
        withdrawal_deadline=_at(poll_close - datetime.timedelta(days=35)),
        poll_open=_at(poll_close - datetime.timedelta(days=21)),
        poll_close=_at(poll_close, 17),
        electorate_count=electorate,
        electorate_frozen=True,
        poll_closed=True,
        counted=True,
        declared_on=poll_close + datetime.timedelta(days=1),
        uncontested=not contested,
        result={"method": "historical record", "elected": [w.person.full_name for w in winners]},
        result_text="Imported historical result.",
    )
    noms = Nomination.objects.bulk_create(
        [Nomination(election=e, membership=m, consented=True, statement="") for m in candidates]
    )
    if contested and ballots:
        ids = [str(n.pk) for n in noms]
        rows = []
        for _ in range(ballots):
            rng.shuffle(ids)
            rows.append(Ballot(election=e, preferences=" ".join(ids[: rng.randint(1, len(ids))])))
        Ballot.objects.bulk_create(rows, batch_size=5000)
    if seat_rule is not None:
        from coopgov.apps.governance.services import do_take_office

        for w in winners:
            do_take_office(
                actor=None,
                seat=seat_rule,
                person=w.person,
                start_date=term_start,
                how="elected at a by-election" if is_by_election else "elected",
                source=title,
            )
    return e


# --- the demo trust ---------------------------------------------------------------------------

# Made-up but census-shaped figures for the trust's area (Devon-like proportions), 16 and over.
POPULATION = {
    "age_band": {
        "16-17": 19_000,
        "18-24": 62_000,
        "25-34": 88_000,
        "35-44": 86_000,
        "45-54": 104_000,
        "55-64": 112_000,
        "65-74": 101_000,
        "75+": 90_000,
    },
    "sex": {"female": 339_000, "male": 323_000},
    "ethnic_group": {"white": 630_000, "asian": 11_000, "black": 4_000, "mixed": 10_000, "other": 7_000},
    "disability": {"yes": 132_000, "no": 530_000},
    "deprivation_decile": {
        str(d): n for d, n in zip(range(1, 11), [30, 45, 60, 70, 80, 85, 80, 75, 70, 67], strict=True)
    },
}
DEPRIVATION = {
    "EX1": 3, "EX2": 4, "EX4": 2, "EX5": 8, "EX6": 9,
    "EX8": 7, "EX9": 10, "EX10": 8, "EX11": 9, "EX14": 6,
    "EX15": 6, "EX16": 4, "EX17": 5, "EX20": 7,
}  # fmt: skip


def _population_csv() -> bytes:
    lines = ["geography,dimension,category,count"]
    for dim, cells in POPULATION.items():
        scale = 1000 if dim == "deprivation_decile" else 1
        for cat, n in cells.items():
            lines.append(f"Devon (demo),{dim},{cat},{n * scale}")
    return ("\n".join(lines) + "\n").encode()


def _deprivation_csv() -> bytes:
    return ("postcode_district,decile\n" + "".join(f"{k},{v}\n" for k, v in DEPRIVATION.items())).encode()


def load_elections(
    org: Organisation,
    *,
    first_year: int,
    last_year: int,
    rng: random.Random,
    seats: dict[int, int] | None = None,
) -> int:
    """Yearly governor elections (a third of each constituency's seats each year, 3-year terms)."""
    from coopgov.apps.governance.models import SeatMethod
    from coopgov.apps.governance.services import do_add_seat_rule, do_create_body

    body = do_create_body(actor=None, organisation=org, kind="council-of-governors", name="Council of governors")
    groups: list[tuple[StakeholderClass, Constituency | None]] = []
    for sc in org.stakeholder_classes.all():
        cons = list(sc.constituencies.all())
        groups += [(sc, c) for c in cons] if cons else [(sc, None)]
    made = 0
    for sc, c in groups:
        n_seats = (seats or {}).get(c.pk if c else sc.pk, 3)
        rule = do_add_seat_rule(
            actor=None,
            body=body,
            name=f"{sc.name} governors" + (f": {c.name}" if c else ""),
            category="public" if sc.slug == "public" else "staff" if sc.slug == "staff" else "patient",
            method=SeatMethod.ELECTED,
            seats=n_seats,
            stakeholder_class=sc,
            constituency=c,
            term_months=36,
            cohorts=min(3, n_seats),
        )
        members = Membership.objects.filter(organisation=org, stakeholder_class=sc, constituency=c)
        pool = list(members.filter(status=Status.ACTIVE).values_list("pk", flat=True)[:400])
        holders: list[list[int]] = []  # winners by year, to re-elect some
        for year in range(first_year, last_year + 1):
            k = max(1, n_seats // 3 + (1 if (year - first_year) % 3 < n_seats % 3 else 0))
            close = datetime.date(year, 6, 20)
            if close > timezone.localdate():
                break
            electorate = members.filter(joined_on__lte=close - datetime.timedelta(days=70)).count()
            roll = rng.random()
            n_cands = 0 if roll < 0.05 else k if roll < 0.25 else k + rng.randint(1, 4)
            back = [m for m in (holders[-3] if len(holders) >= 3 else []) if rng.random() < 0.5]
            sitting = {m for ws in holders[-2:] for m in ws}
            fresh = [m for m in rng.sample(pool, min(len(pool), n_cands + 4)) if m not in sitting]
            cands_ids = list(dict.fromkeys(back + fresh))[:n_cands]
            cands = list(Membership.objects.filter(pk__in=cands_ids).select_related("person"))
            winners = cands[:k]
            turnout = rng.uniform(0.08, 0.3)
            record_past_election(
                organisation=org,
                title=f"{rule.name} {year}",
                stakeholder_class=sc,
                constituency=c,
                seats=k,
                poll_close=close,
                electorate=electorate,
                candidates=cands,
                ballots=int(electorate * turnout) if len(cands) > k else 0,
                winners=winners,
                seat_rule=rule,
                rng=rng,
            )
            holders.append([w.pk for w in winners])
            made += 1
    return made


@transaction.atomic
def load_demo_engagement(*, seed: int = 2026) -> dict[str, Any]:
    """Engagement history for the demo trust (called at the end of ``load_demo``)."""
    from coopgov.apps.accounts.models import User

    org = Organisation.objects.filter(name=DEMO_TRUST).first()
    if org is None:
        return {"elections": 0}
    rng = random.Random(seed)
    actor = User.objects.filter(email="admin@example.org").first()
    today = timezone.localdate()
    services.do_upload_population(
        actor=actor, organisation=org, name="Devon population aged 16 and over (demo figures)",
        data=_population_csv(), filename="devon-population.csv", source="Made-up census-shaped figures",
    )  # fmt: skip
    services.do_upload_deprivation(actor=actor, organisation=org, data=_deprivation_csv(), filename="imd-deciles.csv")
    n = load_elections(org, first_year=today.year - 9, last_year=today.year, rng=rng)
    members = Membership.objects.filter(organisation=org, status=Status.ACTIVE).count()
    for year in range(today.year - 4, today.year + 1):
        held = datetime.date(year, 9, 15)
        if held > today:
            continue
        services.do_record_decision(
            actor=actor, organisation=org, title=f"Annual members' meeting {year}: approve the annual report",
            kind="agm-resolution", held_on=held, eligible=members, participants=int(members * rng.uniform(0.01, 0.03)),
            outcome="Approved.",
        )  # fmt: skip
        services.do_record_decision(
            actor=actor, organisation=org, title=f"Consultation {year}: priorities for next year's plan",
            kind="consultation", held_on=datetime.date(year, 3, 1), eligible=members,
            participants=int(members * rng.uniform(0.04, 0.09)),
            outcome="Members' top priority, shorter waits for community services, went into the annual plan.",
        )  # fmt: skip
    services.do_set_benchmark_sharing(actor=actor, organisation=org, share=True)
    last = today.year - 1
    report = services.do_save_report(
        actor=actor,
        organisation=org,
        year=last,
        how_we_engaged=(
            "We held twelve members' events across Exeter, East Devon and Mid Devon, ran an online consultation "
            "on next year's priorities, and our governors held quarterly surgeries in the three hospitals.\n\n"
            "Governor elections were held for a third of the seats in every constituency."
        ),
        what_changed=(
            "Members asked for shorter waits for community services; the council of governors made this the "
            "first priority it put to the board, and the annual plan now includes two extra community clinics."
        ),
        publish=True,
    )
    from .views import report_figures

    report.data = report_figures(org, last)
    report.save(update_fields=["data"])
    return {"elections": n, "report_year": last}
