"""Engagement metrics, each computed by the database (grouped counts, conditional aggregates, window
functions) — never by a Python loop over members.  Python only folds the few grouped rows the
database returns (one per year and class, per category, per election).

Definitions (the dashboard and report print them beside the figures):

* **Member** on a date: the membership's latest log record on or before that date has status
  *active* (the append-only :class:`~coopgov.apps.membership.models.MembershipRecord` log is the truth).
* **Joiner / leaver** in a period: a log record in the period that moves the membership into / out
  of *active* (application → active, lapsed → active is a join; active → lapsed, ended or suspended
  is a leave).  Per class or constituency a move between classes counts as leaving one and joining
  the other; for the whole organisation it is neither.  Found with ``LAG`` over each membership's
  records, so size at any date = joins − leaves up to that date, exactly.
* **Representativeness**: members' self-declared demographics against the population table the
  officer uploaded.  "Prefer not to say" and "not given" are reported openly as their own rows and
  left out of the shares (the share of members who answered is shown).  Per group: member share ÷
  population share with a Katz log 95% interval; summary: Duncan's index of dissimilarity.
* **Election vitality**: turnout = ballots ÷ frozen electorate; a seat is *contested* when the
  election had more valid candidates than seats, *unopposed* when it had candidates but no more than
  seats, *vacant* when there were fewer candidates than seats; a governor elected is *returning* when
  they held a seat on the same body before.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear

from coopgov.apps.membership.models import Membership, MembershipRecord, Status
from coopgov.apps.orgs.models import Constituency, Organisation, StakeholderClass
from coopgov.stats import dissimilarity_index, ratio_interval, wilson_interval

from .models import Decision, DeprivationDecile, Dimension, PopulationCount, PopulationTable

# --- membership flows -------------------------------------------------------------------------

_FLOWS_SQL = """
WITH r AS (
  SELECT rec.effective_from AS d,
         CASE WHEN rec.status = 'active' THEN 1 ELSE 0 END AS a,
         rec.stakeholder_class_id AS cls,
         COALESCE(rec.constituency_id, 0) AS cons,
         CASE WHEN rec.voting_rights THEN 1 ELSE 0 END AS vr,
         LAG(rec.status) OVER w AS pst,
         LAG(rec.stakeholder_class_id) OVER w AS pcls,
         LAG(rec.constituency_id) OVER w AS pcons,
         LAG(rec.voting_rights) OVER w AS pvr
  FROM {rec} rec JOIN {mem} m ON m.id = rec.membership_id
  WHERE m.organisation_id = %s AND rec.effective_from < %s
  WINDOW w AS (PARTITION BY rec.membership_id ORDER BY rec.effective_from, rec.id)
), t AS (
  SELECT {bucket} AS bucket, a, cls, cons, vr,
         CASE WHEN pst = 'active' THEN 1 ELSE 0 END AS pa,
         COALESCE(pcls, 0) AS pcls,
         COALESCE(pcons, 0) AS pcons,
         CASE WHEN pvr THEN 1 ELSE 0 END AS pvr
  FROM r
)
SELECT bucket, cls, cons, pcls, pcons, a, pa, vr, pvr, COUNT(*)
FROM t
WHERE NOT (a = pa AND vr = pvr AND cls = pcls AND cons = pcons)
GROUP BY bucket, cls, cons, pcls, pcons, a, pa, vr, pvr
"""


@dataclass
class Flow:
    """Joins and leaves of one group (whole organisation, a class or a constituency) in one period,
    and its size at the period's end."""

    joiners: int = 0
    leavers: int = 0
    voting_joiners: int = 0
    voting_leavers: int = 0
    size: int = 0
    voting: int = 0

    @property
    def net(self) -> int:
        return self.joiners - self.leavers

    @property
    def voting_share(self) -> Fraction | None:
        return Fraction(self.voting, self.size) if self.size else None

    def add(self, other: Flow) -> None:
        self.joiners += other.joiners
        self.leavers += other.leavers
        self.voting_joiners += other.voting_joiners
        self.voting_leavers += other.voting_leavers


