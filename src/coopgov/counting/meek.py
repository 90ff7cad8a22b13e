"""Meek STV: the New Zealand method of counting single transferable votes.

Implements the Local Electoral Regulations 2001 (SR 2001/145), Schedule 1A "New Zealand method
of counting single transferable votes" (inserted by SR 2003/391): Part 1 (multi-member
vacancies, clauses 3-23), Part 2 (single member vacancies, clauses 24-36) and the tie-breaking
methods of Part 5 (clauses 40-48, in :mod:`coopgov.counting._meek_prng`).  Part 3 (recognising
preferences: a preference that is not unique or not consecutive ends the usable sequence;
withdrawn candidates are skipped) is applied by the parsers that build the
:class:`~coopgov.counting.Profile`.

Arithmetic is integer fixed point with 10**-9 units, rounded exactly where the schedule says:

* quotas (cl 5, 11) are "truncated to 9 decimal digits after the point with no rounding";
* keep values (cl 7, 17) are "truncated to 9 decimal digits after the point and rounded up if
  not exact" (and in cl 17 so is the product of q and kc before the division);
* in the allocation of each voting document (cl 10) "the product of each multiplication ...
  must be calculated to 9 decimal digits after the point and rounded up if not exact and the
  multiplications must be calculated from left to right".

Because every product is rounded up a voting document can hand out slightly more than one vote
in total; that excess is shown as a negative rounding ``loss`` so that at every step the
candidates' votes plus the non-transferable votes plus the loss equal the valid poll exactly.

Lots are not drawn from the caller's generator: the schedule prescribes its own pseudo-random
numbers (cl 41-48), which depend only on the numbers of candidates, vacancies and valid voting
documents, so the count is the same for every seed.  Every tie is recorded in the result.

Readings of the text where it is terse (each also noted where it is coded): cl 44 assigns the
fifth generated value to the first candidate; when the AAFD method leaves several candidates the
lowest PRN is taken among those; cl 13 "less than the votes of any other hopeful candidate" is
read as less than the second-lowest hopeful's votes; exclusion (cl 13) is first considered at
step 2, as the clauses are ordered.  Published commentary (A. Conway, ConcreteSTV) reports that
the counting program used in New Zealand may round cl 10 differently (down, except the last
product) and may exclude at the first iteration; this module follows the regulations as written.
Where there are fewer candidates with votes than vacancies (cl 21) the result elects fewer
candidates than there are seats: the rest are extraordinary vacancies, and the notes say so.

Speed: the allocation of cl 10 is evaluated with numpy over the distinct rankings (one row per
distinct ranking, weighted by its number of ballots), column by column, in int64 (every product
of two values in [0, 1] with 9 decimals is below 10**18 < 2**63).  An iteration therefore costs
O(distinct rankings x ranking length), independent of the number of ballots.
"""

from __future__ import annotations

import random
from fractions import Fraction
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt

from coopgov.counting._meek_prng import aafd, prn_at, prn_table
from coopgov.counting._model import CountResult, Profile, Stage, TieBreak
from coopgov.counting._registry import register

__all__ = ["count_meek"]

DECIMALS = 9
UNIT = 10**DECIMALS  # one vote in fixed-point units
SURPLUS_LIMIT = UNIT // 10**4  # cl 13 "total surplus is less than 0.0001"

HOPEFUL, SUCCESSFUL, EXCLUDED, WITHDRAWN = 0, 1, 2, 3


def _fr(units: int) -> Fraction:
    return Fraction(units, UNIT)


def _fmt(units: int) -> str:
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), UNIT)
    return f"{sign}{whole}.{frac:09d}"


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _quota(valid_units: int, vnt: int, vacancies: int) -> int:
    """cl 5 / cl 11: q = (v - vnt) / (n + 1) + 0.000 000 001, truncated to 9 decimal digits.

    Adding one unit commutes with truncation, so q = floor((v - vnt) / (n + 1)) + 1 unit.
    """
    return (valid_units - vnt) // (vacancies + 1) + 1


