"""``coopgov allocate``: compute a participatory-budgeting outcome from a file.

    coopgov allocate FILE.pb --rule mes --completion add1 [--exact] [--format text|json|csv|html|pb]
    coopgov allocate FILE.pb --rule greedy --threshold 100 [--no-skip]
    coopgov allocate FILE.pb --rule city       # the rule the file's META names, if implemented

User mistakes (bad file, bad option) print one line ``coopgov allocate: FILE:LINE: message`` on
stderr and exit with status 2.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from fractions import Fraction
from typing import NoReturn

from ._formats import read_election
from ._model import SCORINGS, TIE_BREAKINGS, BudgetingError, Election, Number
from ._pabulib import pabulib_string
from ._registry import allocate
from ._report import Report, render

__all__ = ["city_rule", "main"]

PROG = "coopgov allocate"
COMPLETIONS = ("none", "utilitarian", "add1", "add1-utilitarian", "add1-compare")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise BudgetingError(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=PROG,
        description="Compute a participatory-budgeting outcome and explain it.",
        epilog="Files: .pb (pabulib), .csv or .json (layouts in coopgov.budgeting._formats).",
    )
    p.add_argument("file", help="the election: a .pb, .csv or .json file")
    p.add_argument(
        "--rule",
        default="greedy",
        help="greedy (by votes), greedy-cost (votes per cost), mes, phragmen, or 'city' for the "
        "rule the file's META names (default: greedy)",
    )
    p.add_argument("--completion", choices=COMPLETIONS, default="none", help="MES completion")
    p.add_argument("--exact", action="store_true", help="exact rational arithmetic (audit mode)")
    p.add_argument("--scoring", choices=SCORINGS, help="how ballots become utilities")
    p.add_argument("--tie-breaking", choices=TIE_BREAKINGS, default="lexico")
    p.add_argument("--threshold", help="greedy: minimum score to be considered (e.g. 100 or 5%%)")
    p.add_argument("--no-skip", action="store_true", help="greedy: stop at the first misfit")
    p.add_argument(
        "--sub-budget",
        action="append",
        default=[],
        metavar="LABEL=AMOUNT",
        help="greedy: a ring-fenced pot for a category/district (repeatable)",
    )
    p.add_argument("--ring-fence", choices=("category", "district"))
    p.add_argument("--leftover", choices=("discard", "pool"), default="discard")
    p.add_argument("--increment", help="MES add1: virtual budget step per voter (default 1)")
    p.add_argument("--format", choices=("text", "json", "csv", "html", "pb"), default="text", dest="fmt")
    p.add_argument("--output", "-o", help="write to this file instead of standard output")
    p.add_argument("--voters", action="store_true", help="also say what each voter helped fund")
    p.add_argument("--progress", action="store_true", help="report progress on stderr")
    return p


def city_rule(election: Election) -> tuple[str, str | None, dict[str, object]]:
    """The rule, completion and options named by META ``rule`` (pabulib vocabulary)."""
    meta = election.instance.meta
    rule = (meta.get("rule") or "").strip()
    if rule in ("greedy", "greedy-exclusive"):
        return "greedy", None, {}
    if rule == "greedy-no-skip":
        return "greedy", None, {"skip": False}
    if rule == "greedy-threshold":
        thr = meta.get("min_project_score_threshold")
        if thr is None:
            raise BudgetingError("META rule is greedy-threshold but has no min_project_score_threshold")
        return "greedy", None, {"threshold": thr}
    if rule == "equalshares":
        return "mes", None, {}
    if rule == "equalshares/add1":
        return "mes", "add1", {}
    if rule == "equalshares/add1-comparison":
        return "mes", "add1-compare", {}
    raise BudgetingError(f"META rule {rule or 'unknown'!r} is not one coopgov implements; choose --rule")


def _sub_budgets(items: list[str]) -> dict[str, Number]:
    out: dict[str, Number] = {}
    for item in items:
        label, sep, amount = item.rpartition("=")
        if not sep or not label.strip():
            raise BudgetingError(f"--sub-budget {item!r}: expected LABEL=AMOUNT")
        try:
            value = Fraction(amount.strip())
        except (ValueError, ZeroDivisionError):
            raise BudgetingError(f"--sub-budget {item!r}: {amount!r} is not a number") from None
        out[label.strip()] = value.numerator if value.denominator == 1 else value
    return out


def main(argv: list[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        return _run(args_list)
    except BudgetingError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


def _run(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    show = args.progress or sys.stderr.isatty()
    start = time.perf_counter()

    def progress(msg: str) -> None:
        if show:
            print(f"[{time.perf_counter() - start:6.2f}s] {msg}", file=sys.stderr, flush=True)

    step: Callable[[str], None] | None = progress if show else None
    election = read_election(args.file, voter_ids=args.voters, progress=step)
    progress(
        f"read {len(election.instance.projects):,} projects and "
        f"{election.profile.num_voters:,} voters ({len(election.profile.ballots):,} distinct ballots)"
    )
    options: dict[str, object] = {}
    rule, completion = args.rule, (None if args.completion == "none" else args.completion)
    if rule == "city":
        rule, city_completion, options = city_rule(election)
        completion = completion or city_completion
    if args.threshold is not None:
        options["threshold"] = args.threshold
    if args.no_skip:
        options["skip"] = False
    if args.sub_budget:
        options["sub_budgets"] = _sub_budgets(args.sub_budget)
    if args.ring_fence:
        options["ring_fence"] = args.ring_fence
    if args.leftover != "discard":
        options["leftover"] = args.leftover
    if args.increment is not None:
        options["increment"] = args.increment
    if rule == "mes" and step is not None:
        options["progress"] = step  # the add1 completion reports its increments
    progress(f"computing {rule}" + (f" with {completion} completion" if completion else ""))
    outcome = allocate(
        election,
        rule,
        completion=completion,
        exact=args.exact,
        scoring=args.scoring,
        tie_breaking=args.tie_breaking,
        **options,
    )
    progress(f"selected {len(outcome.selected)} projects")
    if args.fmt == "pb":
        text = pabulib_string(election, outcome.selected)
    else:
        report = Report(
            election=election,
            outcome=outcome,
            source=args.file,
            rule=rule,
            completion=completion,
            exact=args.exact,
            voters=args.voters,
        )
        text = render(report, args.fmt)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        except OSError as exc:
            raise BudgetingError(f"cannot write: {exc.strerror or exc}", args.output) from None
        progress(f"wrote {args.output}")
    else:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            return 0
    return 0
