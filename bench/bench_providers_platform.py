"""Benchmark: the platform's provider register on a synthetic 60,000-location CQC directory.

Uses bench_ownership's synthetic directory and registers (fixed seed, CQC's column layout) and
times, in one process against a fresh database (SQLite in a temporary directory unless
DATABASE_URL is set):

    reference  the plain-Python core alone: read the five files + classify (no database)
    import     do_import_cqc_register: the same reading and classification, then the
               all-or-nothing write of providers and locations in one transaction
    compare    the comparison page's numbers from the database (records, share table,
               ordinal regression), cold; then the same request served from the cache
    directory  the public directory: first page, a filtered page and a deep page (test client)

and prints the import's ratio against the reference measured in the same run (what the
database write costs on top of the core).

    .venv/bin/python bench/bench_providers_platform.py [--locations 60000] [--seed 7]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--locations", type=int, default=60000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_providers_") as tmp:
        out = Path(tmp)
        os.environ.setdefault("COOPGOV_TESTING", "1")
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{out / 'bench.sqlite3'}")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopgov.web.settings")
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import django

        django.setup()
        from django.core.management import call_command
        from django.test import Client
        from django.test.utils import setup_test_environment

        from bench_ownership import synthesise  # type: ignore[import-not-found]

        setup_test_environment()
        call_command("migrate", verbosity=0)
        paths = synthesise(args.locations, args.seed, out)
        files = [paths[k] for k in ("directory", "companies", "mutuals", "charities", "eo")]
        print(f"synthesised {args.locations:,} locations; database {django.db.connection.vendor}")

        import statsmodels.miscmodels.ordinal_model  # noqa: F401  (warm the import outside the timings)

        from coopgov import ownership as own
        from coopgov.apps.providers import comparison
        from coopgov.apps.providers.services import do_import_cqc_register

        t, c = time.perf_counter(), time.process_time()
        locs = own.merge_locations(own.read_cqc_directory(files[0]))
        reg = own.Registers.build(
            companies=own.read_companies_house(files[1]),
            societies=own.read_fca_mutuals(files[2]),
            charities=own.read_charity_commission(files[3]),
            employee_owned=own.read_employee_owned(files[4]),
        )
        classes = own.classify_providers(own.providers_from_locations(locs), reg)
        ref, ref_cpu = time.perf_counter() - t, time.process_time() - c

        t, c = time.perf_counter(), time.process_time()
        outcome = do_import_cqc_register(actor=None, paths=files)
        imp, imp_cpu = time.perf_counter() - t, time.process_time() - c
        assert outcome.providers == len(classes)
        t, c = time.perf_counter(), time.process_time()
        outcome = do_import_cqc_register(actor=None, paths=files)
        reimp, reimp_cpu = time.perf_counter() - t, time.process_time() - c

        t, c = time.perf_counter(), time.process_time()
        cold = comparison.cached_comparison(comparison.Filters())
        compare_cold, compare_cpu = time.perf_counter() - t, time.process_time() - c
        t = time.perf_counter()
        comparison.cached_comparison(comparison.Filters())
        compare_hot = time.perf_counter() - t

        client = Client()
        timings = {}
        for label, url in (
            ("directory page 1", "/providers/"),
            ("directory filtered", "/providers/?model=not_for_profit&region=London&rating=Good"),
            ("directory page 2000", "/providers/?page=2000"),
            ("comparison page (cached)", "/providers/compare/"),
            ("comparison by region, Safe (cold)", "/providers/compare/?by=region&key_question=Safe"),
        ):
            t = time.perf_counter()
            r = client.get(url)
            timings[label] = time.perf_counter() - t
            assert r.status_code == 200, (url, r.status_code)

    print(f"locations {outcome.locations:,}, providers {outcome.providers:,}; regression n={cold.regression.n:,}")  # type: ignore[union-attr]
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.1f} (wall time includes waiting for other jobs)")
    print(f"  {'phase':<36} {'wall s':>7} {'CPU s':>7}")
    print(f"  {'reference: core read + classify':<36} {ref:7.2f} {ref_cpu:7.2f}")
    print(f"  {'import (read, classify, write)':<36} {imp:7.2f} {imp_cpu:7.2f}")
    print(f"  {'re-import (update providers)':<36} {reimp:7.2f} {reimp_cpu:7.2f}")
    print(f"  {'comparison from the database, cold':<36} {compare_cold:7.2f} {compare_cpu:7.2f}")
    print(f"  comparison from the cache           {compare_hot * 1000:6.1f} ms")
    for label, v in timings.items():
        print(f"  GET {label:<32} {v * 1000:6.0f} ms")
    print(f"ratio import / core reference: wall {imp / ref:.2f}, CPU {imp_cpu / ref_cpu:.2f}")
    print(f"ratio re-import / core reference: wall {reimp / ref:.2f}, CPU {reimp_cpu / ref_cpu:.2f}")
    total_cpu = imp_cpu + compare_cpu
    print(
        f"ratio (import + cold comparison) / 10 s target: wall {(imp + compare_cold) / 10:.2f}, CPU {total_cpu / 10:.2f}"
    )


if __name__ == "__main__":
    main()
