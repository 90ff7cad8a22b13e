"""Reading a profile from a file of any supported format."""

from __future__ import annotations

import os
from dataclasses import replace

from coopgov.counting._blt import parse_blt, read_blt
from coopgov.counting._model import CountingError, Profile

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from os import PathLike

__all__ = ["FORMATS", "read_profile", "with_seats"]

FORMATS = ("blt", "csv", "json")


def read_profile(path: str | PathLike[str], *, input_format: str | None = None, seats: int | None = None) -> Profile:
    """Read ``path`` (format from ``input_format`` or the file extension; ``"-"`` is standard
    input, which needs ``input_format``).

    ``seats``, if given, overrides the seat count in the file (BLT, JSON) or supplies it (CSV).
    """
    fmt = input_format or os.path.splitext(path)[1].lower().lstrip(".")
    if fmt not in FORMATS:
        raise CountingError(
            "cannot tell the format from the extension; use .blt, .csv or .json or give --input-format",
            str(path),
        )
    if str(path) == "-":
        return _read_stdin(fmt, seats)
    if fmt == "csv":
        from coopgov.counting._csv import read_csv  # imported only when needed

        return read_csv(path, seats=seats)
    if fmt == "json":
        from coopgov.counting._json import read_json

        return read_json(path, seats=seats)
    profile = read_blt(path)
    return profile if seats is None else with_seats(profile, seats, str(path))


def _read_stdin(fmt: str, seats: int | None) -> Profile:
    import sys

    source = "<stdin>"
    data = sys.stdin.buffer.read()
    if fmt == "csv":
        from coopgov.counting._csv import parse_csv

        return parse_csv(data, source=source, seats=seats)
    if fmt == "json":
        from coopgov.counting._json import parse_json

        return parse_json(data, source=source, seats=seats)
    profile = parse_blt(data, source=source)
    return profile if seats is None else with_seats(profile, seats, source)


def with_seats(profile: Profile, seats: int, source: str | None = None) -> Profile:
    """The profile with another seat count, checked against the candidates standing."""
    standing = len(profile.continuing)
    if seats < 1:
        raise CountingError("--seats must be at least 1", source)
    if seats >= standing:
        raise CountingError(
            f"--seats {seats} but only {standing} candidate(s) standing: nothing to count",
            source,
        )
    return replace(profile, seats=seats)
