"""Benchmark: an organisation's headline figures against organisations of the same kind that have
agreed to share theirs (quartiles, type 7 — :func:`coopgov.stats.quartiles`).

Only organisations that share see the benchmark (it is reciprocal), and quartiles are shown only
when at least :data:`MIN_PEERS` organisations share, so no single peer's figure can be read off.
Every figure is computed for all peers in a fixed number of grouped queries.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q

from coopgov.apps.membership.models import Membership, Status
from coopgov.apps.orgs.models import Organisation
from coopgov.stats import quartiles

from .metrics import declared_elections_with_counts, elections_installed
from .models import EngagementSettings

MIN_PEERS = 4


def _elections(peer_ids: list[int], since: datetime.date, until: datetime.date) -> dict[int, dict[str, int]]:
    if not elections_installed():
        return {}
    rows = declared_elections_with_counts(
        organisation_id__in=peer_ids, term_start__gte=since, term_start__lte=until
    ).values("organisation_id", "seats", "electorate_count", "n_cands", "n_ballots")
    out: dict[int, dict[str, int]] = {}
    for r in rows:  # one row per election, not per member
        agg = out.setdefault(r["organisation_id"], {"seats": 0, "contested": 0, "electorate": 0, "ballots": 0})
        agg["seats"] += r["seats"]
        if r["n_cands"] > r["seats"]:
            agg["contested"] += r["seats"]
            agg["electorate"] += r["electorate_count"] or 0
            agg["ballots"] += r["n_ballots"]
    return out


def benchmark(org: Organisation, on: datetime.date) -> dict[str, Any]:
    shares = EngagementSettings.objects.filter(organisation=org, share_benchmark=True).exists()
    if not shares:
        return {"available": False, "reason": "not-sharing", "indicators": [], "peers": 0}
    peer_ids = list(
        Organisation.objects.filter(kind=org.kind, engagement_settings__share_benchmark=True).values_list(
            "pk", flat=True
        )
    )
    if len(peer_ids) < MIN_PEERS:
        return {"available": False, "reason": "too-few", "indicators": [], "peers": len(peer_ids)}
    year_ago = on - datetime.timedelta(days=365)
    members = {
        r["organisation_id"]: r
        for r in Membership.objects.filter(organisation_id__in=peer_ids)
        .order_by()
        .values("organisation_id")
        .annotate(
            active=Count("id", filter=Q(status=Status.ACTIVE)),
            voting=Count("id", filter=Q(status=Status.ACTIVE, voting_rights=True)),
            joined=Count("id", filter=Q(joined_on__gt=year_ago, joined_on__lte=on)),
        )
    }
    elections = _elections(peer_ids, datetime.date(on.year - 3, 1, 1), on)
    values: dict[str, dict[int, float]] = {"members": {}, "joined": {}, "voting": {}, "turnout": {}, "contested": {}}
    for pk in peer_ids:
        m = members.get(pk)
        if m and m["active"]:
            values["members"][pk] = float(m["active"])
            values["joined"][pk] = 100.0 * m["joined"] / m["active"]
            values["voting"][pk] = m["voting"] / m["active"]
        e = elections.get(pk)
        if e and e["electorate"]:
            values["turnout"][pk] = e["ballots"] / e["electorate"]
        if e and e["seats"]:
            values["contested"][pk] = e["contested"] / e["seats"]
    labels = {
        "members": ("Members", "count"),
        "joined": ("Joined in the last 12 months, per 100 members", "{:.1f}"),
        "voting": ("Members with voting rights", "pct"),
        "turnout": ("Turnout in contested elections, last three years", "pct"),
        "contested": ("Share of seats contested, last three years", "pct"),
    }
    indicators = []
    for key, (label, fmt) in labels.items():
        vals = values[key]
        if len(vals) < MIN_PEERS:
            continue
        q = quartiles(list(vals.values()))

        def f(x: Any, fmt: str = fmt) -> str:
            if fmt == "pct":
                return f"{100 * float(x):.1f}%"
            if fmt == "count":
                return f"{float(x):,.0f}" if float(x).is_integer() else f"{float(x):,.1f}"
            return fmt.format(float(x))

        mine = vals.get(org.pk)
        indicators.append(
            {
                "key": key,
                "label": label,
                "value": f(mine) if mine is not None else "",
                "q1": f(q.q1),
                "median": f(q.median),
                "q3": f(q.q3),
                "n": str(q.n),
                "band": q.band(mine) if mine is not None else None,
            }
        )
    return {"available": True, "reason": "", "indicators": indicators, "peers": len(peer_ids)}
