"""Compute pabutools' outcomes for the shared pabulib instances and store them as golden files.

pabutools (test-only dependency, used as the oracle) is slow on the large instances (minutes
for plain MES, up to a quarter of an hour for MES with add1), so its outcomes are computed once
here and stored as small JSON files in ``tests/budgeting/golden/<file stem>.json``. The tests
compare coopgov's rules against these files.

Usage (from the project root)::

    .venv/bin/python bench/make_budget_goldens.py                   # every instance, smallest first
    .venv/bin/python bench/make_budget_goldens.py --max-voters 20000
    .venv/bin/python bench/make_budget_goldens.py --only Poland_Swiecie_2023 --variants mes,mes+add1

Each instance is run with pabutools' defaults: exact gmpy2 fractions, lexicographic
tie-breaking on the project id, a multiprofile (identical ballots grouped; this does not change
the outcome, only pabutools' speed). Existing entries are kept unless ``--force`` is given.

Utilities (``sat``) per vote type:

* approval / choose-1 (and knapsack files stored as approval): ``cost`` (pabutools ``Cost_Sat``:
  u_i(p) = cost(p) if i approves p) and ``cardinality`` (``Cardinality_Sat``: u_i(p) = 1);
* cumulative: ``points`` (``Additive_Cardinal_Sat``: the points the voter gave);
* ordinal: ``points`` with positional points L - r for the project at rank r = 0, 1, ... where L
  is META ``max_length`` (else the longest ballot): Kraków's 3-2-1 for 3-long ballots. The
  ordinal profile is converted to a cardinal one with these points before calling pabutools.

Variants:

* ``mes``: ``method_of_equal_shares`` with the sat above;
* ``mes+greedy``: ``completion_by_rule_combination([mes, greedy_utilitarian_welfare])``;
* ``mes+add1``: ``method_of_equal_shares(voter_budget_increment=1)``;
* ``mes+add1+greedy``: add1 followed by the greedy completion;
* ``greedy``: ``greedy_utilitarian_welfare`` (needed for the comparison step);
* ``mes+add1+comparison``: equalshares.net's comparison step (js/methodOfEqualSharesWorker.js,
  ``comparisonStep`` with comparison "satisfaction"): the add1 outcome is replaced by the greedy
  outcome (Cost_Sat, i.e. by number of votes) iff strictly more voters approve more projects of
  the greedy outcome than of the add1 outcome. Computed here from the two pabutools outcomes;
  approval only;
* ``phragmen``: ``sequential_phragmen`` (approval only).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "budgets"
GOLDEN = ROOT / "tests" / "budgeting" / "golden"

ALL_VARIANTS = (
    "mes",
    "mes+greedy",
    "greedy",
    "phragmen",
    "mes+add1",
    "mes+add1+greedy",
    "mes+add1+comparison",
)


def _count_voters(path: Path) -> int:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("num_votes;"):
                return int(line.split(";")[1])
    return 0


def _load(path: Path) -> tuple[Any, Any, str]:
    from pabutools.election import (
        AbstractApprovalProfile,
        AbstractCardinalProfile,
        AbstractOrdinalProfile,
        CardinalBallot,
        CardinalProfile,
        parse_pabulib,
    )

    instance, profile = parse_pabulib(str(path))
    if isinstance(profile, AbstractApprovalProfile):
        kind = "approval"
    elif isinstance(profile, AbstractCardinalProfile):
        kind = "cumulative"
    elif isinstance(profile, AbstractOrdinalProfile):
        kind = "ordinal"
        max_len = instance.meta.get("max_length")
        length = int(max_len) if max_len else max(len(b) for b in profile)
        cardinal = CardinalProfile(instance=instance)
        for ballot in profile:
            cardinal.append(CardinalBallot({p: length - r for r, p in enumerate(ballot)}))
        profile = cardinal
    else:
        raise SystemExit(f"{path.name}: unsupported profile type {type(profile).__name__}")
    return instance, profile.as_multiprofile(), kind


def _sats(kind: str) -> dict[str, Any]:
    from pabutools.election import Additive_Cardinal_Sat, Cardinality_Sat, Cost_Sat

    if kind == "approval":
        return {"cost": Cost_Sat, "cardinality": Cardinality_Sat}
    return {"points": Additive_Cardinal_Sat}


def _ids(alloc: Any) -> list[str]:
    return [p.name for p in alloc]


def _comparison(profile: Any, mes: list[str], greedy: list[str]) -> tuple[list[str], int, int]:
    """equalshares.net comparison step, 'satisfaction' variant (number of approved winners)."""
    mes_set, greedy_set = set(mes), set(greedy)
    prefers_mes = prefers_greedy = 0
    for ballot in profile:
        names = {p.name for p in ballot}
        a, b = len(names & mes_set), len(names & greedy_set)
        mult = profile.multiplicity(ballot)
        if a > b:
            prefers_mes += mult
        elif b > a:
            prefers_greedy += mult
    return (greedy if prefers_greedy > prefers_mes else mes), prefers_mes, prefers_greedy


def _runners(instance: Any, profile: Any, sat: Any) -> dict[str, Callable[[], list[str]]]:
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
        sequential_phragmen,
    )

    return {
        "mes": lambda: _ids(method_of_equal_shares(instance, profile, sat_class=sat)),
        "mes+greedy": lambda: _ids(
            completion_by_rule_combination(
                instance,
                profile,
                [method_of_equal_shares, greedy_utilitarian_welfare],
                [{"sat_class": sat}, {"sat_class": sat}],
            )
        ),
        "greedy": lambda: _ids(greedy_utilitarian_welfare(instance, profile, sat_class=sat)),
        "phragmen": lambda: _ids(sequential_phragmen(instance, profile)),
        "mes+add1": lambda: _ids(method_of_equal_shares(instance, profile, sat_class=sat, voter_budget_increment=1)),
        "mes+add1+greedy": lambda: _ids(
            completion_by_rule_combination(
                instance,
                profile,
                [method_of_equal_shares, greedy_utilitarian_welfare],
                [{"sat_class": sat, "voter_budget_increment": 1}, {"sat_class": sat}],
            )
        ),
    }


def _save(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    from importlib.metadata import version

    import pabutools  # noqa: F401  (fail early if the oracle is missing)

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", help="file stems to process")
    ap.add_argument("--max-voters", type=int, default=None)
    ap.add_argument("--min-voters", type=int, default=0)
    ap.add_argument("--variants", default=",".join(ALL_VARIANTS))
    ap.add_argument("--sats", default=None, help="comma list of sats to run (default all)")
    ap.add_argument("--force", action="store_true")
    args = ap.parse_args(argv)
    variants = [v for v in args.variants.split(",") if v]
    GOLDEN.mkdir(parents=True, exist_ok=True)

    files = sorted(DATA.glob("*.pb"), key=_count_voters)
    for path in files:
        n = _count_voters(path)
        if args.only and path.stem not in args.only:
            continue
        if args.max_voters is not None and n > args.max_voters:
            continue
        if n < args.min_voters:
            continue
        out = GOLDEN / f"{path.stem}.json"
        data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
        data.update({"file": path.name, "pabutools_version": version("pabutools"), "voters": n})
        data.setdefault("results", {})
        t0 = time.perf_counter()
        instance, profile, kind = _load(path)
        data["kind"] = kind
        print(f"{path.name}: parsed ({kind}) in {time.perf_counter() - t0:.1f}s", flush=True)
        for sat_name, sat in _sats(kind).items():
            if args.sats and sat_name not in args.sats.split(","):
                continue
            runners = _runners(instance, profile, sat)
            for variant in variants:
                key = f"{variant}/{sat_name}"
                if variant == "phragmen":
                    if kind != "approval" or sat_name != "cost":
                        continue
                    key = "phragmen"
                if key in data["results"] and not args.force:
                    continue
                if variant == "mes+add1+comparison":
                    if kind != "approval" or sat_name != "cost":
                        continue
                    a = data["results"].get("mes+add1/cost")
                    g = data["results"].get("greedy/cost")
                    if a is None or g is None:
                        continue
                    chosen, pm, pg = _comparison(profile, a["selected"], g["selected"])
                    data["results"][key] = {
                        "selected": chosen,
                        "prefers_mes": pm,
                        "prefers_greedy": pg,
                        "seconds": 0.0,
                    }
                    _save(out, data)
                    continue
                t0 = time.perf_counter()
                selected = runners[variant]()
                dt = time.perf_counter() - t0
                data["results"][key] = {"selected": selected, "seconds": round(dt, 3)}
                _save(out, data)
                print(f"  {key}: {len(selected)} projects in {dt:.1f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