class _Allocator:
    """cl 10 over all distinct rankings at once (numpy, exact int64 fixed point)."""

    def __init__(self, profile: Profile) -> None:
        ncand = len(profile.candidates)
        rankings = profile.rankings
        nrows = len(rankings)
        lens = np.fromiter((len(r) for r in rankings), dtype=np.int64, count=nrows)
        width = int(lens.max()) if nrows else 0
        total = int(lens.sum())
        flat = np.fromiter(chain.from_iterable(rankings), dtype=np.int64, count=total)
        rows = np.repeat(np.arange(nrows, dtype=np.int64), lens)
        starts = np.cumsum(lens) - lens
        cols = np.arange(total, dtype=np.int64) - np.repeat(starts, lens)
        # Padding uses a dummy candidate ``ncand`` with keep value 0: it takes nothing and
        # passes the remaining value through unchanged (a factor of exactly 1).
        self.matrix = np.full((nrows, width), ncand, dtype=np.int64)
        self.matrix[rows, cols] = flat
        # int64 is exact while every partial sum stays below 2**63: a total of at most
        # 9 x 10**9 ballots of at most 10**9 units each.  Beyond that Python integers are used.
        self.dtype: type = np.int64 if profile.valid_poll <= 9 * 10**9 else object
        self.weights = np.asarray(profile.weights, dtype=self.dtype)
        # Positions of the real entries grouped by candidate, to sum votes exactly in int64.
        pos = rows * width + cols
        order = np.argsort(flat, kind="stable")
        self.pos_sorted = pos[order]
        ids = flat[order]
        bounds = np.flatnonzero(np.diff(ids)) + 1
        self.group_starts = np.concatenate(([0], bounds)).astype(np.int64) if total else bounds
        self.group_cands = ids[self.group_starts] if total else ids
        self.ncand = ncand

    def allocate(self, keep: list[int]) -> tuple[list[int], int]:
        """Votes of every candidate and the non-transferable votes, in units."""
        kv: npt.NDArray[Any] = np.asarray([*keep, 0], dtype=self.dtype)
        nrows, width = self.matrix.shape
        rest: npt.NDArray[Any] = np.full(nrows, UNIT, dtype=self.dtype)  # (1 - k1) x ... x (1 - k(m-1)) so far
        alloc: npt.NDArray[Any] = np.empty((nrows, width), dtype=self.dtype)
        for j in range(width):
            k = kv[self.matrix[:, j]]
            # vm = (1 - k1) x ... x (1 - k(m-1)) x km, each product rounded up (cl 10)
            alloc[:, j] = (rest * k + (UNIT - 1)) // UNIT
            rest = (rest * (UNIT - k) + (UNIT - 1)) // UNIT
        votes = [0] * self.ncand
        if len(self.pos_sorted):
            contrib = (alloc * self.weights[:, None]).ravel()[self.pos_sorted]
            sums = np.add.reduceat(contrib, self.group_starts)
            for c, s in zip(self.group_cands.tolist(), sums.tolist(), strict=True):
                votes[c] = int(s)
        # "non-transferable votes means the votes remaining untransferred when a voting
        #  document becomes exhausted" (cl 2): what is left after its last preference.
        vnt = int((rest * self.weights).sum())
        return votes, vnt


