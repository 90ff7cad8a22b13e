"""Benchmark the engagement dashboard (issue 8) at two membership sizes.

For each size (default 20,000 and 200,000 members) a fresh database is built — a temporary SQLite
file, or the PostgreSQL database named by DATABASE_URL (a throw-away test database is created) —
with a foundation trust whose members joined over ten years (about 12% later lapsed or left), with
self-declared demographics, a population table, and ten years of yearly governor elections in every
constituency (ballots stored).  Then:

* **compute**: computing every dashboard figure from scratch (``engagement_data``): wall time and
  query count.  The reference is a naive implementation of the membership part measured in the same
  run: every membership-log record fetched into Python and folded there (what "no Python loops over
  members" rules out); the ratio printed is naive / ours.
* **dashboard**: the dashboard page through Django's test client (session, permission check,
  snapshot, charts, template), median of 7 renders, and its query count.

    .venv/bin/python bench/bench_engagement.py [--sizes 20000 200000]

Targets: dashboard under 300 ms, and the same query count at every size.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from typing import Any

TARGET_DASHBOARD_S = 0.3


def build(n: int, rng: random.Random) -> Any:
    from coopgov.apps.accounts.models import User
    from coopgov.apps.engagement import services
    from coopgov.apps.engagement.demo import _deprivation_csv, _population_csv, load_elections
    from coopgov.apps.membership.models import Membership, MembershipRecord, Person, Status
    from coopgov.apps.orgs import services as orgs
    from coopgov.apps.orgs.models import Role

    admin = User.objects.create_user(f"bench{n}@example.org", "x" * 12)
    org = orgs.do_create_organisation(
        actor=admin, name=f"Bench NHS FT {n}", kind="nhs-foundation-trust", legal_form="nhs-foundation-trust",
        ownership_model="public", sectors=["health"],
    )  # fmt: skip
    orgs.do_grant_role(actor=admin, organisation=org, user=admin, role=Role.ADMINISTRATOR)
    public = org.stakeholder_classes.get(slug="public")
    for name in ("Area 2", "Area 3"):
        orgs.do_add_constituency(actor=admin, stakeholder_class=public, name=name)
    groups = [(sc, c) for sc in org.stakeholder_classes.all() for c in (list(sc.constituencies.all()) or [None])]
    today = datetime.date.today()
    first = datetime.date(today.year - 10, 1, 1)
    span = (today - first).days
    ages = ["18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+", "prefer-not", ""]
    districts = ["EX1", "EX2", "EX4", "EX5", "EX6", "EX8", "EX9", "EX10", "EX11", "EX14", "EX15", "EX16", ""]
    t0 = time.perf_counter()
    batch = 20_000
    for lo in range(0, n, batch):
        k = min(batch, n - lo)
        people = Person.objects.bulk_create(
            [
                Person(
                    full_name=f"Member {lo + i}",
                    age_band=rng.choice(ages),
                    sex=rng.choice(["female", "male", "female", "male", "prefer-not", ""]),
                    ethnic_group=rng.choice(["white"] * 12 + ["asian", "black", "mixed", "other", "prefer-not", ""]),
                    disability=rng.choice(["yes", "no", "no", "no", "no", "prefer-not", ""]),
                    postcode_district=rng.choice(districts),
                )
                for i in range(k)
            ],
            batch_size=5000,
        )
        rows = []
        for p in people:
            sc, c = rng.choice(groups)
            joined = first + datetime.timedelta(days=int(span * rng.random() ** 0.8))
            left = joined + datetime.timedelta(days=rng.randint(200, 2000)) if rng.random() < 0.12 else None
            rows.append((p, sc, c, joined, left if left and left < today else None))
        ms = Membership.objects.bulk_create(
            [
                Membership(
                    organisation=org,
                    person=p,
                    sort_name=p.full_name.casefold(),
                    stakeholder_class=sc,
                    constituency=c,
                    status=Status.LAPSED if left else Status.ACTIVE,
                    voting_rights=True,
                    joined_on=joined,
                )
                for p, sc, c, joined, left in rows
            ],
            batch_size=5000,
        )
        recs = []
        for m, (_, sc, c, joined, left) in zip(ms, rows, strict=True):
            common = {"membership": m, "stakeholder_class": sc, "constituency": c, "voting_rights": True}
            recs.append(MembershipRecord(effective_from=joined, status=Status.ACTIVE, **common))
            if left:
                recs.append(MembershipRecord(effective_from=left, status=Status.LAPSED, **common))
        MembershipRecord.objects.bulk_create(recs, batch_size=5000)
    members_s = time.perf_counter() - t0
    services.do_upload_population(
        actor=admin, organisation=org, name="demo", data=_population_csv(), filename="population.csv"
    )
    services.do_upload_deprivation(actor=admin, organisation=org, data=_deprivation_csv(), filename="imd.csv")
    t0 = time.perf_counter()
    n_elections = load_elections(org, first_year=today.year - 9, last_year=today.year, rng=rng)
    elections_s = time.perf_counter() - t0
    return org, admin, members_s, n_elections, elections_s


def naive_membership_series(org_id: int, years: list[int]) -> dict[int, tuple[int, int, int]]:
    """The reference: every log record into Python, folded per membership (joins, leaves, size)."""
    from coopgov.apps.membership.models import MembershipRecord

    out = {y: [0, 0, 0] for y in years}
    last: dict[int, str] = {}
    active_at_end: dict[int, set[int]] = {y: set() for y in years}
    state: dict[int, bool] = {}
    recs = MembershipRecord.objects.filter(membership__organisation_id=org_id).order_by(
        "membership_id", "effective_from", "id"
    )
    for mid, day, status in recs.values_list("membership_id", "effective_from", "status").iterator(chunk_size=20000):
        was = last.get(mid) == "active"
        now = status == "active"
        if day.year in out:
            if now and not was:
                out[day.year][0] += 1
            if was and not now:
                out[day.year][1] += 1
        last[mid] = status
        state[mid] = now
        for y in years:
            if day.year <= y and now:
                active_at_end[y].add(mid)
            elif day.year <= y:
                active_at_end[y].discard(mid)
    return {y: (out[y][0], out[y][1], len(active_at_end[y])) for y in years}


def measure(n: int, seed: int) -> dict[str, Any]:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from coopgov.apps.engagement.data import engagement_data
    from coopgov.apps.engagement.metrics import membership_flows, year_periods

    rng = random.Random(seed)
    org, admin, members_s, n_elections, elections_s = build(n, rng)
    today = datetime.date.today()
    start = datetime.date(today.year, 1, 1)
    with CaptureQueriesContext(connection) as q:
        t0 = time.perf_counter()
        engagement_data(org, start=start, end=today)
        compute_s = time.perf_counter() - t0
    compute_queries = len(q.captured_queries)
    slowest = sorted(q.captured_queries, key=lambda x: -float(x["time"]))[:4]
    slow = [(float(x["time"]), " ".join(x["sql"].split())[:90]) for x in slowest]
    years = list(range(today.year - 9, today.year + 1))
    t0 = time.perf_counter()
    ours = membership_flows(org.pk, year_periods(years[0], years[-1], until=today))
    flows_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    naive = naive_membership_series(org.pk, years)
    naive_s = time.perf_counter() - t0
    for p in ours:  # the reference is also a check
        y = int(p.label)
        assert (p.organisation.joiners, p.organisation.leavers, p.organisation.size) == naive[y], (y, naive[y])
    client = Client()
    client.force_login(admin)
    url = reverse("engagement:dashboard", args=[org.slug])
    first = client.get(url)
    assert first.status_code == 200, first.status_code
    times = []
    cpu = []
    queries = 0
    for _ in range(7):
        reset_queries()
        with CaptureQueriesContext(connection) as q:
            t0, c0 = time.perf_counter(), time.process_time()
            r = client.get(url)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        assert r.status_code == 200
        queries = len(q.captured_queries)
    from coopgov.apps.elections.models import Ballot

    return {
        "members": n,
        "build_members_s": members_s,
        "elections": n_elections,
        "ballots": Ballot.objects.filter(election__organisation=org).count(),
        "build_elections_s": elections_s,
        "compute_s": compute_s,
        "compute_queries": compute_queries,
        "slowest": slow,
        "flows_s": flows_s,
        "naive_flows_s": naive_s,
        "dashboard_s": statistics.median(times),
        "dashboard_max_s": max(times),
        "dashboard_cpu_s": statistics.median(cpu),
        "dashboard_queries": queries,
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[20_000, 200_000])
    ap.add_argument("--seed", type=int, default=8)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="coopgov-bench-engagement-")
    os.environ.setdefault("COOPGOV_DATA_DIR", tmp)
    os.environ["DEBUG"] = "1"
    os.environ["COOPGOV_TESTING"] = "1"
    os.environ["COOPGOV_JOBS_IN_THREAD"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopgov.web.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    old = None
    if connection.vendor == "postgresql":
        from django.test.utils import get_runner

        old = get_runner(settings)(verbosity=0).setup_databases()
    else:
        call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    results = []
    try:
        for n in args.sizes:
            print(f"building {n:,} members and ten years of elections…", file=sys.stderr, flush=True)
            r = measure(n, args.seed)
            results.append(r)
            print(
                f"{r['members']:>8,} members ({r['build_members_s']:.0f} s to build), {r['elections']} elections, "
                f"{r['ballots']:,} ballots",
                flush=True,
            )
            print(f"    compute all figures: {r['compute_s'] * 1000:8.0f} ms, {r['compute_queries']} queries; slowest:")
            for secs, sql in r["slowest"]:
                print(f"        {secs * 1000:7.0f} ms  {sql}")
            print(
                f"    membership series:   {r['flows_s'] * 1000:8.0f} ms (1 query); naive Python fold "
                f"{r['naive_flows_s'] * 1000:.0f} ms; ratio naive/ours {r['naive_flows_s'] / r['flows_s']:.1f}x"
            )
            print(
                f"    dashboard page:      {r['dashboard_s'] * 1000:8.1f} ms median (max {r['dashboard_max_s'] * 1000:.1f}, "
                f"CPU {r['dashboard_cpu_s'] * 1000:.1f}), "
                f"{r['dashboard_queries']} queries; target {TARGET_DASHBOARD_S * 1000:.0f} ms, ratio target/measured "
                f"{TARGET_DASHBOARD_S / r['dashboard_s']:.1f}",
                flush=True,
            )
    finally:
        if old is not None:
            from django.test.utils import get_runner

            get_runner(settings)(verbosity=0).teardown_databases(old)
        connection.close()
        shutil.rmtree(tmp, ignore_errors=True)  # the SQLite file of a 200,000-member run is large
    same_q = len({r["dashboard_queries"] for r in results}) == 1 and len({r["compute_queries"] for r in results}) == 1
    ok = same_q and all(r["dashboard_s"] < TARGET_DASHBOARD_S for r in results)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print(f"query counts the same at every size: {'yes' if same_q else 'NO'}")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
