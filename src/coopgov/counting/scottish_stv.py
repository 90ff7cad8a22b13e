"""Scottish STV: the Scottish Local Government Elections Order 2007 (SSI 2007/42), Schedule 1,
rules 45–52 — the count used for every Scottish council election since 2007.

The rule text is quoted beside the code that implements it.  Arithmetic is exact integer fixed
point in units of 0.00001 of a vote (rule 48(3): "the calculation being made to five decimal
places (any remainder being ignored)"); no binary floating point is involved.

Papers are held in *entries*: all ballots with the same preference sequence share one entry
(with a count), and because every ballot of an entry sits at the same preference with the same
value, an entry always moves as a whole.  The per-entry bookkeeping is vectorised with numpy
(integer arrays only), so the cost of a stage follows the number of distinct rankings held by the
transferring candidate, not the number of ballots.

Decisions the rules leave open, and what this module does:

* A three-way (or larger) tie under rules 49(2) / 51(2)(a) is narrowed stage by stage: at the most
  recent preceding stage where the tied candidates' totals were not all equal, those without the
  highest (49) / lowest (51) total there drop out, and the search continues among the rest.
* Candidates reaching the quota at the same stage are listed in the order of their votes; that
  order decides nothing (surplus order is decided by rule 49 each time a surplus is chosen).
* Rule 52 is applied at the end of every stage, before any further surplus is transferred.
"""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from coopgov.counting._model import CountResult, Profile, Stage, TieBreak
from coopgov.counting._registry import register
from coopgov.counting._ties import break_tie

__all__ = ["count_scottish_stv"]

DECIMALS = 5
UNIT = 10**DECIMALS  # fixed-point units per vote
_EXHAUSTED = -1

IntArray = npt.NDArray[np.int64]


class _Papers:
    """Every ballot entry's current position, holder and value (integer arrays)."""

    def __init__(self, profile: Profile) -> None:
        rankings = profile.rankings
        lens = np.fromiter(map(len, rankings), dtype=np.int64, count=len(rankings))
        total = int(lens.sum())
        self.flat: IntArray = np.fromiter(
            itertools.chain.from_iterable(rankings), dtype=np.int64, count=total
        )
        self.start: IntArray = np.zeros(len(rankings), dtype=np.int64)
        np.cumsum(lens[:-1], out=self.start[1:])
        self.end: IntArray = self.start + lens
        self.count: IntArray = np.asarray(profile.weights, dtype=np.int64)
        # index into flat of the current preference; -1 before the first is read
        self.pos: IntArray = self.start - 1
        self.holder: IntArray = np.full(len(rankings), _EXHAUSTED, dtype=np.int64)
        self.value: IntArray = np.full(len(rankings), UNIT, dtype=np.int64)

    def advance(self, idx: IntArray, continuing: npt.NDArray[np.bool_]) -> IntArray:
        """Move the entries ``idx`` to their next available preference for a continuing
        candidate; return their new holders (``_EXHAUSTED`` where none is given)."""
        pos = self.pos[idx] + 1
        end = self.end[idx]
        new_holder = np.full(len(idx), _EXHAUSTED, dtype=np.int64)
        todo = np.arange(len(idx))
        flat = self.flat
        while len(todo):
            p = pos[todo]
            inside = p < end[todo]
            todo = todo[inside]
            p = p[inside]
            cand = flat[p]
            found = continuing[cand]
            new_holder[todo[found]] = cand[found]
            todo = todo[~found]
            pos[todo] += 1
        self.pos[idx] = pos
        self.holder[idx] = new_holder
        return new_holder


def _credit(ncand: int, holders: IntArray, amounts: IntArray) -> tuple[list[int], int]:
    """Sum ``amounts`` per receiving candidate (exact int64); also the exhausted total."""
    acc = np.zeros(ncand + 1, dtype=np.int64)
    np.add.at(acc, holders + 1, amounts)
    return [int(x) for x in acc[1:]], int(acc[0])


