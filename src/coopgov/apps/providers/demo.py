"""Demo content: a synthetic but realistic register of ~300 care locations (fictional names).

The real CQC files live outside the shipped app, so the demo generates files in CQC's and the
registers' own layouts (fixed seed) and runs them through :func:`services.do_import_cqc_register`,
exactly as an officer's import would. Ratings lean by ownership model roughly as the published
research finds (for-profit homes more often Inadequate), so the comparison page has a story.
"""

from __future__ import annotations

import csv
import random
import tempfile
from pathlib import Path
from typing import Any

from .services import ImportOutcome, do_import_cqc_register

REGIONS = [
    ("South West", ["Devon", "Plymouth", "Bristol"], ["EX", "PL", "BS"]),
    ("London", ["Camden", "Hackney", "Croydon"], ["NW", "E", "CR"]),
    ("North East", ["Newcastle upon Tyne", "Durham"], ["NE", "DH"]),
    ("Yorkshire and The Humber", ["Leeds", "Sheffield"], ["LS", "S"]),
    ("East of England", ["Norfolk", "Cambridgeshire"], ["NR", "CB"]),
    ("West Midlands", ["Birmingham", "Coventry"], ["B", "CV"]),
]
SERVICE_TYPES = [
    ("Care home service with nursing", 0.25),
    ("Care home service without nursing", 0.3),
    ("Domiciliary care service", 0.3),
    ("Supported living service", 0.1),
    ("Extra Care housing services", 0.05),
]
MULTI_NOTE = "Society rules: worker and user members"
ACT_2014 = "Co-operative and Community Benefit Societies Act 2014"
GUARANTEE = "PRI/LTD BY GUAR/NSC (Private, limited by guarantee, no share capital)"
INWARD = "ABDEFGHJLNPQRSTUWXYZ"
GRADES = ["Inadequate", "Requires improvement", "Good", "Outstanding"]
WORDS = ["Meadow", "Harbour", "Beacon", "Willow", "Oakfield", "Riverside", "Heather", "Lantern", "Orchard",
         "Kestrel", "Bramble", "Fernlea", "Highcroft", "Larkspur", "Moorland", "Rowan", "Saltings", "Tamar",
         "Valley", "Wrenfield", "Ashgrove", "Brookside", "Cedar", "Dunmore", "Elmstead"]  # fmt: skip
HOME_WORDS = ["House", "Lodge", "Court", "Manor", "View", "Gardens", "Grange", "Place"]

# (kind, number of providers, locations per provider range, goodness shift, CQC ownership type)
KINDS: list[tuple[str, int, tuple[int, int], float, str]] = [
    ("for_profit", 70, (1, 3), -0.25, "Organisation"),
    ("chain", 4, (8, 14), -0.35, "Organisation"),
    ("private_equity", 2, (10, 16), -0.45, "Organisation"),
    ("charity", 16, (1, 4), 0.35, "Organisation"),
    ("guarantee", 6, (1, 2), 0.3, "Organisation"),
    ("cic", 6, (1, 2), 0.3, "Organisation"),
    ("coop", 6, (1, 3), 0.5, "Organisation"),
    ("multi", 3, (1, 3), 0.55, "Organisation"),
    ("employee_owned", 5, (1, 3), 0.45, "Organisation"),
    ("council", 6, (2, 5), 0.6, "Organisation"),
    ("nhs", 2, (1, 2), 0.3, "NHS Body"),
    ("individual", 8, (1, 1), -0.1, "Individual"),
]


PLACES = ["Vale", "Park", "Hill", "Bay", "Cross", "Brook", "Green", "Moor", "Quay", "Down"]


def _provider_name(kind: str, i: int, rng: random.Random) -> str:
    w = f"{rng.choice(WORDS)} {rng.choice(PLACES)}" if i >= len(WORDS) else rng.choice(WORDS)
    return {
        "for_profit": f"{w} Care Services Ltd",
        "chain": f"{w} Healthcare Group Limited",
        "private_equity": f"{w} Living Holdings Limited",
        "charity": f"{w} Care Trust",
        "guarantee": f"{w} Community Care Association",
        "cic": f"{w} Home Support CIC",
        "coop": f"{w} Care Co-operative Limited",
        "multi": f"{w} Care Co-op (multi-stakeholder) Limited",
        "employee_owned": f"{w} Partners in Care Ltd",
        "council": [
            "Exampleshire County Council",
            "Northdale Borough Council",
            "Westmoor City Council",
            "Eastholme District Council",
            "Southvale Council",
            "London Borough of Fernham",
        ][i % 6],
        "nhs": ["Northdale NHS Foundation Trust", "Westmoor Community Health NHS Trust"][i % 2],
        "individual": f"Mrs {w} and Mr {rng.choice(WORDS)}",
    }[kind]