class _Ties:
    """cl 19 / cl 34(a): AAFD method, then the lowest PRN."""

    def __init__(self, profile: Profile, valid: int) -> None:
        self.names = profile.candidates
        self.table = prn_table(len(profile.candidates), profile.seats, valid)
        self.ties: list[TieBreak] = []

    def lowest(self, tied: list[int], history: list[list[int]], step: int, decision: str, rule: str) -> int:
        """The candidate to exclude among ``tied`` (equal lowest votes at ``step``)."""
        names = self.names
        label = ", ".join(names[c] for c in sorted(tied))
        ident, at = aafd(tied, history)
        if len(ident) == 1:
            chosen = ident[0]
            self.ties.append(
                TieBreak(
                    stage=step,
                    decision=decision,
                    tied=tuple(sorted(tied)),
                    chosen=chosen,
                    how="earlier stage",
                    detail=(
                        f"{label} were tied for {decision}; {names[chosen]} had fewer votes at "
                        f"step {at}, the earliest step at which they differed "
                        f"({rule}, AAFD method cl 40)"
                    ),
                )
            )
            return chosen
        # "If the AAFD method does not identify a single candidate to exclude, exclude the
        #  candidate with the lowest PRN."  Reading: lowest PRN among those the AAFD method
        #  left (all the tied candidates if they were equal at every step).
        prns = {c: prn_at(self.table, step, c) for c in ident}
        chosen = min(ident, key=lambda c: prns[c])
        shown = ", ".join(f"{names[c]} {prns[c]}" for c in ident)
        where = f"not separated by step {at}" if at is not None else "equal at every step"
        self.ties.append(
            TieBreak(
                stage=step,
                decision=decision,
                tied=tuple(sorted(tied)),
                chosen=chosen,
                how="lot",
                detail=(
                    f"{label} were tied for {decision} ({where}); {names[chosen]} has the lowest "
                    f"pseudo-random number at step {step} ({shown}) ({rule}, PRNG method "
                    "cl 41-48)"
                ),
            )
        )
        return chosen


@register("meek")
def count_meek(profile: Profile, rng: random.Random) -> CountResult:
    """Count ``profile`` by Schedule 1A of the Local Electoral Regulations 2001 (NZ Meek STV).

    ``rng`` is not used: the schedule's own PRNG method (cl 41-48) resolves ties by lot.
    """
    del rng  # the schedule prescribes its own pseudo-random numbers
    if profile.seats == 1:
        return _single_member(profile)
    return _multi_member(profile)


