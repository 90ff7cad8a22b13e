"""Vote-load bench: 10,000 eligible members vote, many at once, against PostgreSQL over real HTTP.

What it does (everything bounded, only to 127.0.0.1):

1. (Re)creates a scratch PostgreSQL database, migrates it, and sets up a care co-operative with
   N members, an STV election with 5 candidates, a frozen electorate, and one voting-link token
   per member (the links the poll cards carry).
2. Starts gunicorn (several worker processes) serving coopgov against that database.
3. From a *separate client process*, C threads POST each member's ballot to
   ``/elections/<id>/vote.json`` with their token; a share of members also re-send their vote
   (some at the same moment as the first) to check the database refuses the second.
4. Reports ballots/s and latency percentiles, then verifies in the database: every accepted vote
   is stored exactly once (ballots = marks = accepted; every receipt returned is in the ballot box
   exactly once), no member is marked twice, and every repeat was refused with 409.
5. Reference in the same run: the same two inserts (mark + ballot in one transaction) done
   directly with psycopg from the same number of threads, without HTTP or Django: the ratio
   says how much of the raw database rate the platform delivers.

Usage::

    .venv/bin/python bench/bench_vote_load.py [--voters 10000] [--workers 5] [--concurrency 24]

Needs PostgreSQL at $BENCH_PG (default postgres://postgres@127.0.0.1:5432) and gunicorn.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import queue
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DBNAME = "coopgov_bench_votes"
TARGET_RATE = 300.0
SERVER_LOG = Path("/tmp/bench_vote_load_server.log")
TARGET_P95_MS = 250.0


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def env_for_django(secret: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"{PG}/{DBNAME}",
            "SECRET_KEY": secret,
            "DEBUG": "0",
            "SECURE_COOKIES": "0",
            "DB_CONN_MAX_AGE": "600",
            "AXES_ENABLED": "0",
            "LOG_LEVEL": "ERROR",
            "COOPGOV_JOBS_IN_THREAD": "0",
            "DJANGO_SETTINGS_MODULE": "coopgov.web.settings",
            "PYTHONPATH": str(ROOT / "src"),
        }
    )
    return env


def recreate_database(env: dict[str, str]) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DBNAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DBNAME}")
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v", "0"], env=env, check=True, cwd=str(ROOT))


def setup_election(n_voters: int) -> dict[str, Any]:
    """Runs in this process with Django configured for the bench database."""
    import datetime

    import django

    django.setup()
    from django.utils import timezone

    from coopgov.apps.elections import services
    from coopgov.apps.elections.models import ElectorateEntry
    from coopgov.apps.membership.models import Membership, MembershipRecord, Person, Status
    from coopgov.apps.orgs.services import do_create_organisation

    org = do_create_organisation(
        actor=None,
        name=f"Bench Care Co-operative {uuid.uuid4().hex[:6]}",
        kind="care-co-operative",
        legal_form="co-operative-society",
        ownership_model="multi-stakeholder-co-operative",
        sectors=["social-care"],
    )
    sc = org.stakeholder_classes.get(slug="care-workers")
    joined = datetime.date(2020, 1, 1)
    people = Person.objects.bulk_create(
        [Person(full_name=f"Member {i:05d}", email="") for i in range(n_voters)], batch_size=2000
    )
    members = Membership.objects.bulk_create(
        [
            Membership(
                organisation=org,
                person=p,
                stakeholder_class=sc,
                status=Status.ACTIVE,
                joined_on=joined,
                member_number=f"B{i:05d}",
            )
            for i, p in enumerate(people)
        ],
        batch_size=2000,
    )
    MembershipRecord.objects.bulk_create(
        [
            MembershipRecord(
                membership=m, effective_from=joined, status=Status.ACTIVE, stakeholder_class=sc, voting_rights=True
            )
            for m in members
        ],
        batch_size=2000,
    )
    now = timezone.now()
    day = datetime.timedelta(days=1)
    e = services.do_create_election(
        actor=None,
        organisation=org,
        title="Bench election of worker directors",
        stakeholder_class=sc,
        seats=2,
        method="scottish-stv",
        term_start=timezone.localdate() + 30 * day,
        cutoff_date=timezone.localdate() - day,
        notice_at=now - day,
        nominations_open=now - day,
        nominations_close=now + day,
        withdrawal_deadline=now + 2 * day,
        poll_open=now + 3 * day,
        poll_close=now + 10 * day,
    )
    for m in members[:5]:
        services.do_nominate(actor=None, election=e, nominee=m, nominator=m, statement="bench")
    services.do_freeze_electorate(actor=None, election=e)
    # Move the poll to now (allowed: the poll has not opened yet).
    services.do_change_timetable(
        actor=None,
        election=e,
        notice_at=now - 3 * day,
        nominations_open=now - 3 * day,
        nominations_close=now - 2 * day,
        withdrawal_deadline=now - day,
        poll_open=now - datetime.timedelta(minutes=1),
        poll_close=now + 10 * day,
    )
    cands = [n.pk for n in services.candidates(e)]
    tokens = [
        services.vote_token(e, pk, mid)
        for pk, mid in ElectorateEntry.objects.filter(election=e).values_list("pk", "membership_id")
    ]
    return {"election": str(e.pk), "candidates": cands, "tokens": tokens, "electorate": e.electorate_count}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    cmd = [
        str(gunicorn),
        "coopgov.web.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--backlog",
        "2048",
        "--log-level",
        "warning",
        "--timeout",
        "60",
    ]
    server_log = open(SERVER_LOG, "wb")  # noqa: SIM115 (closed when the process ends)
    proc = subprocess.Popen(
        cmd, env=env, cwd=str(ROOT), start_new_session=True, stdout=server_log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/")
            c.getresponse().read()
            return proc
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    raise SystemExit("gunicorn did not start within 60 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# --- CPU accounting (from /proc; Linux) ---------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def server_cpu(master: int) -> float:
    """CPU seconds used so far by the gunicorn master and its live workers."""
    total = _proc_cpu(master)
    for task in Path(f"/proc/{master}/task").glob("*"):
        try:
            kids = (task / "children").read_text().split()
        except OSError:
            continue
        total += sum(_proc_cpu(int(k)) for k in kids)
    return total


def postgres_backends() -> list[int]:
    """Process ids of the PostgreSQL backends serving the bench database (the workers' persistent
    connections)."""
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (DBNAME,)).fetchall()
    return [int(r[0]) for r in rows]


def postgres_cpu(pids: list[int]) -> dict[int, float]:
    return {pid: _proc_cpu(pid) for pid in pids}


# --- the load client (a separate process) ------------------------------------------------------


def _post(port: int, path: str, body: bytes) -> tuple[int, bytes, float]:
    t0 = time.perf_counter()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        c.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        r = c.getresponse()
        data = r.read()
        status = r.status
    finally:
        c.close()
    return status, data, time.perf_counter() - t0


def client_main(port: int, plan: dict[str, Any], concurrency: int, out: Any) -> None:
    path = f"/elections/{plan['election']}/vote.json"
    cands: list[int] = plan["candidates"]
    rng = random.Random(7)
    jobs: queue.Queue[tuple[int, str, bytes] | None] = queue.Queue()
    # Each voter votes once; 2% send the same vote twice back to back (a double click, in
    # parallel on two threads); 1% try again after the main run.
    work: list[tuple[int, str, bytes]] = []
    repeat_later: list[tuple[int, str, bytes]] = []
    for i, tok in enumerate(plan["tokens"]):
        prefs = rng.sample(cands, rng.randint(1, len(cands)))
        body = json.dumps({"token": tok, "preferences": prefs}).encode()
        work.append((i, tok, body))
        if rng.random() < 0.02:
            work.append((i, tok, body))
        elif rng.random() < 0.01:
            repeat_later.append((i, tok, body))
    for item in work:
        jobs.put(item)
    for _ in range(concurrency):
        jobs.put(None)
    results: list[tuple[int, int, str, float]] = []
    lock = threading.Lock()

    def worker() -> None:
        local: list[tuple[int, int, str, float]] = []
        while True:
            item = jobs.get()
            if item is None:
                break
            i, _, body = item
            try:
                status, data, dt = _post(port, path, body)
            except OSError as exc:
                status, data, dt = 0, str(exc).encode(), 0.0
            receipt = json.loads(data).get("receipt", "") if status == 201 else ""
            local.append((i, status, receipt, dt))
        with lock:
            results.extend(local)

    t0 = time.perf_counter()
    cpu0 = time.process_time()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    client_cpu = time.process_time() - cpu0
    later = []
    for i, _, body in repeat_later:
        status, _, _ = _post(port, path, body)
        later.append((i, status))
    out.put({"results": results, "wall": wall, "later": later, "sent": len(work), "client_cpu": client_cpu})


# --- reference: the same inserts straight into PostgreSQL -----------------------------------------


def raw_reference(plan: dict[str, Any], n: int, concurrency: int) -> float:
    import psycopg

    url = f"{PG}/{DBNAME}"
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT id FROM membership_membership ORDER BY id LIMIT %s", (n,)).fetchall()
        election = plan["election"]
    ids: queue.Queue[int | None] = queue.Queue()
    for (mid,) in rows:
        ids.put(mid)
    for _ in range(concurrency):
        ids.put(None)
    # Throwaway copies of the two tables (same columns, indexes and unique constraints) so the
    # real election's rows are not disturbed.
    done = [0]
    lock = threading.Lock()

    def worker() -> None:
        with psycopg.connect(url) as c:
            k = 0
            while True:
                mid = ids.get()
                if mid is None:
                    break
                with c.transaction():
                    c.execute(
                        "INSERT INTO bench_ref_mark (id, election_id, membership_id) VALUES (%s, %s, %s)",
                        (uuid.uuid4(), election, mid),
                    )
                    c.execute(
                        "INSERT INTO bench_ref_ballot (id, election_id, preferences, receipt) VALUES (%s, %s, %s, %s)",
                        (uuid.uuid4(), election, "1 2 3", secrets.token_hex(6)),
                    )
                k += 1
        with lock:
            done[0] += k

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_ref_mark, bench_ref_ballot")
        conn.execute("CREATE TABLE bench_ref_mark (LIKE elections_votermark INCLUDING ALL)")
        conn.execute("CREATE TABLE bench_ref_ballot (LIKE elections_ballot INCLUDING ALL)")
    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    dt = time.perf_counter() - t0
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_ref_mark, bench_ref_ballot")
    return done[0] / dt if dt else 0.0


def verify(plan: dict[str, Any], accepted: dict[int, str]) -> list[str]:
    from django.db.models import Count

    from coopgov.apps.elections.models import Ballot, VoterMark

    problems: list[str] = []
    e = plan["election"]
    n_ballots = Ballot.objects.filter(election_id=e).count()
    n_marks = VoterMark.objects.filter(election_id=e).count()
    if n_ballots != len(accepted):
        problems.append(f"{n_ballots} ballots stored but {len(accepted)} votes accepted")
    if n_marks != len(accepted):
        problems.append(f"{n_marks} voters marked but {len(accepted)} votes accepted")
    dup_marks = (
        VoterMark.objects.filter(election_id=e).values("membership_id").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    if dup_marks:
        problems.append(f"{dup_marks} members marked more than once")
    stored = dict(
        Ballot.objects.filter(election_id=e).values("receipt").annotate(n=Count("id")).values_list("receipt", "n")
    )
    missing = [r for r in accepted.values() if stored.get(r) != 1]
    if missing:
        problems.append(f"{len(missing)} accepted receipts not stored exactly once")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--voters", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=5, help="gunicorn worker processes (2 x cores + 1)")
    ap.add_argument("--concurrency", type=int, default=24, help="client threads sending votes at once")
    ap.add_argument("--reference", type=int, default=3000, help="raw-insert reference transactions (0: skip)")
    args = ap.parse_args(argv)
    if not 1 <= args.voters <= 50_000:
        ap.error("--voters must be between 1 and 50000")

    secret = secrets.token_urlsafe(48)
    env = env_for_django(secret)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    log(f"creating database {DBNAME} and migrating …")
    recreate_database(env)
    t0 = time.perf_counter()
    plan = setup_election(args.voters)
    log(f"set up {plan['electorate']} voters and 5 candidates in {time.perf_counter() - t0:.1f} s")

    port = free_port()
    server = start_server(env, port, args.workers)
    try:
        log(f"gunicorn on 127.0.0.1:{port} with {args.workers} workers; {args.concurrency} client threads")
        for _ in range(2 * args.workers):  # every worker has booted and served once
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", f"/elections/{plan['election']}/")
            conn.getresponse().read()
            conn.close()
        ctx = mp.get_context("spawn")
        out = ctx.Queue()
        client = ctx.Process(target=client_main, args=(port, plan, args.concurrency, out))
        backends = postgres_backends()
        srv0, pg0 = server_cpu(server.pid), postgres_cpu(backends)
        client.start()
        report = out.get(timeout=1800)
        backends = sorted(set(backends) | set(postgres_backends()))
        srv1, pg1 = server_cpu(server.pid), postgres_cpu(backends)
        client.join(timeout=60)
    finally:
        stop_server(server)

    results = report["results"]
    accepted: dict[int, str] = {}
    statuses: dict[int, int] = {}
    for i, status, receipt, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
        if status == 201:
            if i in accepted:
                log(f"voter {i} accepted twice!")
            accepted[i] = receipt
    lat = sorted(dt for _, status, _, dt in results if status in (201, 409))
    wall = report["wall"]
    rate = len(accepted) / wall
    p50 = statistics.median(lat) * 1000
    p95 = lat[int(0.95 * (len(lat) - 1))] * 1000
    p99 = lat[int(0.99 * (len(lat) - 1))] * 1000
    dups_sent = report["sent"] - args.voters
    later_refused = sum(1 for _, s in report["later"] if s == 409)

    problems = verify(plan, accepted)
    if statuses.get(409, 0) != dups_sent:
        problems.append(f"{statuses.get(409, 0)} repeats refused but {dups_sent} sent")
    if later_refused != len(report["later"]):
        problems.append(f"only {later_refused} of {len(report['later'])} later repeat votes refused")
    if len(accepted) != args.voters:
        problems.append(f"{len(accepted)} of {args.voters} voters' votes accepted (statuses {statuses})")

    ref = raw_reference(plan, args.reference, args.concurrency) if args.reference else 0.0

    print(f"voters                 {args.voters}")
    print(f"requests sent          {report['sent']} (+{len(report['later'])} later repeats)")
    print(f"responses              {dict(sorted(statuses.items()))}")
    print(f"wall time              {wall:.2f} s")
    print(f"ballots per second     {rate:.0f}   (target >= {TARGET_RATE:.0f}; ratio {rate / TARGET_RATE:.2f})")
    print(f"latency p50/p95/p99    {p50:.0f} / {p95:.0f} / {p99:.0f} ms   (target p95 < {TARGET_P95_MS:.0f} ms)")
    if ref:
        print(f"raw PostgreSQL inserts {ref:.0f} tx/s from {args.concurrency} threads (reference)")
        print(f"platform / raw ratio   {rate / ref:.2f}")
    verdict = "FAILED" if problems else "OK: every accepted vote stored exactly once, no voter twice"
    n_req = len(results)
    pg_used = sum(pg1[p] - pg0.get(p, 0.0) for p in pg1 if pg1[p] > 0)
    srv_ms, pg_ms, cli_ms = (srv1 - srv0) / n_req * 1000, pg_used / n_req * 1000, report["client_cpu"] / n_req * 1000
    print(f"CPU per request        server {srv_ms:.2f} ms, PostgreSQL backends {pg_ms:.2f} ms, client {cli_ms:.2f} ms")
    load1 = os.getloadavg()[0]
    cores = os.cpu_count() or 1
    print(f"machine                {cores} cores, load average {load1:.1f} at the end (other jobs share the CPU)")
    if srv_ms + pg_ms:
        print(
            f"CPU-bound capacity     {cores * 1000 / (srv_ms + pg_ms + cli_ms):.0f} ballots/s if these {cores} cores "
            f"were free (server+DB alone: {cores * 1000 / (srv_ms + pg_ms):.0f})"
        )
    print(f"verification           {verdict}")
    for p in problems:
        print(f"  - {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