@register("scottish-stv")
def count_scottish_stv(profile: Profile, rng: random.Random) -> CountResult:
    """Count ``profile`` under SSI 2007/42 Sch. 1 rules 45–52; lots are drawn from ``rng``."""
    names = profile.candidates
    ncand = len(names)
    seats = profile.seats
    # 45(3) "ascertain and record the total number of valid ballot papers"
    valid = profile.valid_poll
    # 46(1) "divide the total number of valid ballot papers ... by a number exceeding by one the
    #        number of councillors to be elected"
    # 46(2) "The result of the division under paragraph (1) (ignoring any decimal places),
    #        increased by one, is the number of votes needed ... (the "quota")."
    quota_votes = valid // (seats + 1) + 1
    quota = quota_votes * UNIT

    papers = _Papers(profile)
    continuing = np.zeros(ncand, dtype=np.bool_)
    for c in profile.continuing:
        continuing[c] = True

    # 45(1)-(2) "sort the valid ballot papers into parcels according to the candidates for whom
    #            first preference votes are given ... credit the candidate receiving the first
    #            preference vote with one vote for each ballot paper"
    everyone = np.arange(len(profile.rankings), dtype=np.int64)
    first, _ = _credit(ncand, papers.advance(everyone, continuing), papers.count * UNIT)
    votes: list[int] = first
    history: list[list[int]] = [list(votes)]
    nt = 0  # non-transferable papers' value (units)
    loss = 0  # value lost by ignoring remainders (units)
    elected: list[int] = []
    excluded: list[int] = []
    pending: list[int] = []  # elected with a surplus not yet transferred
    ties: list[TieBreak] = []
    stages: list[Stage] = []

    def fr(units: int) -> Fraction:
        return Fraction(units, UNIT)

    def finish_stage(
        number: int,
        action: str,
        subjects: tuple[int, ...],
        before: list[int],
        newly_excluded: tuple[int, ...],
        note: str,
    ) -> None:
        """Elect by rule 47, then apply rule 52, and record the stage."""
        newly: list[int] = []
        # 47(1) "Where, at any stage of the count, the number of votes for a candidate equals or
        #        exceeds the quota, the candidate is deemed to be elected."
        reached = [c for c in range(ncand) if continuing[c] and votes[c] >= quota]
        reached.sort(key=lambda c: (-votes[c], c))
        for c in reached[: seats - len(elected)]:
            continuing[c] = False
            elected.append(c)
            newly.append(c)
            if votes[c] > quota:
                pending.append(c)
        notes = [note] if note else []
        # 52(1) "Where the number of continuing candidates is equal to the number of vacancies
        #        remaining unfilled, the continuing candidates are deemed to be elected."
        left = seats - len(elected)
        rest = [c for c in range(ncand) if continuing[c]]
        if left > 0 and len(rest) <= left:
            rest.sort(key=lambda c: (-votes[c], c))
            for c in rest:
                continuing[c] = False
                elected.append(c)
                newly.append(c)
            notes.append(
                "the continuing candidates equal the vacancies remaining and are deemed "
                "elected (rule 52(1))"
            )
        history.append(list(votes))
        stages.append(
            Stage(
                number=number,
                action=action,
                subjects=subjects,
                votes=tuple(fr(v) for v in votes),
                transfers=tuple(fr(v - b) for v, b in zip(votes, before, strict=True)),
                non_transferable=fr(nt),
                loss=fr(loss),
                quota=Fraction(quota_votes),
                elected=tuple(newly),
                excluded=newly_excluded,
                note="; ".join(notes),
            )
        )

    history.clear()  # finish_stage appends the first stage's totals
    finish_stage(1, "first preferences", (), [0] * ncand, (), "")

    number = 1
    while len(elected) < seats:
        number += 1
        before = list(votes)
        if pending:
            # 49(1) "first sort the ballot papers of the candidate with the highest surplus"
            top = max(votes[c] for c in pending)
            tied = [c for c in pending if votes[c] == top]
            subject = tied[0]
            if len(tied) > 1:
                # 49(2) "If the surpluses ... are equal, the transferable papers of the candidate
                #        who had the highest number of votes at the end of the most recent
                #        preceding stage at which they had unequal numbers of votes shall be
                #        transferred first."
                # 49(3) "... equal at all stages of the count, the returning officer shall decide,
                #        by lot, which candidate's transferable papers are to be transferred first."
                subject, tie = break_tie(
                    tied,
                    history,
                    stage=number,
                    decision="surplus order",
                    want="highest",
                    order="most recent",
                    rng=rng,
                    names=names,
                    rule="rule 49(2)-(3)",
                )
                ties.append(tie)
            pending.remove(subject)
            surplus = votes[subject] - quota
            total = votes[subject]
            # 48(1) "sort the ballot papers received by that candidate into further parcels ...
            #        (a) according to the next available preference given on those papers; and
            #        (b) where no such preference is given, as a parcel of non-transferable papers"
            idx = np.flatnonzero(papers.holder == subject)
            old_vals = papers.value[idx]
            new_holder = papers.advance(idx, continuing)
            # 48(3) transfer value = A / B, A = surplus x value of the paper when received,
            #       B = total number of votes credited to the candidate, "the calculation being
            #       made to five decimal places (any remainder being ignored)".
            # 48(4)(b) value of the paper: one for a first preference, else the transfer value at
            #       which it was received.
            distinct = np.unique(old_vals)
            tvs = np.array([surplus * int(v) // total for v in distinct], dtype=np.int64)
            new_vals = tvs[np.searchsorted(distinct, old_vals)]
            papers.value[idx] = new_vals
            amounts = new_vals * papers.count[idx]
            gained, exhausted = _credit(ncand, new_holder, amounts)
            for c in range(ncand):
                votes[c] += gained[c]
            votes[subject] = quota
            moved = sum(gained) + exhausted
            nt += exhausted
            loss += surplus - moved
            shown = ", ".join(_fmt(int(t)) for t in tvs)
            finish_stage(
                number,
                "surplus",
                (subject,),
                before,
                (),
                f"surplus of {names[subject]} ({_fmt(surplus)}) transferred; "
                f"transfer value(s) {shown}",
            )
            continue

        # 50(1) "... exclude from the election at that stage the candidate with the then lowest
        #        number of votes."
        cont = [c for c in range(ncand) if continuing[c]]
        low = min(votes[c] for c in cont)
        tied = [c for c in cont if votes[c] == low]
        subject = tied[0]
        if len(tied) > 1:
            # 51(2)(a) "regard shall be had to the total number of votes credited to those
            #   candidates at the end of the most recently preceding stage of the count at which
            #   they had an unequal number of votes and the candidate with the lowest number of
            #   votes at that stage shall be excluded"; (b) equal at all stages: by lot.
            subject, tie = break_tie(
                tied,
                history,
                stage=number,
                decision="exclusion",
                want="lowest",
                order="most recent",
                rng=rng,
                names=names,
                rule="rule 51(2)",
            )
            ties.append(tie)
        continuing[subject] = False
        excluded.append(subject)
        # 50(2)-(4) sort the excluded candidate's papers by next available preference and
        #   transfer each at "a transfer value of one unless the vote was transferred to the
        #   excluded candidate in which case it shall have the same transfer value as when
        #   transferred to the candidate excluded".
        idx = np.flatnonzero(papers.holder == subject)
        new_holder = papers.advance(idx, continuing)
        amounts = papers.value[idx] * papers.count[idx]
        gained, exhausted = _credit(ncand, new_holder, amounts)
        for c in range(ncand):
            votes[c] += gained[c]
        votes[subject] = 0
        nt += exhausted
        finish_stage(
            number,
            "exclusion",
            (subject,),
            before,
            (subject,),
            f"{names[subject]} excluded with {_fmt(before[subject])} votes (rule 50)",
        )

    return CountResult(
        method="scottish-stv",
        title=profile.title,
        candidates=names,
        seats=seats,
        valid_poll=valid,
        invalid=profile.invalid,
        quota=Fraction(quota_votes),
        stages=tuple(stages),
        elected=tuple(elected),
        excluded=tuple(excluded),
        ties=tuple(ties),
        decimals=DECIMALS,
        notes=profile.notes,
    )


def _fmt(units: int) -> str:
    whole, frac = divmod(units, UNIT)
    return f"{whole}.{frac:0{DECIMALS}d}"
