"""Benchmark the member register at 100,000 members (issue 2).

Creates a fresh database (a temporary SQLite file, or the PostgreSQL database named by
DATABASE_URL), imports 100,000 members from a generated CSV through the same all-or-nothing import
the pages use, then times the officer's register page (first page, a deep page, a name search, a
member-number search) and the CSV export through Django's test client, counting queries.

    .venv/bin/python bench/bench_register.py [--members 100000]

Prints each figure against its target; there is no third-party reference for a register, so the
ratio printed is target / measured (above 1 means within target).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time

TARGETS = {"import": 60.0, "list": 0.3, "deep": 0.3, "search": 0.3, "number": 0.3, "export": 20.0}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=100_000)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="coopgov-bench-")
    os.environ.setdefault("COOPGOV_DATA_DIR", tmp)
    os.environ["DEBUG"] = "1"
    os.environ["COOPGOV_TESTING"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopgov.web.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    if connection.vendor == "postgresql":
        from django.test.utils import get_runner

        runner = get_runner(settings)(verbosity=0)
        old = runner.setup_databases()
    else:
        old = None
    call_command("migrate", verbosity=0)
    from coopgov.apps.accounts.models import User
    from coopgov.apps.membership import register_csv
    from coopgov.apps.orgs import services as orgs

    admin = User.objects.create_user("bench@example.org", "x" * 12)
    org = orgs.do_create_organisation(
        actor=admin, name="Bench NHS FT", kind="nhs-foundation-trust", legal_form="nhs-foundation-trust",
        ownership_model="public", sectors=["health"],
    )
    orgs.do_grant_role(actor=admin, organisation=org, user=admin, role="membership-secretary")
    rng = random.Random(7)
    first = "Aisha Ben Cara Dev Ella Finn Gita Hal Ivy Jon Kai Lea Max Nia Oli Pia Raj Sue Tom Uma".split()
    last = "Adams Brown Clark Davies Evans Fox Green Hill Iqbal Jones Khan Lee Moss Nash Owen Patel Reid Shah".split()
    lines = ["full_name,email,stakeholder_class,constituency,joined_on,member_number,sex\n"]
    classes = [("Public", "Area 1"), ("Patients and carers", ""), ("Staff", "Clinical staff"), ("Staff", "Non-clinical staff")]
    for i in range(args.members):
        sc, c = classes[i % 4]
        lines.append(
            f"{rng.choice(first)} {rng.choice(last)} {i},m{i}@example.org,{sc},{c},20{rng.randint(10, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)},"
            f"N{i:07d},{rng.choice(['female', 'male', ''])}\n"
        )
    data = "".join(lines).encode()
    results: dict[str, float] = {}
    t = time.perf_counter()
    report = register_csv.do_import_register_csv(actor=admin, organisation=org, data=data, file_name="bench.csv")
    results["import"] = time.perf_counter() - t
    assert report.committed, report.problems[:5]

    client = Client()
    client.force_login(admin)
    base = f"/organisations/{org.slug}/register/"
    client.get(base)
    queries: dict[str, int] = {}
    for key, params in (("list", {}), ("deep", {"page": "1500"}), ("search", {"q": "Patel 4242"}), ("number", {"q": "N0099999"})):
        best = float("inf")
        for _ in range(3):
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                r = client.get(base, params)
                best = min(best, time.perf_counter() - t)
            assert r.status_code == 200
        results[key] = best
        queries[key] = len(ctx.captured_queries)
    t = time.perf_counter()
    r = client.get(base + "export.csv")
    n = sum(1 for chunk in r.streaming_content for _ in [0])  # type: ignore[attr-defined]
    results["export"] = time.perf_counter() - t

    print(f"coopgov register benchmark: {args.members:,} members on {connection.vendor}")
    labels = {"import": "CSV import (check + commit)", "list": "register page 1", "deep": "register page 1500",
              "search": "search by name", "number": "search by member number", "export": f"CSV export ({n:,} chunks)"}
    for key, seconds in results.items():
        q = f", {queries[key]} queries" if key in queries else ""
        print(f"  {labels[key]:<32} {seconds * 1000:9.1f} ms   target {TARGETS[key] * 1000:7.0f} ms   ratio {TARGETS[key] / seconds:6.1f}x{q}")
    if old is not None:
        runner.teardown_databases(old)
    return 0


if __name__ == "__main__":
    sys.exit(main())