def _multi_member(profile: Profile) -> CountResult:
    names = profile.candidates
    ncand = len(names)
    n = profile.seats
    valid = profile.valid_poll
    v_units = valid * UNIT
    notes: list[str] = list(profile.notes)

    status = [HOPEFUL] * ncand
    for c in profile.withdrawn:
        status[c] = WITHDRAWN
    # cl 20 "This clause applies to any candidate who, at the commencement of step 1, has no
    #        first preferences and no other preferences. A candidate to whom this clause
    #        applies, becomes withdrawn."
    mentioned = set(chain.from_iterable(profile.rankings))
    unmentioned = [c for c in range(ncand) if status[c] == HOPEFUL and c not in mentioned]
    with_votes = status.count(HOPEFUL) - len(unmentioned)
    if with_votes >= n:
        for c in unmentioned:
            status[c] = WITHDRAWN
            notes.append(f"{names[c]} has no preferences at all and becomes withdrawn (cl 20)")
    elif unmentioned:
        # cl 21 "This clause applies if, at the commencement of step 1, there are fewer
        #        candidates with votes than positions to be filled. If this clause applies, the
        #        candidates who attracted votes are successful, the counting is complete, and
        #        ... the remaining vacancies are extraordinary vacancies."
        # The candidates nobody ranked take no part (cl 20); step 1 is still reported, and the
        # completion rule (close, below) makes every candidate with votes successful.
        for c in unmentioned:
            status[c] = WITHDRAWN
        notes.append(
            f"fewer candidates with votes ({with_votes}) than vacancies ({n}): the candidates with "
            f"votes are successful, the counting is complete and {n - with_votes} vacancy(ies) "
            "remain extraordinary vacancies (cl 21); "
            + ", ".join(names[c] for c in unmentioned)
            + " had no preferences at all (cl 20)"
        )

    alloc = _Allocator(profile)
    ties = _Ties(profile, valid)
    stages: list[Stage] = []
    history: list[list[int]] = []
    elected: list[int] = []
    excluded: list[int] = []

    def keep_values(kc: list[int]) -> list[int]:
        # cl 8 "Give hopeful candidates a keep value of 1.0."  cl 9 / cl 16 withdrawn and
        # excluded candidates: 0.  Successful candidates keep ``kc`` (set by cl 7 / cl 17).
        return [UNIT if s == HOPEFUL else (kc[c] if s == SUCCESSFUL else 0) for c, s in enumerate(status)]

    def finished() -> bool:
        # cl 3 "Counting is complete when the number of successful candidates is equal to the
        #       number of vacancies ... Counting is also complete when the number of successful
        #       candidates and hopeful candidates is equal to the number of vacancies. In this
        #       case, the hopeful candidates become successful candidates."
        succ = status.count(SUCCESSFUL)
        hope = status.count(HOPEFUL)
        return succ >= n or succ + hope <= n

    def close(newly: list[int]) -> str:
        """Apply the completion rule of cl 3 / cl 21; returns a note."""
        succ = status.count(SUCCESSFUL)
        hopeful = [c for c in range(ncand) if status[c] == HOPEFUL]
        if succ < n and succ + len(hopeful) <= n:
            hopeful.sort(key=lambda c: (-history[-1][c], c))
            for c in hopeful:
                status[c] = SUCCESSFUL
                elected.append(c)
                newly.append(c)
            if succ + len(hopeful) < n:
                # cl 21 (read with cl 20): fewer candidates with votes than vacancies.
                return (
                    "fewer candidates with votes than vacancies: the candidates with votes are "
                    f"successful and {n - succ - len(hopeful)} vacancy(ies) remain "
                    "extraordinary vacancies (cl 21)"
                )
            return (
                "successful and hopeful candidates equal the vacancies: the hopeful candidates become successful (cl 3)"
            )
        return ""

    kc = [UNIT] * ncand
    # ---- Step 1 -------------------------------------------------------------------------
    votes, vnt = alloc.allocate(keep_values(kc))  # first preferences
    history.append(list(votes))
    # cl 5 quota
    q = _quota(v_units, vnt, n)
    # cl 6 "A candidate whose first preferences equal or exceed the quota becomes successful."
    newly: list[int] = []
    for c in sorted(range(ncand), key=lambda c: (-votes[c], c)):
        if status[c] == HOPEFUL and votes[c] >= q:
            status[c] = SUCCESSFUL
            elected.append(c)
            newly.append(c)
    note = close(newly) if finished() else ""
    stages.append(
        Stage(
            number=1,
            action="first preferences",
            subjects=(),
            votes=tuple(_fr(x) for x in votes),
            transfers=tuple(_fr(x) for x in votes),
            non_transferable=_fr(vnt),
            loss=_fr(v_units - sum(votes) - vnt),
            quota=_fr(q),
            elected=tuple(newly),
            excluded=(),
            note=note,
            keep_factors=tuple(_fr(k) for k in keep_values(kc)),
        )
    )

    step = 1
    seen: set[tuple[int, ...]] = set()
    while not finished():
        step += 1
        before = votes
        # cl 7 (step 2) "kc = q / vc ... truncated to 9 decimal digits after the point and
        #   rounded up if not exact"; cl 17 (step 3 and later) "kc = q x kc / vc ... the product
        #   of q and kc is truncated to 9 digits after the point and rounded up if not exact
        #   before being divided by vc and kc is also ... rounded up if not exact".  For a
        #   candidate first successful at the previous step kc is 1, and cl 17 gives cl 7.
        clamp = False
        for c in range(ncand):
            if status[c] == SUCCESSFUL and votes[c] > 0:
                prod = _ceil_div(q * kc[c], UNIT)
                kc[c] = _ceil_div(prod * UNIT, votes[c])
                if kc[c] > UNIT:  # not reached in practice; the schedule is silent
                    kc[c] = UNIT
                    clamp = True
        keep = keep_values(kc)
        # cl 10 allocate votes from each voting document
        votes, vnt = alloc.allocate(keep)
        history.append(list(votes))
        # cl 11 new quota
        q = _quota(v_units, vnt, n)
        # cl 12 "A hopeful candidate becomes successful if his or her votes equal or exceed
        #        the quota."
        newly = []
        reached = [c for c in range(ncand) if status[c] == HOPEFUL and votes[c] >= q]
        reached.sort(key=lambda c: (-votes[c], c))
        room = n - status.count(SUCCESSFUL)
        notes_here: list[str] = []
        if clamp:
            notes_here.append("a keep value above 1 was limited to 1 (schedule silent)")
        if len(reached) > room:
            # Not provided for by the schedule (possible only through the rounding up of
            # cl 10): the vacancies go to the highest votes, ties by cl 19 in reverse.
            reached = _top(reached, room, votes, history, step, ties)
            notes_here.append(
                "more candidates reached the quota than vacancies remained; the highest were "
                "made successful (schedule silent)"
            )
        for c in reached:
            status[c] = SUCCESSFUL
            elected.append(c)
            newly.append(c)
        out: list[int] = []
        if finished():
            notes_here.append(close(newly))
        else:
            # cl 13 "Exclude the hopeful candidate with the least votes if the sum of his or
            #        her votes and the total surplus is less than the votes of any other hopeful
            #        candidate or if the total surplus is less than 0.0001."
            # cl 14 "total surplus means the sum of all candidates' surpluses. Surplus means
            #        the number of votes that a candidate has in excess of the quota."
            surplus = sum(max(0, votes[c] - q) for c in range(ncand) if status[c] == SUCCESSFUL)
            hopeful = [c for c in range(ncand) if status[c] == HOPEFUL]
            low = min(votes[c] for c in hopeful)
            others = sorted(votes[c] for c in hopeful)
            second = others[1] if len(others) > 1 else None
            reason = ""
            if second is not None and low + surplus < second:
                reason = "its votes plus the total surplus are less than any other hopeful's"
            elif surplus < SURPLUS_LIMIT:
                reason = "the total surplus is less than 0.0001"
            state = tuple(keep)
            if not reason and not newly and state in seen:
                # cl 23 "... a state where any number of iterations would not result in further
                #        candidates becoming excluded or successful ... the candidate with the
                #        lowest total votes becomes excluded."
                reason = "stable state: further iterations change nothing (cl 23)"
            if newly:
                seen.clear()
            seen.add(state)
            if reason:
                tied = [c for c in hopeful if votes[c] == low]
                victim = tied[0]
                if len(tied) > 1:
                    # cl 19 ties for the lowest number of votes
                    victim = ties.lowest(tied, history, step, "exclusion", "cl 19")
                status[victim] = EXCLUDED
                excluded.append(victim)
                out.append(victim)
                seen.clear()
                notes_here.append(
                    f"{names[victim]} excluded with {_fmt(votes[victim])} votes: {reason} "
                    f"(total surplus {_fmt(surplus)})"
                )
                if finished():
                    notes_here.append(close(newly))
        stages.append(
            Stage(
                number=step,
                action="iteration",
                subjects=tuple(out),
                votes=tuple(_fr(x) for x in votes),
                transfers=tuple(_fr(a - b) for a, b in zip(votes, before, strict=True)),
                non_transferable=_fr(vnt),
                loss=_fr(v_units - sum(votes) - vnt),
                quota=_fr(q),
                elected=tuple(newly),
                excluded=tuple(out),
                note="; ".join(x for x in notes_here if x),
                keep_factors=tuple(_fr(k) for k in keep),
            )
        )

    return CountResult(
        method="meek",
        title=profile.title,
        candidates=names,
        seats=n,
        valid_poll=valid,
        invalid=profile.invalid,
        quota=_fr(q),
        stages=tuple(stages),
        elected=tuple(elected),
        excluded=tuple(excluded),
        ties=tuple(ties.ties),
        decimals=DECIMALS,
        notes=tuple(notes),
    )


