"""Benchmark: coopgov's Method of Equal Shares against pabutools 1.2.3, measured in one run.

    .venv/bin/python bench/bench_allocate.py [--skip-slow-reference] [--only NAME ...]

Three parts, each printing one line per instance with both timings, their ratio and whether the
two programs fund the same projects:

1. parse + plain MES on the five largest shared instances (Łódź 2022, Kraków 2024, Warszawa 2026,
   Budapest 2024, Wrocław 2015).  Targets: coopgov >= 200x faster and < 0.2 s per instance.
2. parse + MES with add1 completion on Katowice 2023, Wieliczka 2023, Świecie 2023, Toulouse 2019
   and Cambridge 2015.  Target: >= 100x faster.
3. parse + MES with add1 on the five largest instances.  Target: coopgov < 2 s each.  pabutools
   takes from minutes to over a quarter of an hour per instance here: ``--skip-slow-reference``
   skips its side of this part.

pabutools side: ``pabutools.election.parse_pabulib`` then ``method_of_equal_shares`` with its
default exact arithmetic (``voter_budget_increment=1`` for add1), satisfaction ``Cost_Sat`` for
approval/choose-1 ballots (cost utilities, coopgov's MES default), ``Additive_Cardinal_Sat`` for
cumulative ballots, and for Kraków's ordinal ballots ``Additive_Cardinal_Sat`` on the cardinal
profile with positional points (len(ballot) - rank; 3-2-1 there), which is coopgov's default.
coopgov side: ``read_pabulib`` + ``allocate(election, "mes", completion=...)`` in fast mode (best
of 3 runs; exact mode is timed too and must give the same projects).

Times are CPU seconds of this process (``time.process_time``), so that other jobs on a shared
machine do not distort the ratios; wall-clock seconds are printed beside them.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
DATA = ROOT.parent / "shared" / "data" / "budgets"

LARGEST = [
    "Poland_Lodz_2022.pb",
    "Poland_Krakow_2024.pb",
    "Poland_Warszawa_2026.pb",
    "Hungary_Budapest_2024.pb",
    "Poland_Wroclaw_2015_150_-_500.pb",
]
ADD1 = [
    "Poland_Katowice_2023.pb",
    "Poland_Wieliczka_2023_Green_Budget.pb",
    "Poland_Swiecie_2023.pb",
    "France_Toulouse_2019.pb",
    "US_Stanford_Dataset_PB_Cambridge_2015_vote_knapsacks.pb",
]


def _timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    c0, w0 = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.process_time() - c0, time.perf_counter() - w0


def coopgov_run(path: Path, completion: str | None, exact: bool) -> list[str]:
    from coopgov.budgeting import allocate
    from coopgov.budgeting._pabulib import read_pabulib

    e = read_pabulib(path, voter_ids=False)
    out = allocate(e, "mes", completion=completion, exact=exact)
    return [e.instance.projects[i].id for i in out.selected]


def pabutools_run(path: Path, add1: bool) -> list[str]:
    from pabutools.election import (
        AbstractApprovalProfile,
        AbstractOrdinalProfile,
        Additive_Cardinal_Sat,
        CardinalBallot,
        CardinalProfile,
        Cost_Sat,
        parse_pabulib,
    )
    from pabutools.rules import method_of_equal_shares

    instance, profile = parse_pabulib(str(path))
    if isinstance(profile, AbstractApprovalProfile):
        sat: Any = Cost_Sat
    else:
        sat = Additive_Cardinal_Sat
        if isinstance(profile, AbstractOrdinalProfile):
            cardinal = CardinalProfile(instance=instance)
            for ballot in profile:
                cardinal.append(CardinalBallot({p: len(ballot) - r for r, p in enumerate(ballot)}))
            profile = cardinal
    kwargs: dict[str, Any] = {"sat_class": sat}
    if add1:
        kwargs["voter_budget_increment"] = 1
    out = method_of_equal_shares(instance, profile, **kwargs)
    return [p.name for p in out]


def _warm_up() -> None:
    """Import both libraries and compile coopgov's code paths outside the timed region."""
    coopgov_run(DATA / "Netherlands_Assen_2024.pb", None, False)
    coopgov_run(DATA / "Netherlands_Assen_2024.pb", "add1", True)
    pabutools_run(DATA / "Netherlands_Assen_2024.pb", False)


