"""The BLT ballot format: reading (fast, grouping while reading) and writing.

Layout (as written by OpenSTV, eSTV, droop and the council exports in ``shared/data``)::

    <number of candidates> <seats>
    [-3 -7]                        optional: withdrawn candidates as negative ids
    <weight> <id> <id> ... 0       one line per ballot (or per group of identical ballots)
    ...
    0                              end of ballots
    "Name of candidate 1"          one quoted name per candidate, in id order
    ...
    "Title of the election"

Variants accepted: lines padded with spaces or tabs, CRLF line ends, a UTF-8 byte-order mark,
names containing runs of spaces (collapsed to one), blank lines, ``#`` comment lines before the
ballots, several withdrawn candidates on one line or several lines, and ``=`` joining candidates
ranked equally (``4 1 2=3 5 0``).  A ballot is used up to, not including, the first preference
that is repeated, ranked equal with another or marked ``-`` (skipped); ballots left without a
first preference are counted as invalid.

Speed: identical ballot lines are counted with :class:`collections.Counter` (in C) before any
line is split, so a million-line file with a few thousand distinct rankings parses in well under
a second.
"""

from __future__ import annotations

import gc
import re
from collections import Counter
from collections.abc import Callable, Iterable
from functools import partial
from operator import itemgetter, mul

from coopgov.counting._errors import decode, read_bytes
from coopgov.counting._model import CountingError, Profile

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from os import PathLike

__all__ = ["parse_blt", "read_blt", "write_blt"]

_CUT = -1  # sentinel id: the usable sequence ends here
_CHUNK = 2048  # ballot lines tokenised at a time by the fast path
_FIRST = itemgetter(0)
_LAST = itemgetter(-1)
_MIDDLE = itemgetter(slice(1, -1))
_PADDED_END = re.compile(r"^[ \t]*0[ \t]*$", re.MULTILINE)
_NAME_RE = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')


def read_blt(path: str | PathLike[str], *, name: str | None = None) -> Profile:
    """Read a BLT file; errors name the file and line."""
    source = name if name is not None else str(path)
    data = read_bytes(path, source)
    return parse_blt(data, source=source)


def _collapse(name: str) -> str:
    return " ".join(name.split())


def _int(tok: str, what: str, source: str, line: int) -> int:
    try:
        return int(tok)
    except ValueError:
        raise CountingError(f"{what} must be a whole number, found {tok!r}", source, line) from None


def parse_blt(data: bytes | str, *, source: str = "<blt>") -> Profile:
    """Parse BLT text (bytes are decoded as UTF-8) into a grouped :class:`Profile`."""
    # Reading creates many small acyclic objects (tuples, lists, strings); pausing the cyclic
    # garbage collector meanwhile saves its repeated scans (about a sixth of the time).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse_blt(data, source)
    finally:
        if enabled:
            gc.enable()


