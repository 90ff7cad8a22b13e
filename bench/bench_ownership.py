"""Benchmark: import, classify and compare a synthetic 60,000-location CQC directory.

Synthesises (fixed seed) a CQC directory in CQC's column layout (title rows above the header,
one Y/blank column per regulated activity, service type and service-user band), a Companies
House basic-company-data file for its providers, an FCA mutuals extract, a Charity Commission
extract and an employee-owned list; then times each phase of coopgov's pipeline end to end:

    import    read_cqc_directory + the four registers (streaming csv)
    classify  providers_from_locations + classify_providers
    compare   share tables by ownership × service type, region and year (overall + 5 key
              questions), forced into a chart, and the ordinal logistic regression

and prints the wall-clock and CPU time per phase and their ratios against the 10 s target. On
a shared machine the CPU time is what the pipeline costs; the wall time adds the wait for other
jobs (the load average is printed). As a reference it runs a plain-pandas version of import +
classify + share tables (read_csv, merge, np.select, groupby) in the same process and prints
the ratio against it (the regression is not part of the reference).

    .venv/bin/python bench/bench_ownership.py [--locations 60000] [--seed 7]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 10.0
REGIONS = ["London", "South East", "South West", "East", "East Midlands", "West Midlands",
           "North West", "North East", "Yorkshire and The Humber"]  # fmt: skip
ACTIVITIES = ["Accommodation for persons who require nursing or personal care", "Personal care",
              "Treatment of disease, disorder or injury", "Diagnostic and screening procedures"]  # fmt: skip
SERVICE_TYPES = ["Care home service with nursing", "Care home service without nursing",
                 "Domiciliary care service", "Supported living service", "Extra Care housing services"]  # fmt: skip
BANDS = ["Dementia", "Older People", "Younger Adults", "Learning disabilities or autistic spectrum disorder",
         "Mental health", "Physical disability", "Sensory impairment"]  # fmt: skip
HEADER = [
    "Location ID", "Location ODS Code", "Location Name", "Care home?", "Location Type/Sector",
    "Location Primary Inspection Category", "Location Latest Overall Rating", "Publication Date",
    "Location Region", "Location Local Authority", "Location Postal Code", "Care homes beds",
    "Provider ID", "Provider Name", "Provider Companies House Number", "Provider Charity Number",
    "Provider Type/Sector", "Provider Ownership Type", "Brand ID", "Brand Name",
    "Location safe rating", "Location effective rating", "Location caring rating",
    "Location responsive rating", "Location well-led rating",
    *(f"Regulated activity - {a}" for a in ACTIVITIES),
    *(f"Service type - {s}" for s in SERVICE_TYPES),
    *(f"Service user band - {b}" for b in BANDS),
]  # fmt: skip
CH_HEADER = ["CompanyName", " CompanyNumber", "RegAddress.PostTown", "CompanyCategory", "CompanyStatus",
             "DissolutionDate", "IncorporationDate", "SICCode.SicText_1", "SICCode.SicText_2",
             "SICCode.SicText_3", "SICCode.SicText_4"]  # fmt: skip
# provider kinds: (weight, CompanyCategory or None, CQC ownership type, goodness shift)
KINDS = [
    (0.74, "Private Limited Company", "Organisation", 0.0),
    (0.06, "PRI/LTD BY GUAR/NSC (Private, limited by guarantee, no share capital)", "Organisation", 0.5),
    (0.05, "charity", "Organisation", 0.6),
    (0.03, "Community Interest Company", "Organisation", 0.4),
    (0.02, "society", "Organisation", 0.7),
    (0.02, "eo", "Organisation", 0.6),
    (0.04, None, "Individual", -0.1),
    (0.01, None, "Partnership", -0.1),
    (0.025, "council", "Organisation", 0.8),
    (0.005, None, "NHS Body", 0.3),
]
GRADES = ["Inadequate", "Requires improvement", "Good", "Outstanding"]


def synthesise(n_locations: int, seed: int, out: Path) -> dict[str, Path]:
    rng = random.Random(seed)
    n_providers = max(10, n_locations // 3)
    providers = []
    weights = [k[0] for k in KINDS]
    for p in range(n_providers):
        kind = rng.choices(KINDS, weights)[0]
        pid = f"1-{100000000 + p}"
        cat = kind[1]
        if cat == "society":
            number = f"RS{p:06d}"
        elif cat is None or cat == "council":
            number = ""
        else:
            number = f"{10000000 + p:08d}"
        name = f"Council of Place {p}" if cat == "council" else f"Provider {p} Care Ltd"
        providers.append((pid, name, number, cat, kind[2], kind[3]))
    # a few big chains: Zipf-like choice of provider per location
    pweights = [1.0 / (1 + i) ** 0.9 for i in range(n_providers)]
    paths = {k: out / f"{k}.csv" for k in ("directory", "companies", "mutuals", "charities", "eo")}
    with paths["directory"].open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Care directory with ratings (synthetic)"] + [""] * (len(HEADER) - 1))
        w.writerow([""] * len(HEADER))
        w.writerow(HEADER)
        chosen = rng.choices(range(n_providers), pweights, k=n_locations)
        for i, pi in enumerate(chosen):
            pid, pname, number, cat, otype, shift = providers[pi]
            st = rng.choices(SERVICE_TYPES, [0.2, 0.3, 0.35, 0.1, 0.05])[0]
            care_home = st.startswith("Care home")
            beds = str(rng.randint(3, 120)) if care_home else "0"
            ratings = []
            for _ in range(6):
                if rng.random() < 0.12:
                    ratings.append("")
                    continue
                latent = shift + rng.gauss(0, 1)
                g = 0 if latent < -1.9 else 1 if latent < -0.6 else 2 if latent < 1.6 else 3
                r = GRADES[g]
                ratings.append("Requires Improvement" if g == 1 and rng.random() < 0.3 else r)
            if ratings[0] == "" and rng.random() < 0.3:
                ratings[0] = "Not rated"
            year = rng.randint(2014, 2025)
            row = [
                f"1-{2000000000 + i}", "", f"Location {i}", "Y" if care_home else "N", "Social Care Org",
                "Residential social care" if care_home else "Community based adult social care services",
                ratings[0], f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year}",
                rng.choice(REGIONS), "Somewhere", "AB1 2CD", beds, pid, pname, number,
                f"{1100000 + pi}" if cat == "charity" else "", "Social Care Org", otype,
                f"BD{pi % 500:03d}" if pi < 500 else "", f"BRAND Group {pi}" if pi < 500 else "",
                *ratings[1:],
                *("Y" if (a == 0 and care_home) or (a == 1 and not care_home) else "" for a in range(len(ACTIVITIES))),
                *("Y" if s == st else "" for s in SERVICE_TYPES),
                *("Y" if rng.random() < 0.3 else "" for _ in BANDS),
            ]  # fmt: skip
            w.writerow(row)
    with paths["companies"].open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(CH_HEADER)
        for _pid, pname, number, cat, _o, _s in providers:
            if not number:
                continue
            category = {
                "society": "Registered Society",
                "charity": "PRI/LTD BY GUAR/NSC (Private, limited by guarantee, no share capital)",
                "eo": "Private Limited Company",
            }.get(cat or "", cat or "")
            status = "Dissolved" if rng.random() < 0.01 else "Active"
            w.writerow([pname.upper(), number, "TOWN", category, status, "", "01/01/2010",
                        "87100 - Residential nursing care facilities", "", "", ""])  # fmt: skip
    with paths["mutuals"].open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Society Number", "Society Name", "Society Status", "Registration Act", "Society Type"])
        for p, (_pid, pname, _number, cat, _o, _s) in enumerate(providers):
            if cat == "society":
                kind = "Co-operative Society" if p % 2 else "Community Benefit Society"
                w.writerow(
                    [f"{p}R", pname, "Registered", "Co-operative and Community Benefit Societies Act 2014", kind]
                )
    with paths["charities"].open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter="\t")
        w.writerow(["registered_charity_number", "linked_charity_number", "charity_name",
                    "charity_registration_status", "charity_type", "charity_company_registration_number"])  # fmt: skip
        for p, (_pid, pname, number, cat, _o, _s) in enumerate(providers):
            if cat == "charity":
                w.writerow([f"{1100000 + p}", "0", pname, "Registered", "Charitable company", number])
    with paths["eo"].open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "company_number", "model", "source"])
        for _pid, pname, number, cat, _o, _s in providers:
            if cat == "eo":
                w.writerow([pname, number, "employee-owned", "synthetic"])
    return paths


class _Clock:
    """Wall-clock and CPU (process) time per phase: on a shared machine the CPU time is what
    the pipeline itself costs; the wall time adds waiting for the other jobs."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._w = time.perf_counter()
        self._c = time.process_time()

    def lap(self, name: str) -> None:
        w, c = time.perf_counter(), time.process_time()
        self.wall[name], self.cpu[name] = w - self._w, c - self._c
        self._w, self._c = w, c