def bench_one(name: str, completion: str | None, reference: bool, exact: bool = True) -> dict[str, Any]:
    path = DATA / name
    best_cpu = best_wall = float("inf")
    ours: list[str] = []
    for _ in range(3):
        ours, cpu, wall = _timed(lambda: coopgov_run(path, completion, False))
        best_cpu, best_wall = min(best_cpu, cpu), min(best_wall, wall)
        if cpu > 5:  # one run of a slow case is enough
            break
    row: dict[str, Any] = {"name": name, "ours": ours, "cpu": best_cpu, "wall": best_wall}
    if exact:
        exact_ids, exact_cpu, _ = _timed(lambda: coopgov_run(path, completion, True))
        row.update(exact_cpu=exact_cpu, exact_same=set(exact_ids) == set(ours))
    else:
        row.update(exact_cpu=float("nan"), exact_same=True)
    if reference:
        theirs, cpu, wall = _timed(lambda: pabutools_run(path, completion == "add1"))
        row.update(ref_cpu=cpu, ref_wall=wall, same=set(theirs) == set(ours))
        row["same_order"] = theirs == ours
    return row


def _print_row(row: dict[str, Any]) -> None:
    name = row["name"].removesuffix(".pb")[:40]
    ours = f"{row['cpu']:7.3f}s cpu {row['wall']:7.3f}s wall (exact {row['exact_cpu']:6.3f}s)"
    if "ref_cpu" in row:
        ratio = row["ref_cpu"] / row["cpu"] if row["cpu"] > 0 else float("inf")
        same = "identical" if row["same"] else "DIFFERENT"
        ref = f"pabutools {row['ref_cpu']:9.2f}s cpu {row['ref_wall']:9.2f}s wall  ratio {ratio:8.1f}x"
    else:
        same = "-"
        ref = "pabutools skipped (--skip-slow-reference)"
    exact = "" if row["exact_same"] else "  EXACT/FAST DIFFER"
    print(f"  {name:40} coopgov {ours}  {ref}  outcomes: {same}{exact}", flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--skip-slow-reference",
        action="store_true",
        help="do not run pabutools' add1 on the five largest instances (part 3)",
    )
    p.add_argument("--only", nargs="*", help="restrict to these file names")
    p.add_argument("--skip-exact", action="store_true", help="do not time coopgov's exact mode (faster run)")
    p.add_argument("--parts", default="123", help="which parts to run (default 123)")
    args = p.parse_args(argv)
    keep = (lambda n: n in args.only) if args.only else (lambda n: True)

    _warm_up()
    from coopgov.budgeting import _cvotes_api
    from coopgov.budgeting._mes_lean import kernel

    print(
        "coopgov's C parts: "
        + ("the pabulib VOTES reader" if _cvotes_api.available() else "no C reader (VOTES read in Python)")
        + ", "
        + (
            "the MES kernel (plain MES, and add1 jumping over certified increments)"
            if kernel() is not None
            else "no MES kernel (the numpy engine alone)"
        )
    )
    ok = True
    if "1" in args.parts:
        print("1. parse + plain MES, five largest instances (targets: >= 200x, < 0.2 s)")
        for name in filter(keep, LARGEST):
            row = bench_one(name, None, reference=True, exact=not args.skip_exact)
            _print_row(row)
            ratio = row["ref_cpu"] / row["cpu"]
            ok &= row["same"] and row["exact_same"] and ratio >= 200 and row["cpu"] < 0.2
    if "2" in args.parts:
        print("2. parse + MES with add1 (target: >= 100x)")
        for name in filter(keep, ADD1):
            row = bench_one(name, "add1", reference=True, exact=not args.skip_exact)
            _print_row(row)
            ok &= row["same"] and row["exact_same"] and row["ref_cpu"] / row["cpu"] >= 100
    if "3" in args.parts:
        print("3. parse + MES with add1, five largest instances (target: < 2 s)")
        for name in filter(keep, LARGEST):
            row = bench_one(name, "add1", reference=not args.skip_slow_reference, exact=not args.skip_exact)
            _print_row(row)
            ok &= row["exact_same"] and row["cpu"] < 2 and row.get("same", True)
    print("all targets met" if ok else "SOME TARGETS MISSED (see above)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