def _parse_blt(data: bytes | str, source: str) -> Profile:
    text = decode(data, source) if isinstance(data, bytes) else data
    if not text.strip():
        raise CountingError("the file is empty", source)
    lines = text.splitlines()

    # --- header: first line that is neither blank nor a comment
    i = 0
    while i < len(lines) and (not lines[i].strip() or lines[i].lstrip().startswith("#")):
        i += 1
    head = lines[i].split()
    if len(head) != 2:
        raise CountingError("the first line must hold two numbers: candidates and seats", source, i + 1)
    ncand = _int(head[0], "the number of candidates", source, i + 1)
    seats = _int(head[1], "the number of seats", source, i + 1)
    if ncand < 1:
        raise CountingError("the number of candidates must be at least 1", source, i + 1)
    if seats < 1:
        raise CountingError("the number of seats must be at least 1", source, i + 1)
    header_line = i + 1
    i += 1

    # --- withdrawn candidates: lines of negative ids
    withdrawn: set[int] = set()
    while i < len(lines):
        toks = lines[i].split()
        if not toks or toks[0].startswith("#"):
            i += 1
            continue
        if not toks[0].startswith("-") or toks[0] == "-":
            break
        for t in toks:
            k = _int(t, "a withdrawn candidate", source, i + 1)
            if k >= 0 or -k > ncand:
                raise CountingError(f"withdrawn candidate {t} is not -1 to -{ncand}", source, i + 1)
            withdrawn.add(-k - 1)
        i += 1
    start = i

    # --- ballots end at a line holding a lone 0
    try:
        end = lines.index("0", start)
    except ValueError:
        end = len(lines)
    counts = Counter(lines[start:end])
    lookup = {str(c + 1): c for c in range(ncand)}
    get_id = lookup.__getitem__
    # Well-formed files are read by the fast path; anything else line by line below.
    fast = None if withdrawn or end == len(lines) else _fast_ballots(counts, get_id)
    if fast is None:
        if _PADDED_END.search("\n".join(counts)):  # a padded terminator came first
            end = next(j for j in range(start, end) if lines[j].strip() == "0")
            counts = Counter(lines[start:end])
        elif end == len(lines):
            raise CountingError("no end-of-ballots line (a lone 0) was found", source, len(lines))

    def where(key: str) -> int:
        return lines.index(key, start) + 1

    grouped: dict[tuple[int, ...], int] = {}
    invalid = 0
    cut = 0
    seen_any = False
    if fast is not None:
        seen_any = True
        counts = Counter()  # nothing left for the line-by-line reader below
    for key, times in counts.items():
        toks = key.split()
        try:  # fast path: "<weight> <id> ... 0" with plain ids, looked up in C
            weight = int(toks[0]) * times
            if toks[-1] != "0" or weight <= 0:
                raise ValueError
            ranking = tuple(map(get_id, toks[1:-1]))
        except (ValueError, KeyError, IndexError):
            line = _slow_line(toks, ncand, source, where(key) if toks else 0)
            if line is None:
                continue
            weight, ranking = line
            weight *= times
        seen_any = True
        if withdrawn or _CUT in ranking or len(set(ranking)) != len(ranking):
            ranking, was_cut = _usable(ranking, withdrawn)
            if was_cut:
                cut += weight
        if not weight:
            continue
        if not ranking:
            invalid += weight
            continue
        grouped[ranking] = grouped.get(ranking, 0) + weight

    # --- names and title
    names: list[str] = []
    title = ""
    for j in range(end + 1, len(lines)):
        raw = lines[j].strip()
        if not raw or raw.startswith("#"):
            continue
        for m in _NAME_RE.finditer(raw):
            val = m.group(1) if m.group(1) is not None else m.group(2)
            if len(names) < ncand:
                names.append(_collapse(val.replace('\\"', '"')))
            elif not title:
                title = _collapse(val.replace('\\"', '"'))
    if len(names) < ncand:
        raise CountingError(
            f"the header announces {ncand} candidates but {len(names)} names follow the ballots",
            source,
            len(lines),
        )
    standing = ncand - len(withdrawn)
    if seats >= standing:
        raise CountingError(
            f"{seats} seat(s) but only {standing} candidate(s) standing: nothing to count",
            source,
            header_line,
        )
    if not seen_any:
        raise CountingError("the file holds no ballots", source, start + 1)
    notes: list[str] = []
    if withdrawn:
        notes.append("withdrawn before the count: " + "; ".join(names[c] for c in sorted(withdrawn)))
    if cut:
        notes.append(
            f"{cut} ballot(s) had a repeated, equal or skipped preference; only the preferences before it were used"
        )
    if fast is not None:
        rankings, weights = tuple(fast[0]), tuple(fast[1])
    else:
        rankings, weights = tuple(grouped), tuple(grouped.values())
    return Profile(
        title=title,
        candidates=tuple(names),
        seats=seats,
        withdrawn=frozenset(withdrawn),
        rankings=rankings,
        weights=weights,
        invalid=invalid,
        notes=tuple(notes),
    )


