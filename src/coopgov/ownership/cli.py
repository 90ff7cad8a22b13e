"""``coopgov ownership import|compare`` — the command line for ownership transparency.

    coopgov ownership import DIRECTORY.csv [--companies CH.csv] [--mutuals FCA.csv]
        [--charities publicextract.charity.txt] [--employee-owned EO.csv]
        [--private-equity PE.csv] [--overrides OVERRIDES.csv] [--format text|csv|json]
    coopgov ownership compare FILE [registers as above] [--key-question Overall|Safe|…|all]
        [--by ownership,region] [--flag forced_closure] [--regression] [--chart out.png|svg]

A user mistake (missing file, no header row, a required column, a bad override) prints one line
naming the file, line and field and exits 2. Rows that cannot be read are reported (count on
stderr, details with ``--problems``) and skipped.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from coopgov.ownership._detect import KINDS, detect_kind, read_any
from coopgov.ownership._errors import ImportReport, OwnershipInputError
from coopgov.ownership._model import ComparisonRecord, Location, ProviderFacts, merge_locations, parse_model
from coopgov.ownership._ratings import KEY_QUESTIONS, normalise_key_question
from coopgov.ownership._registers import (
    read_charity_commission,
    read_companies_house,
    read_employee_owned,
    read_fca_mutuals,
)
from coopgov.ownership._tabular import cell, open_table
from coopgov.ownership.classify import (
    Classification,
    Override,
    Registers,
    classify_providers,
    merge_facts,
    providers_from_locations,
)
from coopgov.ownership.compare import (
    GROUP_FIELDS,
    flag_table,
    latest_per_unit,
    publishable_share_rows,
    rating_regression,
    records_from_locations,
    share_table,
)

Row = dict[str, Any]


class _ArgumentError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse would print usage and exit 2 itself
        raise _ArgumentError(message)


def _progress_for(path: str, enabled: bool) -> Callable[[int], None] | None:
    if not enabled:
        return None

    def report(n: int) -> None:
        print(f"\r{path}: {n:,} rows", end="", file=sys.stderr, flush=True)

    return report


def _end_progress(enabled: bool) -> None:
    if enabled:
        print(file=sys.stderr)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE", help="CQC or research files (CSV, ODS, JSON)")
    p.add_argument("--kind", choices=KINDS, help="file kind (default: detected from the header row)")
    p.add_argument("--companies", help="Companies House basic company data CSV")
    p.add_argument("--mutuals", help="FCA Mutuals Public Register extract CSV")
    p.add_argument("--charities", help="Charity Commission register extract (tab-separated)")
    p.add_argument("--employee-owned", help="your list of employee-owned businesses (CSV)")
    p.add_argument("--private-equity", help="CSV of PE-backed providers/brands: name, source")
    p.add_argument("--overrides", help="CSV of officer overrides: provider_id, model, reason, by")
    p.add_argument("--chain-threshold", type=int, default=10, help="locations that make a chain")
    p.add_argument("--format", choices=("text", "csv", "json"), default="text")
    p.add_argument("--output", "-o", help="write the table here instead of stdout")
    p.add_argument("--progress", action="store_true", help="show progress on stderr")
    p.add_argument("--problems", action="store_true", help="list every row that could not be read")


def _parser() -> _Parser:
    parser = _Parser(prog="coopgov ownership", description="Care providers by ownership model.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    imp = sub.add_parser("import", help="import files, classify providers, report unreadable rows")
    _common(imp)
    cmp_ = sub.add_parser("compare", help="compare ratings by ownership model")
    _common(cmp_)
    cmp_.add_argument(
        "--key-question",
        default="Overall",
        help=f"{', '.join(KEY_QUESTIONS)} or 'all' (default Overall)",
    )
    cmp_.add_argument("--by", default="ownership", help=f"comma-separated: {', '.join((*GROUP_FIELDS, 'size'))}")
    cmp_.add_argument("--flag", help="compare a binary outcome instead (e.g. forced_closure)")
    cmp_.add_argument("--latest", action="store_true", help="one record per location: its latest")
    cmp_.add_argument("--regression", action="store_true", help="add the ordinal logistic regression")
    cmp_.add_argument(
        "--controls", default="service_type,size,region,year", help="regression controls (comma-separated)"
    )
    cmp_.add_argument(
        "--suppress",
        type=int,
        default=0,
        metavar="N",
        help="for publication: show counts under N as '<N' and withhold what would reveal them",
    )
    cmp_.add_argument("--chart", help="draw the table to this .png or .svg")
    cmp_.add_argument("--measure", choices=("good", "inadequate"), default="good", help="what the chart shows")
    return parser


# ------------------------------------------------------------------------------------- inputs


def _read_overrides(path: str) -> list[Override]:
    table, rows = open_table(path, ("provider_id", "Provider ID"))
    pid = table.require("provider_id", "Provider ID")
    model = table.require("model")
    reason = table.require("reason")
    by = table.require("by")
    out: list[Override] = []
    for line, f in rows:
        if not any(x.strip() for x in f):
            continue
        try:
            out.append(Override(cell(f, pid), parse_model(cell(f, model)), cell(f, reason), cell(f, by)))
        except ValueError as exc:
            raise OwnershipInputError(str(exc), path=path, line=line) from None
    return out


def _read_pe(path: str) -> dict[str, str]:
    table, rows = open_table(path, ("name",))
    name = table.require("name")
    src = table.index("source")
    return {cell(f, name): cell(f, src) or f"{path}:{line}" for line, f in rows if cell(f, name)}


def _registers(args: argparse.Namespace, reports: list[ImportReport], show: bool) -> Registers:
    def load(path: str | None, reader: Callable[..., Iterable[Any]]) -> list[Any]:
        if not path:
            return []
        rep = ImportReport()
        reports.append(rep)
        items = list(reader(path, report=rep, progress=_progress_for(path, show)))
        _end_progress(show)
        return items

    return Registers.build(
        companies=load(args.companies, read_companies_house),
        societies=load(args.mutuals, read_fca_mutuals),
        charities=load(args.charities, read_charity_commission),
        employee_owned=load(args.employee_owned, read_employee_owned),
        private_equity=_read_pe(args.private_equity) if args.private_equity else None,
    )


class _Inputs:
    def __init__(self) -> None:
        self.locations: list[Location] = []
        self.api_providers: dict[str, ProviderFacts] = {}
        self.records: list[ComparisonRecord] = []
        self.other: list[Any] = []
        self.reports: list[ImportReport] = []


def _read_inputs(args: argparse.Namespace, show: bool) -> _Inputs:
    inp = _Inputs()
    for path in args.files:
        kind = args.kind or detect_kind(path)
        rep = ImportReport()
        inp.reports.append(rep)
        for item in read_any(path, kind, report=rep, progress=_progress_for(path, show)):
            if isinstance(item, Location):
                inp.locations.append(item)
            elif isinstance(item, ProviderFacts):
                inp.api_providers[item.provider_id] = item
            elif isinstance(item, ComparisonRecord):
                inp.records.append(item)
            else:
                inp.other.append(item)
        _end_progress(show)
    # a location in several files (directory, latest ratings, API) becomes one record
    inp.locations = merge_locations(inp.locations)
    return inp


def _classify(args: argparse.Namespace, inp: _Inputs, show: bool) -> dict[str, Classification]:
    registers = _registers(args, inp.reports, show)
    facts = providers_from_locations(inp.locations)
    for pid, extra in inp.api_providers.items():
        facts[pid] = merge_facts(facts[pid], extra) if pid in facts else extra
    overrides = _read_overrides(args.overrides) if args.overrides else []
    known = set(facts)
    for o in overrides:
        if o.provider_id not in known:
            raise OwnershipInputError(
                f"override for provider {o.provider_id} which is in none of the files", path=args.overrides
            )
    return classify_providers(facts, registers, overrides, chain_threshold=args.chain_threshold)


# ------------------------------------------------------------------------------------- output


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4f}"
    return "" if v is None else str(v)


def _render(rows: Sequence[Row], fmt: str, extra_json: dict[str, Any] | None = None) -> str:
    if fmt == "json":
        payload: Any = {"rows": list(rows), **(extra_json or {})} if extra_json else list(rows)
        return json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n"
    if not rows:
        return "(no rows)\n"
    cols = list(rows[0])
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(cols)
        for r in rows:
            w.writerow([_fmt(r.get(c)) for c in cols])
        return buf.getvalue()
    cells = [[_fmt(r.get(c)) for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines) + "\n"


def _emit(text: str, output: str | None) -> None:
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise OwnershipInputError(f"cannot write: {exc.strerror}", path=output) from None
    else:
        sys.stdout.write(text)


def _report(reports: Sequence[ImportReport], detail: bool) -> None:
    for rep in reports:
        print(rep.summary(), file=sys.stderr)
        shown = rep.problems if detail else rep.problems[:3]
        for p in shown:
            print(f"  {p.one_line()}", file=sys.stderr)
        if len(rep.problems) > len(shown):
            print(f"  ... {len(rep.problems) - len(shown)} more (use --problems)", file=sys.stderr)


def _classification_rows(classes: dict[str, Classification]) -> list[Row]:
    return [
        {
            "provider_id": c.provider_id,
            "provider_name": c.provider_name,
            "model": c.model.value,
            "rule": c.rule,
            "flags": ",".join(sorted(c.flags)),
            "needs_review": c.needs_review,
            "evidence": "; ".join(f"{e.register} {e.field}={e.value}" for e in c.evidence),
            "conflicts": "; ".join(f"{f.rule}->{f.model.value}" for f in c.conflicts),
            "issues": "; ".join(c.issues),
        }
        for c in sorted(classes.values(), key=lambda c: c.provider_id)
    ]


def _cmd_import(args: argparse.Namespace, show: bool) -> int:
    inp = _read_inputs(args, show)
    if inp.locations or inp.api_providers:
        classes = _classify(args, inp, show)
        summary = Counter(c.model.value for c in classes.values())
        if args.format == "json":
            payload = {
                "models": dict(sorted(summary.items())),
                "providers": [classes[k].to_dict() for k in sorted(classes)],
            }
            _emit(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", args.output)
        else:
            _emit(_render(_classification_rows(classes), args.format), args.output)
        print(
            "providers by model: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.items())),
            file=sys.stderr,
        )
    else:
        counts = Counter(r.ownership.value for r in inp.records)
        rows = [{"ownership": k, "records": v} for k, v in sorted(counts.items())]
        rows += [{"ownership": "(other records)", "records": len(inp.other)}] if inp.other else []
        _emit(_render(rows, args.format), args.output)
    _report(inp.reports, args.problems)
    return 0


def _cmd_compare(args: argparse.Namespace, show: bool) -> int:
    by = [b.strip() for b in args.by.split(",") if b.strip()]
    controls = [c.strip() for c in args.controls.split(",") if c.strip()]
    for f in (*by, *controls):
        if f not in (*GROUP_FIELDS, "size"):
            raise _ArgumentError(f"cannot group by {f!r}: use {', '.join((*GROUP_FIELDS, 'size'))}")
    try:
        kqs = list(KEY_QUESTIONS) if args.key_question == "all" else [normalise_key_question(args.key_question)]
    except ValueError as exc:
        raise _ArgumentError(str(exc)) from None
    if args.chart and Path(args.chart).suffix.casefold() not in (".png", ".svg"):
        raise _ArgumentError(f"{args.chart}: chart must be a .png or .svg file")
    inp = _read_inputs(args, show)
    records = list(inp.records)
    if inp.locations:
        records += records_from_locations(inp.locations, _classify(args, inp, show))
    if args.latest:
        records = latest_per_unit(records)
    if not records:
        raise OwnershipInputError("no comparable records in the files given", path=args.files[0])
    rows: list[Row] = []
    chart_rows: list[Any] = []
    if args.suppress < 0:
        raise _ArgumentError("--suppress must be 0 (off) or a positive threshold")
    if args.suppress > 0 and (args.flag or args.chart):
        raise _ArgumentError("--suppress applies to rating tables; it cannot be combined with --flag or --chart")
    if args.flag:
        frows = flag_table(records, args.flag, by=by)
        if not frows:
            raise _ArgumentError(f"no record in these files carries the flag {args.flag!r}")
        chart_rows = frows
        for fr in frows:
            rows.append(
                {
                    **dict(fr.group),
                    "known": fr.known,
                    args.flag: fr.count,
                    "share_pct": round(100 * fr.share.estimate, 2),
                    "ci_low_pct": round(100 * fr.share.lower, 2),
                    "ci_high_pct": round(100 * fr.share.upper, 2),
                }
            )
    else:
        for kq in kqs:
            srows = share_table(records, key_question=kq, by=by)
            if kq == kqs[0]:
                chart_rows = srows
            if args.suppress > 0:
                rows.extend(publishable_share_rows(srows, args.suppress))
                continue
            for sr in srows:
                rows.append(
                    {
                        "key_question": kq,
                        **dict(sr.group),
                        "rated": sr.rated,
                        "good_or_outstanding": sr.good_or_outstanding,
                        "good_pct": round(100 * sr.good_share.estimate, 2),
                        "good_ci_low": round(100 * sr.good_share.lower, 2),
                        "good_ci_high": round(100 * sr.good_share.upper, 2),
                        "inadequate": sr.inadequate,
                        "inadequate_pct": round(100 * sr.inadequate_share.estimate, 2),
                        "inadequate_ci_low": round(100 * sr.inadequate_share.lower, 2),
                        "inadequate_ci_high": round(100 * sr.inadequate_share.upper, 2),
                    }
                )
    reg_rows: list[Row] = []
    if args.regression:
        for kq in kqs:
            try:
                res = rating_regression(records, key_question=kq, controls=controls)
            except ValueError as exc:
                print(f"coopgov ownership: regression on {kq} skipped: {exc}", file=sys.stderr)
                continue
            for note in res.warnings:
                print(f"coopgov ownership: regression on {kq}: warning: {note}", file=sys.stderr)
            for o in res.odds_ratios:
                reg_rows.append(
                    {
                        "key_question": kq,
                        "term": o.term,
                        "odds_ratio": round(o.odds_ratio, 4),
                        "ci_low": round(o.lower, 4),
                        "ci_high": round(o.upper, 4),
                        "p_value": o.p_value,
                        "n": res.n,
                        "reference": "; ".join(f"{k}={v}" for k, v in res.reference_levels.items()),
                    }
                )
    if args.format == "json":
        text = _render(rows, "json", {"regression": reg_rows})
    else:
        text = _render(rows, args.format)
        if reg_rows:
            if args.format == "text":
                text += "\nOrdinal logistic regression (odds ratio of a better rating):\n"
            else:
                text += "\n"
            text += _render(reg_rows, args.format)
    _emit(text, args.output)
    if args.chart:
        from coopgov.ownership._charts import share_chart

        alt = share_chart(chart_rows, args.chart, measure=args.measure)
        print(f"chart written to {args.chart}\nalt text: {alt}", file=sys.stderr)
    _report(inp.reports, args.problems)
    return 0


def main(argv: list[str]) -> int:
    """Entry point for ``coopgov ownership``; returns the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except _ArgumentError as exc:
        print(f"coopgov ownership: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    show = bool(args.progress or sys.stderr.isatty())
    try:
        if args.command == "import":
            return _cmd_import(args, show)
        return _cmd_compare(args, show)
    except OwnershipInputError as exc:
        print(f"coopgov ownership: {exc.one_line()}", file=sys.stderr)
        return 2
    except _ArgumentError as exc:
        print(f"coopgov ownership: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. piped into `head`: stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