@dataclass
class Period:
    label: str
    start: datetime.date
    end: datetime.date  # inclusive
    organisation: Flow = field(default_factory=Flow)
    classes: dict[int, Flow] = field(default_factory=dict)
    constituencies: dict[int, Flow] = field(default_factory=dict)

    @property
    def size_at_start(self) -> int:
        return self.organisation.size - self.organisation.net


def membership_flows(organisation_id: int, periods: Sequence[tuple[str, datetime.date, datetime.date]]) -> list[Period]:
    """Joiners, leavers and size at the end of each period (``(label, start, end)``, end inclusive;
    periods may overlap), for the organisation, each stakeholder class and each constituency — all
    in ONE query: the log's transitions are counted per elementary interval between the periods'
    boundaries, and each period sums its intervals."""
    if not periods:
        return []
    for label, start, end in periods:
        if end < start:
            raise ValueError(f"period {label!r} ends before it starts")
    bounds = sorted({p[1] for p in periods} | {p[2] + datetime.timedelta(days=1) for p in periods})
    whens = " ".join(f"WHEN d < %s THEN {i}" for i in range(len(bounds) - 1))
    # bucket 0: before bounds[0]; bucket k: [bounds[k-1], bounds[k]); nothing on or after bounds[-1]
    bucket = f"CASE {whens} ELSE {len(bounds) - 1} END" if whens else "0"
    sql = _FLOWS_SQL.format(rec=MembershipRecord._meta.db_table, mem=Membership._meta.db_table, bucket=bucket)
    params: list[Any] = [organisation_id, bounds[-1], *bounds[:-1]]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    n = len(bounds)
    org_b = [Flow() for _ in range(n)]
    cls_b: dict[int, list[Flow]] = {}
    cons_b: dict[int, list[Flow]] = {}

    # each row: how many records in a bucket moved from one (class, constituency, active, voting)
    # state to another; fold them into joins and leaves (see the module text)
    def group(cls: int, cons: int, k: int, delta: Flow) -> None:
        if cls:
            cls_b.setdefault(cls, [Flow() for _ in range(n)])[k].add(delta)
        if cons:
            cons_b.setdefault(cons, [Flow() for _ in range(n)])[k].add(delta)

    for bkt, cls, cons, pcls, pcons, a, pa, vr, pvr, count in rows:
        k, c = int(bkt), int(count)
        a, pa, vr, pvr = bool(a), bool(pa), bool(vr), bool(pvr)
        same = (int(cls), int(cons)) == (int(pcls), int(pcons))
        into = a and not (pa and same)
        out_of = pa and not (a and same)
        v_into = a and vr and not (pa and pvr and same)
        v_out = pa and pvr and not (a and vr and same)
        if into or v_into:
            group(int(cls), int(cons), k, Flow(joiners=c * into, voting_joiners=c * v_into))
        if out_of or v_out:
            group(int(pcls), int(pcons), k, Flow(leavers=c * out_of, voting_leavers=c * v_out))
        org_b[k].add(
            Flow(
                joiners=c * (a and not pa),
                leavers=c * (pa and not a),
                voting_joiners=c * (a and vr and not (pa and pvr)),
                voting_leavers=c * (pa and pvr and not (a and vr)),
            )
        )

    def prefix(buckets: list[Flow]) -> list[Flow]:
        """prefix[k] = the sum of buckets 0..k, i.e. the running totals just before bounds[k]."""
        out, run = [], Flow()
        for f in buckets:
            run.add(f)
            out.append(Flow(run.joiners, run.leavers, run.voting_joiners, run.voting_leavers))
        return out

    def window(pre: list[Flow], a: int, c: int) -> Flow:
        hi, lo = pre[c], pre[a]
        return Flow(
            hi.joiners - lo.joiners,
            hi.leavers - lo.leavers,
            hi.voting_joiners - lo.voting_joiners,
            hi.voting_leavers - lo.voting_leavers,
            size=hi.joiners - hi.leavers,
            voting=hi.voting_joiners - hi.voting_leavers,
        )

    org_pre = prefix(org_b)
    cls_pre = {k: prefix(v) for k, v in cls_b.items()}
    cons_pre = {k: prefix(v) for k, v in cons_b.items()}
    result = []
    for label, start, end in periods:
        a, c = bounds.index(start), bounds.index(end + datetime.timedelta(days=1))
        result.append(
            Period(
                label,
                start,
                end,
                window(org_pre, a, c),
                {k: window(v, a, c) for k, v in cls_pre.items()},
                {k: window(v, a, c) for k, v in cons_pre.items()},
            )
        )
    return result


