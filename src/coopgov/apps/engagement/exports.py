"""The published figures as one long CSV: ``section,table,row,column,value`` (already suppressed)."""

from __future__ import annotations

import csv
import io
from typing import Any

_SKIP = {"ratio_value", "lower_value", "upper_value", "turnout_value", "value"}


def _rows(data: dict[str, Any]) -> list[list[str]]:
    out: list[list[str]] = []
    m = data["membership"]
    for k, v in m["summary"].items():
        out.append(["membership", "period", "all", k, v])
    for r in m["series"]:
        for k, v in r.items():
            if k != "year":
                out.append(["membership", "by year", r["year"], k, v])
    for r in m["groups"]:
        for k, v in r.items():
            if k not in {"group", "is_constituency"}:
                out.append(["membership", "by class or constituency", r["group"], k, v])
    for d in data["representation"]["dimensions"]:
        for k in ("members", "answered", "response_rate", "population", "dissimilarity"):
            out.append(["representation", d["label"], "summary", k, d[k]])
        for r in d["rows"]:
            for k, v in r.items():
                if k not in _SKIP | {"category", "label", "stated"}:
                    out.append(["representation", d["label"], r["label"], k, v])
    for r in data["elections"]["years"]:
        for k, v in r.items():
            if k not in _SKIP | {"year"}:
                out.append(["elections", "by year", r["year"], k, v])
    for r in data["elections"]["elections"]:
        for k, v in r.items():
            if k != "title":
                out.append(["elections", "elections", r["title"], k, str(v)])
    for f in data["funnels"]:
        for s in f["steps"]:
            out.append(["participation", f["title"], s["label"], "count", s["count"]])
            out.append(["participation", f["title"], s["label"], "share of eligible", s["share"]])
    dec = data["decisions"]
    for k in ("count", "eligible", "participants", "share"):
        out.append(["decisions", "summary", "all", k, dec[k]])
    for r in dec["decisions"]:
        for k, v in r.items():
            if k != "title":
                out.append(["decisions", "decisions", r["title"], k, v])
    for ind in data.get("benchmark", {}).get("indicators", []):
        for k in ("value", "q1", "median", "q3", "n"):
            out.append(["benchmark", "peers of the same kind", ind["label"], k, ind[k]])
    return out


def _safe(cell: str) -> str:
    """Stop spreadsheet programs treating a text cell as a formula."""
    return "'" + cell if cell[:1] in {"=", "+", "@"} or (cell[:1] == "-" and not cell[1:2].isdigit()) else cell


def to_csv(data: dict[str, Any]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["section", "table", "row", "column", "value"])
    w.writerow(
        [
            "about",
            "organisation",
            data["organisation"]["name"],
            "period",
            f"{data['period']['start']} to {data['period']['end']}",
        ]
    )
    w.writerow(
        [
            "about",
            "suppression",
            "all",
            "threshold",
            f"counts under {data['suppression_threshold']} shown as <{data['suppression_threshold']}",
        ]
    )
    for row in _rows(data):
        w.writerow([_safe(str(c)) for c in row])
    if "narrative" in data:
        for k, v in data["narrative"].items():
            w.writerow(["narrative", k, "", "text", _safe(v)])
    return buf.getvalue()
