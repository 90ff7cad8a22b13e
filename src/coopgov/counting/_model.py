"""Data model shared by every counting method: profiles, stages, results and errors.

A :class:`Profile` is what the parsers produce and the rule modules consume: distinct usable
preference sequences with the number of ballots carrying each one.  A :class:`CountResult`
is what every rule module returns: the declaration sheet as a sequence of :class:`Stage`
objects with exact (``Fraction``) totals, every tie and how it was broken.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

__all__ = ["CountResult", "CountingError", "Profile", "Stage", "TieBreak"]


class CountingError(Exception):
    """A user mistake in the input or the options, located by file and line where known.

    ``str(err)`` is ``"FILE:LINE: message"`` (absent parts omitted); the command line prints
    it on one line and exits with status 2.
    """

    message: str
    file: str | None
    line: int | None

    def __init__(self, message: str, file: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line

    def __str__(self) -> str:
        where = ":".join(p for p in (self.file, None if self.line is None else str(self.line)) if p)
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True, slots=True)
class Profile:
    """An election: candidates, seats and grouped ballots.

    ``rankings`` are the distinct *usable* preference sequences (0-based candidate ids), already
    cut at the first invalid point and with withdrawn candidates removed; ``weights[i]`` is the
    number of ballots carrying ``rankings[i]``.  ``invalid`` counts ballots without a usable
    first preference; they are not part of the valid poll.
    """

    title: str
    candidates: tuple[str, ...]
    seats: int
    withdrawn: frozenset[int] = frozenset()
    rankings: tuple[tuple[int, ...], ...] = ()
    weights: tuple[int, ...] = ()
    invalid: int = 0
    notes: tuple[str, ...] = ()

    @property
    def valid_poll(self) -> int:
        """Number of ballots with a usable first preference."""
        return sum(self.weights)

    @property
    def continuing(self) -> tuple[int, ...]:
        """Ids of the candidates standing (not withdrawn)."""
        return tuple(c for c in range(len(self.candidates)) if c not in self.withdrawn)

    @classmethod
    def from_ballots(
        cls,
        candidates: Sequence[str],
        seats: int,
        ballots: Iterable[Sequence[int]],
        weights: Iterable[int] | None = None,
        *,
        title: str = "",
        withdrawn: Iterable[int] = (),
        invalid: int = 0,
        notes: Sequence[str] = (),
    ) -> Profile:
        """Build a profile from ballots, grouping identical usable rankings.

        ``ballots`` are preference sequences of 0-based ids; ``weights`` (default: 1 each)
        how many ballots carry each.  Each ranking is cut at its first repeated or unknown
        id; withdrawn candidates are skipped.  Ballots left without a first preference are
        counted as invalid.  Rankings keep the order in which they were first seen.
        """
        n = len(candidates)
        wd = frozenset(withdrawn)
        counts: dict[tuple[int, ...], int] = {}
        bad = invalid
        cut = 0
        ws: Iterable[int] = weights if weights is not None else itertools.repeat(1)
        for ranking, num in zip(ballots, ws, strict=False):
            usable: list[int] = []
            seen: set[int] = set()
            for c in ranking:
                if c < 0 or c >= n or c in seen:
                    cut += num
                    break
                seen.add(c)
                if c not in wd:
                    usable.append(c)
            if not usable:
                bad += num
                continue
            key = tuple(usable)
            counts[key] = counts.get(key, 0) + num
        note_list = list(notes)
        if cut:
            note_list.append(
                f"{cut} ballot(s) had a repeated, equal or skipped preference; only the preferences before it were used"
            )
        return cls(
            title=title,
            candidates=tuple(candidates),
            seats=seats,
            withdrawn=wd,
            rankings=tuple(counts),
            weights=tuple(counts.values()),
            invalid=bad,
            notes=tuple(note_list),
        )

    def ungrouped(self) -> Profile:
        """The same election with one ranking entry per ballot (for testing grouping)."""
        rankings: list[tuple[int, ...]] = []
        for r, w in zip(self.rankings, self.weights, strict=True):
            rankings.extend([r] * w)
        return Profile(
            title=self.title,
            candidates=self.candidates,
            seats=self.seats,
            withdrawn=self.withdrawn,
            rankings=tuple(rankings),
            weights=(1,) * len(rankings),
            invalid=self.invalid,
            notes=self.notes,
        )


@dataclass(frozen=True, slots=True)
class TieBreak:
    """A tie met during the count and how it was resolved."""

    stage: int
    decision: str
    tied: tuple[int, ...]
    chosen: int
    how: str
    detail: str


@dataclass(frozen=True, slots=True)
class Stage:
    """One stage of the count; ``votes`` are each candidate's totals at the END of the stage."""

    number: int
    action: str
    subjects: tuple[int, ...]
    votes: tuple[Fraction, ...]
    transfers: tuple[Fraction, ...]
    non_transferable: Fraction
    loss: Fraction
    quota: Fraction
    elected: tuple[int, ...]
    excluded: tuple[int, ...]
    note: str = ""
    keep_factors: tuple[Fraction, ...] | None = None


@dataclass(frozen=True, slots=True)
class CountResult:
    """The outcome of a count: the declaration sheet."""

    method: str
    title: str
    candidates: tuple[str, ...]
    seats: int
    valid_poll: int
    invalid: int
    quota: Fraction
    stages: tuple[Stage, ...]
    elected: tuple[int, ...]
    excluded: tuple[int, ...]
    ties: tuple[TieBreak, ...] = ()
    decimals: int | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def elected_names(self) -> tuple[str, ...]:
        return tuple(self.candidates[c] for c in self.elected)
