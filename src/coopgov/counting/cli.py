"""``coopgov count``: count an election from a BLT, CSV or JSON file.

    coopgov count FILE --method scottish-stv [--seats N] [--format text|json|csv|html]
                  [--seed S] [--output PATH] [--export-blt PATH] [--progress]

Mistakes in the input or options are reported on one line (``coopgov count: FILE:LINE: ...``)
with exit status 2.  Lots are drawn from ``random.Random(seed)``; without ``--seed`` a seed is
chosen and printed in the result's notes, so every lot can be reproduced.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace

from coopgov.counting._blt import write_blt
from coopgov.counting._io import FORMATS as INPUT_FORMATS
from coopgov.counting._io import read_profile
from coopgov.counting._model import CountingError
from coopgov.counting._registry import available, count
from coopgov.counting._report import FORMATS, render

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from typing import TextIO

__all__ = ["main"]

PROG = "coopgov count"


class _Progress:
    def __init__(self, enabled: bool, stream: TextIO) -> None:
        self.enabled = enabled
        self.stream = stream
        self.t0 = time.perf_counter()

    def __call__(self, msg: str) -> None:
        if self.enabled:
            dt = time.perf_counter() - self.t0
            print(f"[{dt:7.2f}s] {msg}", file=self.stream, flush=True)


_EPILOG = """\
input formats:
  .blt   "<candidates> <seats>", optional withdrawn ids (-2), one line per ballot
         "<weight> <ids in preference order> 0", a lone 0, quoted names, quoted title
  .csv   one ballot per row: rank columns ("1st,2nd,...") holding candidate names, or
         candidate columns holding rank numbers; optional "weight" column; needs --seats
  .json  {"seats": N, "candidates": [...], "withdrawn": [...],
          "ballots": [{"ranking": ["name", ...], "count": K}, ...]}
A ballot is used up to its first repeated, equal or skipped preference.

exit status: 0 counted; 2 a mistake in the input or options (one line on stderr)
"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """argparse's formatter, told the width so that it does not import shutil at start-up."""

    def __init__(self, prog: str) -> None:
        try:
            width = os.get_terminal_size(sys.stderr.fileno()).columns - 2
        except (OSError, ValueError):
            width = 78
        super().__init__(prog, width=max(width, 40))


def _parser(methods: list[str]) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Count an election by a statutory method and print the result sheet.",
        formatter_class=_Formatter,
        epilog=_EPILOG,
    )
    p.add_argument("file", metavar="FILE", help="ballots: .blt, .csv (ranked) or .json; - for stdin")
    p.add_argument("--method", "-m", required=True, choices=methods, help="counting rule")
    p.add_argument("--seats", "-s", type=int, help="number of seats (required for CSV)")
    p.add_argument("--format", "-f", default="text", choices=FORMATS, help="result format")
    p.add_argument("--seed", type=int, help="seed for drawing lots (default: chosen and shown)")
    p.add_argument("--output", "-o", metavar="PATH", help="write the result here, not stdout")
    p.add_argument("--export-blt", metavar="PATH", help="also write the ballots as grouped BLT")
    p.add_argument("--input-format", choices=INPUT_FORMATS, help="override the file extension")
    p.add_argument("--progress", action="store_true", help="show progress on stderr")
    return p


def main(argv: list[str]) -> int:
    methods = available()
    args = _parser(methods).parse_args(argv)
    progress = _Progress(args.progress or sys.stderr.isatty(), sys.stderr)
    try:
        progress(f"reading {args.file}")
        profile = read_profile(args.file, input_format=args.input_format, seats=args.seats)
        progress(
            f"read {profile.valid_poll} valid ballots ({len(profile.rankings)} distinct "
            f"rankings), {len(profile.candidates)} candidates, {profile.seats} seats"
        )
        if args.export_blt:
            _write(args.export_blt, write_blt(profile))
            progress(f"wrote {args.export_blt}")
        seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big") >> 1
        progress(f"counting by {args.method}")
        result = count(profile, args.method, seed=seed)
        if any(t.how == "lot" for t in result.ties):
            how = "given" if args.seed is not None else "chosen by the program"
            result = replace(
                result,
                notes=(*result.notes, f"lots were drawn with seed {seed} ({how}, --seed {seed})"),
            )
        progress(f"count done in {len(result.stages)} stages")
        text = render(result, args.format)
        if args.output:
            _write(args.output, text)
            progress(f"wrote {args.output}")
        else:
            try:
                sys.stdout.write(text)
                sys.stdout.flush()
            except BrokenPipeError:  # e.g. piped into `head`: stop quietly
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
                return 1
    except CountingError as err:
        print(f"{PROG}: {err}", file=sys.stderr)
        return 2
    return 0


def _write(path: str, text: str) -> None:
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as exc:
        raise CountingError(f"cannot write the file: {exc.strerror or exc}", path) from None