def year_periods(
    first: int, last: int, *, until: datetime.date | None = None
) -> list[tuple[str, datetime.date, datetime.date]]:
    """Calendar years ``first``..``last``; the last one cut at ``until`` (e.g. today) if given."""
    out = []
    for y in range(first, last + 1):
        end = datetime.date(y, 12, 31)
        if until is not None and end > until:
            end = until
        out.append((str(y), datetime.date(y, 1, 1), end))
    return out


# --- representativeness ---------------------------------------------------------------------

NOT_GIVEN = ""
PREFER_NOT = "prefer-not"
DECILES = [str(d) for d in range(1, 11)]


def dimension_categories(dimension: str) -> list[tuple[str, str]]:
    """The categories a population table may use for ``dimension`` (code, label); no "prefer not"."""
    if dimension == Dimension.DEPRIVATION:
        return [
            (d, f"Decile {d}" + (" (most deprived)" if d == "1" else " (least deprived)" if d == "10" else ""))
            for d in DECILES
        ]
    person_field = Membership._meta.get_field("person").related_model._meta.get_field(dimension)
    return [(str(c), str(label)) for c, label in person_field.choices if c != PREFER_NOT]  # type: ignore[union-attr]


@dataclass
class GroupRow:
    category: str
    label: str
    members: int
    population: int | None
    member_share: float | None = None
    population_share: float | None = None
    ratio: float | None = None
    lower: float | None = None
    upper: float | None = None
    corrected: bool = False
    stated: bool = True  # False for "prefer not to say" / "not given"


@dataclass
class Representation:
    dimension: str
    label: str
    rows: list[GroupRow]
    members_total: int
    members_stated: int
    population_total: int
    dissimilarity: Fraction | None

    @property
    def response_rate(self) -> Fraction | None:
        return Fraction(self.members_stated, self.members_total) if self.members_total else None


def current_population_table(organisation_id: int) -> PopulationTable | None:
    return PopulationTable.objects.filter(organisation_id=organisation_id, is_current=True).first()


def population_counts(table: PopulationTable | None) -> dict[str, dict[str, int]]:
    """dimension -> category -> count, summed over the table's geographies (one grouped query)."""
    if table is None:
        return {}
    out: dict[str, dict[str, int]] = {}
    rows = PopulationCount.objects.filter(table=table).values("dimension", "category").annotate(n=Sum("count"))
    for r in rows.order_by():
        out.setdefault(r["dimension"], {})[r["category"]] = int(r["n"])
    return out


def _active_members(organisation_id: int, as_at: datetime.date | None, stakeholder_class_id: int | None) -> Any:
    qs: QuerySet[Membership]
    if as_at is None:
        qs = Membership.objects.filter(organisation_id=organisation_id, status=Status.ACTIVE)
        if stakeholder_class_id is not None:
            qs = qs.filter(stakeholder_class_id=stakeholder_class_id)
        return qs
    from coopgov.apps.membership.eligibility import memberships_as_at

    qs = memberships_as_at(organisation_id, as_at).filter(**{"as_at_status": Status.ACTIVE})
    if stakeholder_class_id is not None:
        qs = qs.filter(**{"as_at_class": stakeholder_class_id})
    return qs


