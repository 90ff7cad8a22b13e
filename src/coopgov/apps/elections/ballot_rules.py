"""Checking a voter's marks against the rule in force, and reading paper ballots: plain Python.

Ranked ballots (STV).  The Scottish Local Government Elections Order 2007 (SSI 2007/42), Sch. 1
rule 45 ("the usable preference" and the rejection of papers) treats a paper as carrying usable
preferences only up to the first point where a number is repeated or missing: a paper marked
1, 2, 4 is counted for its 1 and 2 only, and one without a 1 is rejected.  Online, the voter is
told before casting instead of losing preferences silently: a repeated number, a missing number
(gap) or no 1 is refused with a message saying which.  Paper ballots are entered as marked and cut
at the same point when read (:func:`usable_sequence`).

First past the post.  The voter may vote for as many candidates as there are seats (Model
Election Rules 2014, the FPTP rules): more marks than seats is refused online and void on paper.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["BallotError", "PaperLine", "check_plurality", "check_ranked", "parse_paper_batch", "usable_sequence"]


class BallotError(ValueError):
    """A voter's marks or an entered paper ballot are not valid; ``line`` for paper batches."""

    def __init__(self, message: str, line: int | None = None, field: str | None = None) -> None:
        super().__init__(f"Line {line}: {message}" if line is not None else message)
        self.message = message
        self.line = line
        self.field = field


def _ordinal_list(nums: Sequence[int]) -> str:
    items = [str(n) for n in nums]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def check_ranked(marks: Mapping[int, str], names: Mapping[int, str]) -> list[int]:
    """The candidate ids in preference order, or :class:`BallotError` saying what is wrong.

    ``marks`` maps candidate id to what the voter typed next to the name ('' for nothing).
    """
    numbers: dict[int, list[int]] = {}
    for cid, raw in marks.items():
        text = raw.strip()
        if not text:
            continue
        if not text.isdigit():
            raise BallotError(f"Enter a whole number next to {names[cid]}, like 1, 2 or 3.", field=str(cid))
        n = int(text)
        if n < 1 or n > len(names):
            raise BallotError(f"The number next to {names[cid]} must be between 1 and {len(names)}.", field=str(cid))
        numbers.setdefault(n, []).append(cid)
    if not numbers:
        raise BallotError("Put the number 1 next to your first choice.")
    repeated = sorted(n for n, who in numbers.items() if len(who) > 1)
    if repeated:
        n = repeated[0]
        who = " and ".join(names[c] for c in numbers[n])
        raise BallotError(
            f"You used the number {n} more than once ({who}). Use each number only once: "
            "a repeated number would stop your later choices being counted.",
            field=str(numbers[n][0]),
        )
    if 1 not in numbers:
        raise BallotError("Put the number 1 next to your first choice: your ballot has no 1.")
    used = sorted(numbers)
    for expected, n in enumerate(used, start=1):
        if n != expected:
            raise BallotError(
                f"You numbered {_ordinal_list(used[: expected - 1])} and then {n}, missing {expected}. "
                f"Under the rules of this election, choices after a missing number are not counted: "
                "number your choices 1, 2, 3 and so on without gaps.",
                field=str(numbers[n][0]),
            )
    return [numbers[n][0] for n in used]


def check_plurality(chosen: Sequence[int], seats: int) -> list[int]:
    """The chosen candidate ids, or :class:`BallotError` if none or too many."""
    if not chosen:
        raise BallotError("Choose at least one candidate." if seats > 1 else "Choose a candidate.")
    if len(set(chosen)) > seats:
        raise BallotError(
            f"You can vote for up to {seats} candidates; you chose {len(set(chosen))}."
            if seats > 1
            else f"You can vote for one candidate only; you chose {len(set(chosen))}."
        )
    return list(dict.fromkeys(chosen))


def usable_sequence(marks: Sequence[str]) -> list[int]:
    """0-based ballot positions in preference order, cut at the first repeated or missing number
    (rule 45); ``[]`` if the paper has no usable first preference."""
    by_number: dict[int, list[int]] = {}
    for pos, raw in enumerate(marks):
        text = raw.strip()
        if text.isdigit() and int(text) >= 1:
            by_number.setdefault(int(text), []).append(pos)
    out: list[int] = []
    n = 1
    while n in by_number and len(by_number[n]) == 1:
        out.append(by_number[n][0])
        n += 1
    return out


@dataclass(frozen=True, slots=True)
class PaperLine:
    line: int
    count: int
    sequence: tuple[int, ...]  # 0-based ballot positions in preference order; () = invalid paper


def parse_paper_batch(text: str, ncand: int, *, ranked: bool, seats: int) -> list[PaperLine]:
    """Read a batch typed by an officer: one paper per line, the marks next to each candidate in
    ballot-paper order separated by commas (blank for no mark; for first past the post any mark
    such as ``x`` counts as a vote).  A line may start ``N*`` for N identical papers.  Blank lines
    and lines starting ``#`` are skipped.  Wrong shapes raise :class:`BallotError` with the line."""
    out: list[PaperLine] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        count = 1
        if "*" in line:
            head, _, line = line.partition("*")
            if not head.strip().isdigit() or int(head) < 1:
                raise BallotError(f"'{head.strip()}*' must be a whole number of papers, like 3*", lineno)
            count = int(head)
        marks = [m.strip() for m in line.split(",")]
        if len(marks) != ncand:
            raise BallotError(
                f"expected {ncand} marks separated by commas (one per candidate, blank for none), found {len(marks)}",
                lineno,
            )
        if ranked:
            bad = [m for m in marks if m and not m.isdigit()]
            if bad:
                raise BallotError(f"'{bad[0]}' is not a number; enter the number written next to each name", lineno)
            seq = tuple(usable_sequence(marks))
        else:
            ticked = [pos for pos, m in enumerate(marks) if m]
            seq = tuple(ticked) if len(ticked) <= seats else ()  # too many marks: void
        out.append(PaperLine(lineno, count, seq))
    return out