def _top(
    reached: list[int],
    room: int,
    votes: list[int],
    history: list[list[int]],
    step: int,
    ties: _Ties,
) -> list[int]:
    """Keep the ``room`` highest of ``reached``, dropping the lowest (ties by cl 19) first."""
    keep = list(reached)
    while len(keep) > room:
        low = min(votes[c] for c in keep)
        tied = [c for c in keep if votes[c] == low]
        drop = tied[0]
        if len(tied) > 1:
            drop = ties.lowest(tied, history, step, "vacancy beyond the quota", "cl 19 applied")
        keep.remove(drop)
    return keep


def _single_member(profile: Profile) -> CountResult:
    """Part 2, single member vacancies (cl 24-36): whole votes, absolute majority."""
    names = profile.candidates
    ncand = len(names)
    valid = profile.valid_poll
    rankings = profile.rankings
    weights = profile.weights
    ties = _Ties(profile, valid)
    # cl 36 (cl 22) withdrawn candidates take no part.
    hopeful = [c not in profile.withdrawn for c in range(ncand)]
    pos = [0] * len(rankings)
    history: list[list[int]] = []
    stages: list[Stage] = []
    excluded: list[int] = []
    winner: int | None = None
    before = [0] * ncand
    step = 0
    m = 0
    out: tuple[int, ...] = ()
    while winner is None:
        step += 1
        # cl 29-30 each voting document counts for its next preference for a hopeful candidate
        votes = [0] * ncand
        vnt = 0
        for i, r in enumerate(rankings):
            p = pos[i]
            while p < len(r) and not hopeful[r[p]]:
                p += 1
            pos[i] = p
            if p < len(r):
                votes[r[p]] += weights[i]
            else:
                vnt += weights[i]
        history.append(votes)
        # cl 26 "m = (v - vnt) / 2 ... and if m is not a whole number, it is rounded up"
        m = _ceil_div(valid - vnt, 2)
        # cl 27 / 31 elected if votes equal or exceed the absolute majority
        over = [c for c in range(ncand) if hopeful[c] and votes[c] >= m]
        note = ""
        if len(over) == 2:
            # cl 34(b) "... 2 candidates' votes equal the absolute majority of votes ... the
            #          candidate who is not excluded is elected" (exclusion as in (a)).
            loser = ties.lowest(over, history, step, "exclusion (the other is elected)", "cl 34(b)")
            winner = next(c for c in over if c != loser)
            note = f"{names[winner]} and {names[loser]} both equal the absolute majority"
        elif over:
            winner = over[0]
        if winner is None:
            # cl 28 "the candidate with the fewest first preference votes becomes excluded"
            cont = [c for c in range(ncand) if hopeful[c]]
            low = min(votes[c] for c in cont)
            tied = [c for c in cont if votes[c] == low]
            victim = tied[0]
            if len(tied) > 1:
                victim = ties.lowest(tied, history, step, "exclusion", "cl 34(a)")
            hopeful[victim] = False
            excluded.append(victim)
            out = (victim,)
            note = f"{names[victim]} excluded with {votes[victim]} votes (cl 28)"
        else:
            out = ()
        stages.append(
            Stage(
                number=step,
                action="first preferences" if step == 1 else "exclusion",
                subjects=out,
                votes=tuple(Fraction(x) for x in votes),
                transfers=tuple(Fraction(a - b) for a, b in zip(votes, before, strict=True)),
                non_transferable=Fraction(vnt),
                loss=Fraction(0),
                quota=Fraction(m),
                elected=() if winner is None else (winner,),
                excluded=out,
                note=note,
            )
        )
        before = votes
    return CountResult(
        method="meek",
        title=profile.title,
        candidates=names,
        seats=1,
        valid_poll=valid,
        invalid=profile.invalid,
        quota=Fraction(m),
        stages=tuple(stages),
        elected=(winner,),
        excluded=tuple(excluded),
        ties=tuple(ties.ties),
        decimals=0,
        notes=(
            *profile.notes,
            "single vacancy: counted by Schedule 1A Part 2 (absolute majority of whole votes)",
        ),
    )