def member_counts(
    organisation_id: int,
    dimension: str,
    *,
    as_at: datetime.date | None = None,
    stakeholder_class_id: int | None = None,
) -> dict[str, int]:
    """Active members per category of ``dimension`` (one grouped query).  ``as_at=None`` uses the
    register's current state; a date uses the membership log."""
    qs = _active_members(organisation_id, as_at, stakeholder_class_id)
    if dimension == Dimension.DEPRIVATION:
        decile = DeprivationDecile.objects.filter(
            organisation_id=organisation_id, postcode_district=OuterRef("person__postcode_district")
        ).values("decile")[:1]
        qs = qs.annotate(cat=Coalesce(Subquery(decile, output_field=IntegerField()), Value(0)))
        rows = qs.order_by().values("cat").annotate(n=Count("id"))
        return {(str(r["cat"]) if r["cat"] else NOT_GIVEN): int(r["n"]) for r in rows}
    rows = qs.order_by().values(f"person__{dimension}").annotate(n=Count("id"))
    return {str(r[f"person__{dimension}"]): int(r["n"]) for r in rows}


def representation(
    organisation_id: int,
    dimension: str,
    population: dict[str, int] | None,
    *,
    as_at: datetime.date | None = None,
    stakeholder_class_id: int | None = None,
    confidence: float = 0.95,
    counts: dict[str, int] | None = None,
) -> Representation:
    """Members against the population served for one dimension (see the module text)."""
    if counts is None:
        counts = member_counts(organisation_id, dimension, as_at=as_at, stakeholder_class_id=stakeholder_class_id)
    cats = dimension_categories(dimension)
    population = population or {}
    stated_total = sum(counts.get(c, 0) for c, _ in cats)
    pop_total = sum(population.get(c, 0) for c, _ in cats)
    rows: list[GroupRow] = []
    for code, label in cats:
        a = counts.get(code, 0)
        b = population.get(code) if population else None
        row = GroupRow(code, label, a, b)
        if stated_total:
            row.member_share = a / stated_total
        if b is not None and pop_total:
            row.population_share = b / pop_total
        if stated_total and b and pop_total:
            ri = ratio_interval(a, stated_total, b, pop_total, confidence)
            row.ratio, row.lower, row.upper, row.corrected = ri.ratio, ri.lower, ri.upper, ri.corrected
        rows.append(row)
    rows.append(GroupRow(PREFER_NOT, "Prefer not to say", counts.get(PREFER_NOT, 0), None, stated=False))
    rows.append(GroupRow(NOT_GIVEN, "Not given", counts.get(NOT_GIVEN, 0), None, stated=False))
    d = None
    if stated_total and pop_total:
        d = dissimilarity_index({c: counts.get(c, 0) for c, _ in cats}, {c: population.get(c, 0) for c, _ in cats})
    return Representation(
        dimension=dimension,
        label=str(Dimension(dimension).label),
        rows=rows,
        members_total=sum(counts.values()),
        members_stated=stated_total,
        population_total=pop_total,
        dissimilarity=d,
    )


PERSON_DIMENSIONS = (Dimension.AGE_BAND, Dimension.SEX, Dimension.ETHNIC_GROUP, Dimension.DISABILITY)