def run_coopgov(paths: dict[str, Path], chart: Path) -> tuple[_Clock, dict[str, object]]:
    from coopgov import ownership as own

    clock = _Clock()
    rep = own.ImportReport()
    locations = list(own.read_cqc_directory(paths["directory"], report=rep))
    registers = own.Registers.build(
        companies=own.read_companies_house(paths["companies"]),
        societies=own.read_fca_mutuals(paths["mutuals"]),
        charities=own.read_charity_commission(paths["charities"]),
        employee_owned=own.read_employee_owned(paths["eo"]),
    )
    clock.lap("import")
    classes = own.classify_providers(own.providers_from_locations(locations), registers)
    records = own.records_from_locations(locations, classes)
    clock.lap("classify")
    tables = {}
    for kq in own.KEY_QUESTIONS:  # by ownership for every key question
        tables[(kq, ("ownership",))] = own.share_table(records, key_question=kq)
    for by in (("ownership", "service_type"), ("ownership", "region"), ("ownership", "year")):
        tables[("Overall", by)] = own.share_table(records, by=by)
    alt = own.share_chart(tables[("Overall", ("ownership",))], chart)
    clock.lap("share tables + chart")
    reg = own.rating_regression(records)
    clock.lap("regression")
    info: dict[str, object] = {
        "locations": len(locations),
        "problems": len(rep.problems),
        "providers": len(classes),
        "tables": tables,
        "regression": reg,
        "alt": alt,
    }
    return clock, info