def _fast_ballots(counts: Counter[str], get_id: Callable[[str], int]) -> tuple[list[tuple[int, ...]], list[int]] | None:
    """Read well-formed ballot lines with C-level ``map`` calls only: distinct rankings and
    their weights.  ``None`` if any line needs the careful line-by-line reader (errors, blank or
    comment lines, ``=``/``-`` marks, repeated or missing preferences, zero weights, or two
    lines with the same ranking)."""
    keys = list(counts)
    weights: list[int] = []
    rankings: list[tuple[int, ...]] = []
    ids = partial(map, get_id)
    try:
        # in chunks, so that the token lists of only a few thousand lines exist at a time
        for i in range(0, len(keys), _CHUNK):
            toks = list(map(str.split, keys[i : i + _CHUNK]))
            if list(map(_LAST, toks)).count("0") != len(toks):
                return None
            weights.extend(map(int, map(_FIRST, toks)))
            rankings.extend(map(tuple, map(ids, map(_MIDDLE, toks))))
    except (ValueError, KeyError, IndexError):
        return None
    if len(counts) != counts.total():  # some lines repeat: weigh them by their count
        weights = list(map(mul, weights, counts.values()))
    if not weights or min(weights) <= 0:
        return None
    if (
        not all(rankings)
        or sum(map(len, rankings)) != sum(map(len, map(set, rankings)))
        or len(set(rankings)) != len(rankings)
    ):
        return None
    return rankings, weights


def _slow_line(toks: list[str], ncand: int, source: str, line: int) -> tuple[int, tuple[int, ...]] | None:
    """A ballot line the fast path could not read: blank or comment (``None``), a line with
    ``=``/``-`` preferences or a zero weight, or a mistake (raised with its line number)."""
    if not toks or toks[0].startswith("#"):
        return None
    if len(toks) < 2 or toks[-1] != "0":
        raise CountingError("a ballot line must end with 0 (and the ballots with a line holding 0)", source, line)
    try:
        weight = int(toks[0])
    except ValueError:
        raise CountingError(f"the ballot weight must be a whole number, found {toks[0]!r}", source, line) from None
    if weight < 0:
        raise CountingError("the ballot weight must not be negative", source, line)
    return weight, _slow_ranking(toks[1:-1], ncand, source, line)


def _slow_ranking(toks: list[str], ncand: int, source: str, line: int) -> tuple[int, ...]:
    """Preferences with unusual tokens: ``=`` (equal ranking) and ``-`` (skipped) become a cut;
    anything that is not a candidate number is an error."""
    ranking: list[int] = []
    for tok in toks:
        if tok.isdigit():
            c = int(tok)
            if c < 1 or c > ncand:
                raise CountingError(f"unknown candidate id {tok} (candidates are 1 to {ncand})", source, line)
            ranking.append(c - 1)
        elif tok == "-" or "=" in tok:
            for part in tok.split("="):
                if part != "-" and not (part.isdigit() and 1 <= int(part) <= ncand):
                    raise CountingError(
                        f"unknown candidate id {part!r} (candidates are 1 to {ncand})",
                        source,
                        line,
                    )
            ranking.append(_CUT)
        else:
            raise CountingError(f"a preference must be a candidate id, found {tok!r}", source, line)
    return tuple(ranking)


def _usable(ranking: tuple[int, ...], withdrawn: set[int]) -> tuple[tuple[int, ...], bool]:
    """The usable sequence: cut at the first repeated preference or cut marker; withdrawn
    candidates skipped.  Also whether the ballot was cut."""
    out: list[int] = []
    seen: set[int] = set()
    for c in ranking:
        if c == _CUT or c in seen:
            return tuple(out), True
        seen.add(c)
        if c not in withdrawn:
            out.append(c)
    return tuple(out), False


def _quote(s: str) -> str:
    return '"' + s.replace('"', '\\"') + '"'


def write_blt(profile: Profile) -> str:
    """The profile as BLT text (grouped: one line per distinct ranking)."""
    out: list[str] = [f"{len(profile.candidates)} {profile.seats}"]
    if profile.withdrawn:
        out.append(" ".join(f"-{c + 1}" for c in sorted(profile.withdrawn)))
    out.extend(
        f"{w} {' '.join(str(c + 1) for c in r)} 0" for r, w in zip(profile.rankings, profile.weights, strict=True)
    )
    out.append("0")
    out.extend(_quote(n) for n in profile.candidates)
    out.append(_quote(profile.title))
    return "\n".join(out) + "\n"


def iter_blt_lines(profile: Profile) -> Iterable[str]:
    """Ungrouped BLT ballot lines (``1 a b c 0`` once per ballot), for tests and benchmarks."""
    for r, w in zip(profile.rankings, profile.weights, strict=True):
        line = f"1 {' '.join(str(c + 1) for c in r)} 0"
        for _ in range(w):
            yield line