def all_member_counts(
    organisation_id: int, *, as_at: datetime.date | None = None, stakeholder_class_id: int | None = None
) -> dict[str, dict[str, int]]:
    """Active members per category of every dimension in TWO grouped queries: a cross-tabulation of
    the four self-declared dimensions (one row per combination of answers, however many members),
    and a count per postcode district mapped to deciles through the (small) lookup table."""
    qs = _active_members(organisation_id, as_at, stakeholder_class_id).order_by()
    fields = [f"person__{d}" for d in PERSON_DIMENSIONS]
    out: dict[str, dict[str, int]] = {str(d): {} for d in Dimension.values}
    for row in qs.values(*fields).annotate(n=Count("id")):
        for d, f in zip(PERSON_DIMENSIONS, fields, strict=True):
            cell = out[str(d)]
            cell[str(row[f])] = cell.get(str(row[f]), 0) + int(row["n"])
    deciles = dict(
        DeprivationDecile.objects.filter(organisation_id=organisation_id).values_list("postcode_district", "decile")
    )
    dep = out[Dimension.DEPRIVATION]
    for row in qs.values("person__postcode_district").annotate(n=Count("id")):
        decile = deciles.get(str(row["person__postcode_district"]).upper())
        key = str(decile) if decile else NOT_GIVEN
        dep[key] = dep.get(key, 0) + int(row["n"])
    return out


def all_representation(
    organisation_id: int, *, as_at: datetime.date | None = None, stakeholder_class_id: int | None = None
) -> list[Representation]:
    pops = population_counts(current_population_table(organisation_id))
    counts = all_member_counts(organisation_id, as_at=as_at, stakeholder_class_id=stakeholder_class_id)
    return [
        representation(
            organisation_id,
            dim,
            pops.get(dim),
            as_at=as_at,
            stakeholder_class_id=stakeholder_class_id,
            counts=counts[dim],
        )
        for dim in Dimension.values
    ]


# --- election vitality ------------------------------------------------------------------------


@dataclass
class ElectionRow:
    id: str
    title: str
    year: int
    group: str
    seats: int
    candidates: int
    electorate: int
    ballots: int
    is_by_election: bool

    @property
    def contested(self) -> bool:
        return self.candidates > self.seats

    @property
    def contested_seats(self) -> int:
        return self.seats if self.contested else 0

    @property
    def unopposed_seats(self) -> int:
        return 0 if self.contested else min(self.candidates, self.seats)

    @property
    def vacant_seats(self) -> int:
        return max(0, self.seats - self.candidates)

    @property
    def turnout(self) -> float | None:
        return self.ballots / self.electorate if self.electorate and self.contested else None


@dataclass
class VitalityYear:
    year: int
    elections: int = 0
    seats: int = 0
    candidates: int = 0
    contested_seats: int = 0
    unopposed_seats: int = 0
    vacant_seats: int = 0
    electorate: int = 0  # of contested elections
    ballots: int = 0
    new_governors: int = 0
    returning_governors: int = 0

    @property
    def contested_share(self) -> float | None:
        return self.contested_seats / self.seats if self.seats else None

    @property
    def candidates_per_seat(self) -> float | None:
        return self.candidates / self.seats if self.seats else None

    @property
    def turnout(self) -> float | None:
        return self.ballots / self.electorate if self.electorate else None


def elections_installed() -> bool:
    return apps.is_installed("coopgov.apps.elections")


def declared_elections_with_counts(**filters: Any) -> QuerySet[Any]:
    """Declared elections matching ``filters``, each with ``n_cands`` (consenting, not withdrawn
    candidates) and ``n_ballots``, as correlated subqueries: one query whatever the number."""
    from coopgov.apps.elections.models import Ballot, Election, Nomination

    cands = (
        Nomination.objects.filter(election=OuterRef("pk"), consented=True, withdrawn=False)
        .order_by()
        .values("election")
        .annotate(n=Count("id"))
        .values("n")
    )
    ballots = (
        Ballot.objects.filter(election=OuterRef("pk")).order_by().values("election").annotate(n=Count("id")).values("n")
    )
    return Election.objects.filter(declared_on__isnull=False, **filters).annotate(
        n_cands=Coalesce(Subquery(cands, output_field=IntegerField()), Value(0)),
        n_ballots=Coalesce(Subquery(ballots, output_field=IntegerField()), Value(0)),
    )