def run_pandas_reference(paths: dict[str, Path]) -> tuple[float, object]:
    import numpy as np
    import pandas as pd

    t0 = time.perf_counter()
    d = pd.read_csv(paths["directory"], skiprows=2, dtype=str, keep_default_na=False)
    ch = pd.read_csv(paths["companies"], dtype=str, keep_default_na=False)
    ch.columns = [c.strip() for c in ch.columns]
    fca = pd.read_csv(paths["mutuals"], dtype=str, keep_default_na=False)
    cc = pd.read_csv(paths["charities"], sep="\t", dtype=str, keep_default_na=False)
    eo = pd.read_csv(paths["eo"], dtype=str, keep_default_na=False)
    cols = ["Provider ID", "Provider Name", "Provider Companies House Number", "Provider Charity Number",
            "Provider Ownership Type"]  # fmt: skip
    prov = d.drop_duplicates("Provider ID")[cols]
    prov = prov.merge(ch, left_on="Provider Companies House Number", right_on="CompanyNumber", how="left")
    socnums = set("RS" + fca["Society Number"].str.rstrip("R").str.zfill(6))
    live = prov["CompanyStatus"].fillna("") != "Dissolved"
    cat = prov["CompanyCategory"].fillna("")
    model = np.select(
        [
            prov["Provider Ownership Type"] == "NHS Body",
            prov["Provider Name"].str.contains("Council", regex=False)
            & (prov["Provider Companies House Number"] == ""),
            prov["Provider Companies House Number"].isin(socnums),
            prov["Provider Charity Number"].isin(set(cc["registered_charity_number"])),
            prov["Provider Companies House Number"].isin(set(eo["company_number"])),
            live & (cat.str.contains("Community Interest") | cat.str.contains("GUAR/NSC")),
            live & cat.str.contains("Limited Company"),
            prov["Provider Ownership Type"].isin(["Individual", "Partnership"]),
        ],
        ["nhs", "local_authority", "cooperative", "not_for_profit", "employee_owned", "not_for_profit",
         "for_profit", "for_profit"],
        default="unknown",
    )  # fmt: skip
    d = d.merge(pd.DataFrame({"Provider ID": prov["Provider ID"], "model": model}), on="Provider ID")
    st_cols = [c for c in d.columns if c.startswith("Service type - ")]
    d["service_type"] = d[st_cols].eq("Y").idxmax(axis=1).str.removeprefix("Service type - ")
    d["year"] = d["Publication Date"].str[-4:]
    out = {}
    kq_cols = ["Location Latest Overall Rating", "Location safe rating", "Location effective rating",
               "Location caring rating", "Location responsive rating", "Location well-led rating"]  # fmt: skip
    for col in kq_cols:  # same tables as coopgov: by model for each key question, crossed for Overall
        r = d[col].str.lower()
        rated = d[r.isin(["inadequate", "requires improvement", "good", "outstanding"])].copy()
        rated["good"] = rated[col].str.lower().isin(["good", "outstanding"])
        rated["inad"] = rated[col].str.lower() == "inadequate"
        crossed = (["model", "service_type"], ["model", "Location Region"], ["model", "year"])
        for by in (["model"], *(crossed if col == kq_cols[0] else ())):
            g = rated.groupby(by).agg(n=("good", "size"), good=("good", "sum"), inad=("inad", "sum"))
            from statsmodels.stats.proportion import proportion_confint

            g["lo"], g["hi"] = proportion_confint(g["good"], g["n"], method="wilson")
            out[(col, tuple(by))] = g
    return time.perf_counter() - t0, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--locations", type=int, default=60000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_ownership_") as tmp:
        out = Path(tmp)
        t = time.perf_counter()
        paths = synthesise(args.locations, args.seed, out)
        size = paths["directory"].stat().st_size / 1e6
        took = time.perf_counter() - t
        print(f"synthesised {args.locations:,} locations ({size:.1f} MB directory) in {took:.1f} s (not timed)")
        # warm the imports so neither side pays for them inside its timing
        import pandas  # noqa: F401
        import statsmodels.miscmodels.ordinal_model  # noqa: F401

        clock, info = run_coopgov(paths, out / "chart.png")
        t, c = time.perf_counter(), time.process_time()
        run_pandas_reference(paths)
        ref_wall, ref_cpu = time.perf_counter() - t, time.process_time() - c
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.1f} at the end of the run")
    print(f"locations read: {info['locations']:,}; rows reported: {info['problems']}; providers: {info['providers']:,}")
    print(f"  {'phase':<22} {'wall s':>7} {'CPU s':>7}")
    for name in clock.wall:
        print(f"  {name:<22} {clock.wall[name]:7.2f} {clock.cpu[name]:7.2f}")
    wall, cpu = sum(clock.wall.values()), sum(clock.cpu.values())
    print(f"  {'total (coopgov)':<22} {wall:7.2f} {cpu:7.2f}")
    for what, v in (("wall", wall), ("CPU", cpu)):
        verdict = "met" if v < TARGET_SECONDS else "MISSED"
        print(f"ratio {what} total / {TARGET_SECONDS:.0f} s target: {v / TARGET_SECONDS:.2f} ({verdict})")
    ex_wall = wall - clock.wall["regression"]
    ex_cpu = cpu - clock.cpu["regression"]
    print(f"plain-pandas reference (import + classify + share tables): wall {ref_wall:.2f} s, CPU {ref_cpu:.2f} s")
    print(
        f"ratio coopgov / pandas, same phases (chart incl.): wall {ex_wall / ref_wall:.2f}, CPU {ex_cpu / ref_cpu:.2f}"
    )
    reg = info["regression"]
    first = reg.odds_ratios[0]  # type: ignore[attr-defined]
    print(
        f"regression n={reg.n:,}, {len(reg.odds_ratios)} terms, dropped {list(reg.dropped)}; "  # type: ignore[attr-defined]
        f"e.g. {first.term} OR {first.odds_ratio:.2f} ({first.lower:.2f}-{first.upper:.2f})"
    )


if __name__ == "__main__":
    main()
