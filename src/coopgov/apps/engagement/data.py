"""The engagement figures as published: one JSON-serialisable dict, with small numbers suppressed.

The dashboard, the annual report (HTML and PDF), the CSV and the JSON download are all drawn from
this one structure, so a figure suppressed in one is suppressed in all.

Suppression (see :mod:`coopgov.stats._suppression` for the policy it follows):

* Any count of people from 1 to 9 is published as ``"<10"``; zero is published.
* Secondary suppression within each published table margin (a table of groups with its total):
  when exactly one cell is suppressed, the smallest other non-zero cell is shown as ``"*"`` so the
  total cannot reveal it.
* Shares, ratios and intervals of a suppressed group are not published (they would give the count).
* A year's joiners and leavers: if one is suppressed the other is too (``"*"``), and the net change
  is then not published.
* Counts of governors, seats and candidates are not suppressed: who stood and who holds office is
  public by law.

Known limit: the size of the membership is published each year, so the net change from one year to
the next can always be derived by difference; we do not protect against differencing across years.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from django.utils import timezone

from coopgov.apps.orgs.models import Organisation, StakeholderClass
from coopgov.stats import CellStatus, suppress_counts

from . import benchmark, metrics

THRESHOLD = 10
SMALL = f"<{THRESHOLD}"
SERIES_YEARS = 10

DEFINITIONS = {
    "member": "A member on a date is someone whose membership was active on that date (from the membership log).",
    "joiners": (
        "Joiners and leavers count moves into and out of active membership (a lapsed member who renews "
        "joins again). For a class or constituency, moving between classes counts as leaving one and joining the other."
    ),
    "representation": (
        "Member share is among members who answered; 'prefer not to say' and 'not given' are shown separately "
        "and left out of the shares. Ratio = member share ÷ population share (1 = proportionate), with a 95% "
        "confidence interval (Katz log method). The index of dissimilarity is the percentage of members who "
        "would have to be in a different group for the membership to match the population."
    ),
    "vitality": (
        "Turnout is ballots received ÷ electorate, for contested elections. A seat is contested when there were "
        "more candidates than seats, filled unopposed when there were candidates but no more than seats, and "
        "vacant when nobody stood for it. A returning governor held a seat on the same body before."
    ),
    "suppression": (
        "To protect privacy, counts of 1 to 9 people are shown as '<10', and where one number could be worked "
        "out from a total another is hidden too (shown as '*')."
    ),
}


def pct(x: float | Fraction | None, digits: int = 1) -> str:
    return "" if x is None else f"{100 * float(x):.{digits}f}%"


def _num(x: float | None, digits: int = 2) -> str:
    return "" if x is None else f"{x:.{digits}f}"


def small(n: int) -> str:
    return SMALL if 0 < n < THRESHOLD else str(n)


def is_shown(value: Any) -> bool:
    return isinstance(value, str) and value.lstrip("-").isdigit()


def _suppress(counts: Mapping[Any, int], *, total: bool = True) -> tuple[dict[Any, str], str]:
    s = suppress_counts(counts, threshold=THRESHOLD, total_published=total)
    return s.display(), s.total_display


def _pair(a: int, b: int) -> tuple[str, str, bool]:
    """Joiners/leavers of one row: suppressed together (see module text)."""
    sa, sb = small(a), small(b)
    if sa == SMALL and sb != SMALL and b > 0:
        sb = "*"
    if sb == SMALL and sa != SMALL and a > 0:
        sa = "*"
    return sa, sb, is_shown(sa) and is_shown(sb)


# --- sections ---------------------------------------------------------------------------------


def membership_section(
    org: Organisation, start: datetime.date, end: datetime.date, stakeholder_class: StakeholderClass | None
) -> dict[str, Any]:
    today = timezone.localdate()
    last = end.year
    first = last - SERIES_YEARS + 1
    years = metrics.year_periods(first, last, until=min(end, today))
    *series, period = metrics.membership_flows(org.pk, [*years, ("period", start, end)])
    classes, cons = metrics.group_names(org)

    def pick(p: metrics.Period) -> metrics.Flow:
        if stakeholder_class is None:
            return p.organisation
        return p.classes.get(stakeholder_class.pk, metrics.Flow())

    rows: list[dict[str, str]] = []
    for p in series:
        f = pick(p)
        if not rows and f.size == 0 and f.joiners == 0 and f.leavers == 0:
            continue  # years before the organisation had members
        j, lv, both = _pair(f.joiners, f.leavers)
        rows.append(
            {
                "year": p.label,
                "size": small(f.size),
                "joiners": j,
                "leavers": lv,
                "net": str(f.net) if both else "",
                "voting_share": pct(f.voting_share) if f.size >= THRESHOLD else "",
            }
        )
    pf = pick(period)
    j, lv, both = _pair(pf.joiners, pf.leavers)
    summary = {
        "size_at_start": small(period.size_at_start if stakeholder_class is None else pf.size - pf.net),
        "size": small(pf.size),
        "joiners": j,
        "leavers": lv,
        "net": str(pf.net) if both else "",
        "growth": pct(pf.net / (pf.size - pf.net)) if both and pf.size - pf.net >= THRESHOLD else "",
        "voting": small(pf.voting),
        "voting_share": pct(pf.voting_share) if pf.size >= THRESHOLD else "",
    }
    groups: list[dict[str, Any]] = []
    source: list[tuple[str, metrics.Flow]] = []
    if stakeholder_class is None:
        source = [(classes[k], v) for k, v in period.classes.items() if k in classes]
    source += [(cons[k], v) for k, v in period.constituencies.items() if k in cons]
    if stakeholder_class is not None:
        source = [
            (n, v)
            for n, v in source
            if n == classes.get(stakeholder_class.pk) or n.startswith(f"{stakeholder_class.name}: ")
        ]
    nested = [n for c in classes.values() for n in (c, *sorted(x for x in cons.values() if x.startswith(f"{c}: ")))]
    order = {name: i for i, name in enumerate(nested)}
    source.sort(key=lambda x: order.get(x[0], len(order)))
    sizes, _ = _suppress({name: f.size for name, f in source if ":" not in name})
    # each class's constituencies are one margin whose total (the class's size) is published
    for cls_name in classes.values():
        margin = {name: f.size for name, f in source if name.startswith(f"{cls_name}: ")}
        if margin:
            sizes.update(_suppress(margin)[0])
    for name, f in source:
        j, lv, both = _pair(f.joiners, f.leavers)
        groups.append(
            {
                "group": name,
                "is_constituency": ":" in name,
                "size": sizes[name],
                "joiners": j,
                "leavers": lv,
                "net": str(f.net) if both else "",
                "voting_share": pct(f.voting_share) if f.size >= THRESHOLD and is_shown(sizes[name]) else "",
            }
        )
    return {"series": rows, "summary": summary, "groups": groups}


def representation_section(
    org: Organisation, as_at: datetime.date | None, stakeholder_class: StakeholderClass | None
) -> dict[str, Any]:
    reps = metrics.all_representation(
        org.pk, as_at=as_at, stakeholder_class_id=stakeholder_class.pk if stakeholder_class else None
    )
    table = metrics.current_population_table(org.pk)
    out = []
    for rep in reps:
        display, total = _suppress({r.category: r.members for r in rep.rows})
        status = suppress_counts({r.category: r.members for r in rep.rows}, threshold=THRESHOLD)
        rows = []
        for r in rep.rows:
            shown = status.cells[r.category].status is CellStatus.SHOWN
            rows.append(
                {
                    "category": r.category or "not-given",
                    "label": r.label,
                    "stated": r.stated,
                    "members": display[r.category],
                    "population": "" if r.population is None else str(r.population),
                    "member_share": pct(r.member_share) if shown and r.stated else "",
                    "population_share": pct(r.population_share),
                    "ratio": _num(r.ratio) if shown and r.ratio is not None else "",
                    "lower": _num(r.lower) if shown and r.lower is not None else "",
                    "upper": _num(r.upper) if shown and r.upper is not None else "",
                    "ratio_value": r.ratio if shown else None,
                    "lower_value": r.lower if shown else None,
                    "upper_value": r.upper if shown else None,
                }
            )
        out.append(
            {
                "dimension": rep.dimension,
                "label": rep.label,
                "members": total,
                "answered": small(rep.members_stated),
                "response_rate": pct(rep.response_rate) if rep.members_stated >= THRESHOLD else "",
                "population": str(rep.population_total) if rep.population_total else "",
                "dissimilarity": pct(float(rep.dissimilarity)) if rep.dissimilarity is not None else "",
                "rows": rows,
            }
        )
    return {"population_table": table.name if table else "", "dimensions": out}


def elections_section(org: Organisation, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    rows = metrics.election_rows(org.pk)
    years = metrics.vitality_by_year(rows, metrics.governor_turnover(org.pk))
    in_period = [r for r in rows if start <= datetime.date(r.year, 12, 31) and datetime.date(r.year, 1, 1) <= end]
    last_year = end.year
    return {
        "years": [
            {
                "year": str(v.year),
                "elections": str(v.elections),
                "seats": str(v.seats),
                "candidates": str(v.candidates),
                "candidates_per_seat": _num(v.candidates_per_seat),
                "contested_seats": str(v.contested_seats),
                "contested_share": pct(v.contested_share),
                "unopposed_seats": str(v.unopposed_seats),
                "vacant_seats": str(v.vacant_seats),
                "turnout": pct(v.turnout) if v.ballots >= THRESHOLD else "",
                "turnout_value": v.turnout if v.ballots >= THRESHOLD else None,
                "new_governors": str(v.new_governors),
                "returning_governors": str(v.returning_governors),
            }
            for v in years
            if last_year - SERIES_YEARS < v.year <= last_year
        ],
        "elections": [
            {
                "title": r.title,
                "year": str(r.year),
                "constituency": r.group,
                "by_election": r.is_by_election,
                "seats": str(r.seats),
                "candidates": str(r.candidates),
                "outcome": "Contested"
                if r.contested
                else "Vacant"
                if r.candidates == 0
                else "Filled unopposed"
                if r.vacant_seats == 0
                else "Partly filled unopposed",
                "vacant_seats": str(r.vacant_seats),
                "electorate": small(r.electorate),
                "ballots": small(r.ballots) if r.contested else "",
                "turnout": pct(r.turnout) if r.turnout is not None and r.ballots >= THRESHOLD else "",
            }
            for r in in_period
        ],
    }


def funnel_section(org: Organisation) -> list[dict[str, Any]]:
    out = []
    for f in (metrics.election_funnel(org.pk), metrics.pb_funnel(org.pk)):
        if f is None:
            continue
        first = f.steps[0].count
        out.append(
            {
                "title": f.title,
                "kind": f.kind,
                "steps": [
                    {
                        "label": s.label,
                        "count": small(s.count),
                        "value": s.count if s.count >= THRESHOLD or s.count == 0 else None,
                        "share": pct(s.count / first) if first and s.count >= THRESHOLD else "",
                        "note": s.note,
                    }
                    for s in f.steps
                ],
            }
        )
    return out


def decisions_section(org: Organisation, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    summary = metrics.decisions(org.pk, start, end)
    rows = []
    for d in summary.decisions:
        shown = d.participants >= THRESHOLD or d.participants == 0
        ci = metrics.share_interval(d.participants, d.eligible) if shown else None
        rows.append(
            {
                "title": d.title,
                "kind": d.get_kind_display(),
                "held_on": d.held_on.isoformat(),
                "who": d.stakeholder_class.name if d.stakeholder_class else "All members",
                "eligible": small(d.eligible),
                "participants": small(d.participants),
                "share": pct(d.participants / d.eligible) if shown and d.eligible >= THRESHOLD else "",
                "interval": f"{pct(ci[0])} to {pct(ci[1])}" if ci and d.eligible >= THRESHOLD else "",
                "outcome": d.outcome,
            }
        )
    return {
        "count": str(len(rows)),
        "eligible": small(summary.eligible),
        "participants": small(summary.participants),
        "share": pct(summary.share) if summary.participants >= THRESHOLD else "",
        "decisions": rows,
    }


def engagement_data(
    org: Organisation,
    *,
    start: datetime.date,
    end: datetime.date,
    stakeholder_class: StakeholderClass | None = None,
    as_at: datetime.date | None = None,
    with_benchmark: bool = True,
) -> dict[str, Any]:
    """Everything published about ``org``'s engagement in [start, end], suppressed."""
    data: dict[str, Any] = {
        "organisation": {"name": org.name, "slug": org.slug, "kind": org.get_kind_display()},
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "stakeholder_class": stakeholder_class.name if stakeholder_class else "",
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "membership": membership_section(org, start, end, stakeholder_class),
        "representation": representation_section(org, as_at, stakeholder_class),
        "elections": elections_section(org, start, end),
        "funnels": funnel_section(org),
        "decisions": decisions_section(org, start, end),
        "definitions": DEFINITIONS,
        "suppression_threshold": THRESHOLD,
    }
    if with_benchmark:
        data["benchmark"] = benchmark.benchmark(org, end)
    return data