def election_rows(
    organisation_id: int, *, start: datetime.date | None = None, end: datetime.date | None = None
) -> list[ElectionRow]:
    """Declared elections (one query: candidate and ballot counts are correlated subqueries)."""
    if not elections_installed():
        return []
    qs = declared_elections_with_counts(organisation_id=organisation_id)
    if start is not None:
        qs = qs.filter(term_start__gte=start)
    if end is not None:
        qs = qs.filter(term_start__lte=end)
    qs = qs.values(
        "id",
        "title",
        "term_start",
        "seats",
        "electorate_count",
        "is_by_election",
        "n_cands",
        "n_ballots",
        "stakeholder_class__name",
        "constituency__name",
    )
    out = []
    for e in qs.order_by("term_start", "title"):
        group = e["stakeholder_class__name"] + (f": {e['constituency__name']}" if e["constituency__name"] else "")
        out.append(
            ElectionRow(
                id=str(e["id"]),
                title=e["title"],
                year=e["term_start"].year,
                group=group,
                seats=e["seats"],
                candidates=e["n_cands"],
                electorate=e["electorate_count"] or 0,
                ballots=e["n_ballots"],
                is_by_election=e["is_by_election"],
            )
        )
    return out


def governor_turnover(organisation_id: int) -> dict[int, tuple[int, int]]:
    """Per year: (new, returning) people who took an elected seat (one grouped query)."""
    if not apps.is_installed("coopgov.apps.governance"):
        return {}
    from coopgov.apps.governance.models import OfficeHolder

    earlier = OfficeHolder.objects.filter(
        person=OuterRef("person"),
        seat_rule__body=OuterRef("seat_rule__body"),
        start_date__lt=OuterRef("start_date"),
    )
    rows = (
        OfficeHolder.objects.filter(seat_rule__body__organisation_id=organisation_id, how__startswith="elected")
        .annotate(returning=Exists(earlier), year=ExtractYear("start_date"))
        .order_by()
        .values("year")
        .annotate(
            new=Count("id", filter=Q(returning=False)),
            back=Count("id", filter=Q(returning=True)),
        )
    )
    return {int(r["year"]): (int(r["new"]), int(r["back"])) for r in rows}


def vitality_by_year(rows: Sequence[ElectionRow], turnover: dict[int, tuple[int, int]]) -> list[VitalityYear]:
    years: dict[int, VitalityYear] = {}
    for r in rows:
        v = years.setdefault(r.year, VitalityYear(r.year))
        v.elections += 1
        v.seats += r.seats
        v.candidates += r.candidates
        v.contested_seats += r.contested_seats
        v.unopposed_seats += r.unopposed_seats
        v.vacant_seats += r.vacant_seats
        if r.contested:
            v.electorate += r.electorate
            v.ballots += r.ballots
    for y, (new, back) in turnover.items():
        v = years.setdefault(y, VitalityYear(y))
        v.new_governors, v.returning_governors = new, back
    return [years[y] for y in sorted(years)]


# --- participation funnels ------------------------------------------------------------------


@dataclass
class FunnelStep:
    label: str
    count: int
    note: str = ""


@dataclass
class Funnel:
    title: str
    kind: str
    steps: list[FunnelStep]


def election_funnel(organisation_id: int) -> Funnel | None:
    """The latest declared contested election: electorate → signed in since notice → stood → voted."""
    if not elections_installed():
        return None
    from coopgov.apps.elections.models import Ballot, Election, ElectorateEntry, Nomination

    e = (
        Election.objects.filter(organisation_id=organisation_id, declared_on__isnull=False, uncontested=False)
        .order_by("-poll_close")
        .first()
    )
    if e is None:
        return None
    agg = ElectorateEntry.objects.filter(election=e).aggregate(
        eligible=Count("id"),
        signed_in=Count("id", filter=Q(membership__person__user__last_login__gte=e.notice_at)),
    )
    stood = Nomination.objects.filter(election=e, consented=True, withdrawn=False).count()
    voted = Ballot.objects.filter(election=e).count()
    kept = int(agg["eligible"] or 0) > 0
    steps = [
        FunnelStep(
            "Eligible to vote",
            int(agg["eligible"]) if kept else int(e.electorate_count or 0),
            "" if kept else "the published electorate; the electorate list itself was not kept",
        )
    ]
    if kept:  # sign-ins can only be matched against a kept electorate list
        steps.append(
            FunnelStep(
                "Signed in since the notice of election", int(agg["signed_in"]), "from each account's latest sign-in"
            )
        )
    steps += [FunnelStep("Stood as candidates", stood), FunnelStep("Voted", voted)]
    return Funnel(e.title, "election", steps)