def write_demo_files(out: Path, seed: int = 2024) -> tuple[list[Path], dict[str, str]]:
    """Write the directory and the four registers into ``out``; return the paths and the PE list."""
    rng = random.Random(seed)
    directory = out / "demo_cqc_directory.csv"
    companies = out / "demo_companies_house.csv"
    mutuals = out / "demo_fca_mutuals.csv"
    charities = out / "demo_charity_commission.txt"
    eo = out / "demo_employee_owned.csv"
    header = ["Location ID", "Location Name", "Care home?", "Location Latest Overall Rating", "Publication Date",
              "Location Region", "Location Local Authority", "Location Postal Code", "Care homes beds",
              "Provider ID", "Provider Name", "Provider Companies House Number", "Provider Charity Number",
              "Provider Ownership Type", "Brand Name", "Location safe rating", "Location effective rating",
              "Location caring rating", "Location responsive rating", "Location well-led rating",
              *(f"Service type - {s}" for s, _ in SERVICE_TYPES)]  # fmt: skip
    ch_rows: list[list[str]] = []
    fca_rows: list[list[str]] = []
    cc_rows: list[list[str]] = []
    eo_rows: list[list[str]] = []
    pe: dict[str, str] = {}
    loc_rows: list[list[str]] = []
    p = 0
    loc = 0
    used: set[str] = set()
    for kind, count, (lo, hi), shift, otype in KINDS:
        for i in range(count):
            p += 1
            pid = f"1-9{p:08d}"
            name = _provider_name(kind, p if kind not in ("council", "nhs") else i, rng)
            while name in used and kind not in ("council", "nhs"):
                name = _provider_name(kind, len(WORDS) + p, rng)
            used.add(name)
            number = ""
            charity = ""
            brand = ""
            if kind in ("for_profit", "chain", "private_equity", "employee_owned"):
                number = f"{9000000 + p:08d}"
                ch_rows.append([name.upper(), number, "Private Limited Company", "Active"])
                if kind == "employee_owned":
                    eo_rows.append([name, number, "employee-owned", "Employee Ownership Association member list"])
                if kind in ("chain", "private_equity"):
                    brand = f"BRAND {name.split()[0]} Homes"
                if kind == "private_equity":
                    pe[name] = "Demo: press report of a private-equity acquisition"
            elif kind in ("guarantee", "charity"):
                number = f"{9000000 + p:08d}"
                # one charity is a company limited by shares at Companies House: conflicting evidence to review
                category = "Private Limited Company" if kind == "charity" and i == 0 else GUARANTEE
                ch_rows.append([name.upper(), number, category, "Active"])
                if kind == "charity":
                    charity = f"{1190000 + p}"
                    cc_rows.append([charity, "0", name, "Registered", "Charitable company", number])
            elif kind == "cic":
                number = f"{9000000 + p:08d}"
                ch_rows.append([name.upper(), number, "Community Interest Company", "Active"])
            elif kind in ("coop", "multi"):
                number = f"RS{7000 + p:06d}"
                ch_rows.append([name.upper(), number, "Registered Society", "Active"])
                stype = "Co-operative Society" if kind == "multi" or p % 2 else "Community Benefit Society"
                fca_rows.append([f"{7000 + p}R", name, "Registered", ACT_2014, stype])  # fmt: skip
                if kind == "multi":
                    eo_rows.append([name, number, "multi-stakeholder co-operative", MULTI_NOTE])
            region, las, areas = rng.choice(REGIONS)
            for _ in range(rng.randint(lo, hi)):
                loc += 1
                st = rng.choices([s for s, _ in SERVICE_TYPES], [w for _, w in SERVICE_TYPES])[0]
                if kind == "nhs":
                    st = "Care home service with nursing"
                care_home = st.startswith("Care home")
                ratings = []
                for k in range(6):
                    if loc % 17 == 0:  # newly registered: not yet rated
                        ratings.append("")
                        continue
                    latent = shift + rng.gauss(0, 1)
                    g = 0 if latent < -1.75 else 1 if latent < -0.55 else 2 if latent < 1.45 else 3
                    text = GRADES[g]
                    ratings.append("Requires Improvement" if g == 1 and k % 2 else text)
                year = rng.randint(2019, 2025)
                area = rng.choice(areas)
                home = (
                    f"{rng.choice(WORDS)} {rng.choice(HOME_WORDS)}"
                    if care_home
                    else f"{name.split(' (')[0]} – {rng.choice(las)}"
                )
                loc_rows.append([
                    f"1-8{loc:08d}", home, "Y" if care_home else "N", ratings[0],
                    f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year}", region, rng.choice(las),
                    f"{area}{rng.randint(1, 20)} {rng.randint(1, 9)}{''.join(rng.choices(INWARD, k=2))}",
                    str(rng.randint(6, 80)) if care_home else "0", pid, name, number, charity, otype, brand,
                    *ratings[1:], *("Y" if s == st else "" for s, _ in SERVICE_TYPES),
                ])  # fmt: skip
    with directory.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Care directory with ratings (synthetic demo data; every name is fictional)"])
        w.writerow([])
        w.writerow(header)
        w.writerows(loc_rows)
    with companies.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["CompanyName", "CompanyNumber", "CompanyCategory", "CompanyStatus"])
        w.writerows(ch_rows)
    with mutuals.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Society Number", "Society Name", "Society Status", "Registration Act", "Society Type"])
        w.writerows(fca_rows)
    with charities.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter="\t")
        w.writerow(["registered_charity_number", "linked_charity_number", "charity_name",
                    "charity_registration_status", "charity_type", "charity_company_registration_number"])  # fmt: skip
        w.writerows(cc_rows)
    with eo.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "company_number", "model", "source"])
        w.writerows(eo_rows)
    return [directory, companies, mutuals, charities, eo], pe


def load_demo_providers(actor: Any = None) -> ImportOutcome:
    """Import the synthetic demo register (idempotent: a re-run replaces it)."""
    with tempfile.TemporaryDirectory(prefix="coopgov_demo_providers_") as tmp:
        paths, pe = write_demo_files(Path(tmp))
        return do_import_cqc_register(actor=actor, paths=paths, private_equity=pe)