def pb_funnel(organisation_id: int) -> Funnel | None:
    """The latest participatory-budgeting process: eligible → signed in → took part → voted."""
    if not apps.is_installed("coopgov.apps.budgets"):
        return None
    from coopgov.apps.accounts.models import User
    from coopgov.apps.budgets.models import Ballot, Comment, Idea, Process, Support

    p = Process.objects.filter(organisation_id=organisation_id).exclude(phase="draft").order_by("-created_at").first()
    if p is None:
        return None
    since = p.ideas_open or p.voting_open or datetime.date(1970, 1, 1)
    eligible = Membership.objects.filter(organisation_id=organisation_id, status=Status.ACTIVE, voting_rights=True)
    classes = list(p.voter_classes.values_list("pk", flat=True))
    if classes:
        eligible = eligible.filter(stakeholder_class_id__in=classes)
    agg = eligible.aggregate(n=Count("id"), signed_in=Count("id", filter=Q(person__user__last_login__date__gte=since)))
    proposed = Idea.objects.filter(process=p, author__isnull=False).values("author").distinct().count()
    commented = Comment.objects.filter(idea__process=p).values("author").distinct().count()
    supported = Support.objects.filter(idea__process=p).values("user").distinct().count()
    took_part = User.objects.filter(
        Exists(Idea.objects.filter(process=p, author=OuterRef("pk")))
        | Exists(Comment.objects.filter(idea__process=p, author=OuterRef("pk")))
        | Exists(Support.objects.filter(idea__process=p, user=OuterRef("pk")))
    ).count()
    voted = Ballot.objects.filter(process=p).count()
    return Funnel(
        p.title,
        "pb",
        [
            FunnelStep("Eligible members", int(agg["n"])),
            FunnelStep("Signed in since ideas opened", int(agg["signed_in"]), "from each account's latest sign-in"),
            FunnelStep("Took part (proposed, commented or supported)", took_part),
            FunnelStep("Proposed an idea", proposed),
            FunnelStep("Commented", commented),
            FunnelStep("Supported an idea", supported),
            FunnelStep("Voted (members and code holders)", voted),
        ],
    )


# --- decisions --------------------------------------------------------------------------------


@dataclass
class DecisionSummary:
    decisions: list[Decision]
    eligible: int
    participants: int

    @property
    def share(self) -> float | None:
        return self.participants / self.eligible if self.eligible else None


def decisions(organisation_id: int, start: datetime.date, end: datetime.date) -> DecisionSummary:
    qs = list(
        Decision.objects.filter(organisation_id=organisation_id, held_on__gte=start, held_on__lte=end)
        .select_related("stakeholder_class")
        .order_by("held_on", "id")
    )
    return DecisionSummary(qs, sum(d.eligible for d in qs), sum(d.participants for d in qs))


def share_interval(part: int, whole: int) -> tuple[float, float] | None:
    if whole <= 0:
        return None
    iv = wilson_interval(part, whole)
    return iv.lower, iv.upper


# --- names ----------------------------------------------------------------------------------


def group_names(organisation: Organisation) -> tuple[dict[int, str], dict[int, str]]:
    classes = dict(StakeholderClass.objects.filter(organisation=organisation).values_list("pk", "name"))
    cons = {
        pk: f"{cls}: {name}"
        for pk, name, cls in Constituency.objects.filter(stakeholder_class__organisation=organisation).values_list(
            "pk", "name", "stakeholder_class__name"
        )
    }
    return classes, cons
