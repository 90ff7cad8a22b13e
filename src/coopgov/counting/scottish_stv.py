"""Scottish STV: the Scottish Local Government Elections Order 2007 (SSI 2007/42), Schedule 1,
rules 45–52 — the count used for every Scottish council election since 2007.

The rule text is quoted beside the code that implements it.  Arithmetic is exact integer fixed
point in units of 0.00001 of a vote (rule 48(3): "the calculation being made to five decimal
places (any remainder being ignored)"); no binary floating point is involved.

Papers are held in piles, one per candidate.  All ballots with the same preference sequence form
one entry of the profile (``Profile.rankings`` holds each sequence once, with its number of
ballots), and such ballots always sit at the same preference with the same value, so they move
together for the whole count: a pile is a list of entry numbers per value, each entry keeps the
position its papers have reached, and the cost of a transfer follows the number of distinct
sequences the transferring candidate holds, not the number of ballots.  Plain Python, no
third-party imports, so that a ``coopgov count`` process starts quickly.

Decisions the rules leave open, and what this module does:

* A three-way (or larger) tie under rules 49(2) / 51(2)(a) is narrowed stage by stage: at the most
  recent preceding stage where the tied candidates' totals were not all equal, those without the
  highest (49) / lowest (51) total there drop out, and the search continues among the rest.
* Candidates reaching the quota at the same stage are listed in the order of their votes; that
  order decides nothing (surplus order is decided by rule 49 each time a surplus is chosen).
* Rule 52 is applied at the end of every stage, before any further surplus is transferred.
"""

from __future__ import annotations

import gc
import random
from fractions import Fraction

from coopgov.counting._model import CountResult, Profile, Stage, TieBreak
from coopgov.counting._registry import register
from coopgov.counting._ties import break_tie

__all__ = ["count_scottish_stv"]

DECIMALS = 5
UNIT = 10**DECIMALS  # fixed-point units per vote

# Every distinct ranking of the profile is one entry (all its ballots move together for the whole
# count: same position, same value).  A parcel is a list of entry numbers; a pile maps the value of
# the papers (units) to the parcels received at that value.
Parcel = list[int]
Pile = dict[int, list[Parcel]]


class _Papers:
    """The rankings, their ballot counts and the position each ranking's papers have reached."""

    __slots__ = ("pos", "rankings", "weight")

    def __init__(self, profile: Profile) -> None:
        self.rankings = profile.rankings
        self.weight = profile.weights
        self.pos = [0] * len(profile.rankings)


def _transfer(
    pile: Pile,
    new_value: dict[int, int],
    piles: list[Pile],
    continuing: list[bool],
    papers: _Papers,
) -> tuple[list[int], int]:
    """Move every paper of ``pile`` to its next available preference for a continuing candidate,
    at ``new_value[old value]``.  Returns the value credited to each candidate and the value of
    the papers on which no further preference is given (non-transferable), in units."""
    ncand = len(piles)
    rankings, pos, weight = papers.rankings, papers.pos, papers.weight
    fresh: dict[int, tuple[list[Parcel], Parcel]] = {}  # new value -> (parcel per candidate, exhausted)
    for value, parcels in pile.items():
        nv = new_value[value]
        got = fresh.get(nv)
        if got is None:
            got = fresh[nv] = ([[] for _ in range(ncand)], [])
        appends = [d.append for d in got[0]]
        lost = got[1].append
        for parcel in parcels:
            for i in parcel:
                # the next available preference: the first continuing candidate after pos[i]
                r = rankings[i]
                p = pos[i] + 1
                size = len(r)
                while p < size:
                    c = r[p]
                    if continuing[c]:
                        pos[i] = p
                        appends[c](i)
                        break
                    p += 1
                else:  # no further preference: a non-transferable paper
                    lost(i)
    gained = [0] * ncand
    exhausted = 0
    count = weight.__getitem__
    for nv, (dests, gone) in fresh.items():
        for c, parcel in enumerate(dests):
            if parcel:
                gained[c] += sum(map(count, parcel)) * nv
                piles[c].setdefault(nv, []).append(parcel)
        exhausted += sum(map(count, gone)) * nv
    return gained, exhausted


@register("scottish-stv")
def count_scottish_stv(profile: Profile, rng: random.Random) -> CountResult:
    """Count ``profile`` under SSI 2007/42 Sch. 1 rules 45–52; lots are drawn from ``rng``."""
    # The count makes many small acyclic objects (parcels, sequence slices); pausing the cyclic
    # garbage collector meanwhile saves its repeated scans.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _count(profile, rng)
    finally:
        if enabled:
            gc.enable()


def _count(profile: Profile, rng: random.Random) -> CountResult:
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

    continuing = [False] * ncand
    for c in profile.continuing:
        continuing[c] = True
    piles: list[Pile] = [{} for _ in range(ncand)]

    # 45(1)-(2) "sort the valid ballot papers into parcels according to the candidates for whom
    #            first preference votes are given ... credit the candidate receiving the first
    #            preference vote with one vote for each ballot paper"
    papers = _Papers(profile)
    firsts: list[Parcel] = [[] for _ in range(ncand)]
    add = [f.append for f in firsts]
    for i, ranking in enumerate(profile.rankings):
        add[ranking[0]](i)
    count_of = profile.weights.__getitem__
    first = [sum(map(count_of, f)) * UNIT for f in firsts]
    for c in range(ncand):
        if firsts[c]:
            piles[c][UNIT] = [firsts[c]]
    nt = 0  # non-transferable papers' value (units)
    for c in range(ncand):
        if firsts[c] and not continuing[c]:  # a withdrawn candidate left in the rankings
            g, gone = _transfer(piles[c], {UNIT: UNIT}, piles, continuing, papers)
            piles[c] = {}
            first = [a + b for a, b in zip(first, g, strict=True)]
            first[c] = 0
            nt += gone
    votes: list[int] = first
    history: list[list[int]] = []  # every candidate's votes (units) at the end of each stage
    loss = 0  # value lost by ignoring remainders (units)
    elected: list[int] = []
    excluded: list[int] = []
    pending: list[int] = []  # elected with a surplus not yet transferred
    ties: list[TieBreak] = []
    stages: list[Stage] = []

    exact: dict[int, Fraction] = {}  # units -> Fraction (totals repeat from stage to stage)

    def fr(units: int) -> Fraction:
        f = exact.get(units)
        if f is None:
            f = exact[units] = Fraction(units, UNIT)
        return f

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
            notes.append("the continuing candidates equal the vacancies remaining and are deemed elected (rule 52(1))")
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
                quota=fr(quota),
                elected=tuple(newly),
                excluded=newly_excluded,
                note="; ".join(notes),
            )
        )

    finish_stage(1, "first preferences", (), [0] * ncand, (), "")

    number = 1
    while len(elected) < seats and any(continuing):  # (a profile may have too few candidates)
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
            pile = piles[subject]
            piles[subject] = {}
            # 48(3) transfer value = A / B, A = surplus x value of the paper when received,
            #       B = total number of votes credited to the candidate, "the calculation being
            #       made to five decimal places (any remainder being ignored)".
            # 48(4)(b) value of the paper: one for a first preference, else the transfer value at
            #       which it was received.
            tvs = {v: surplus * v // total for v in pile}
            gained, exhausted = _transfer(pile, tvs, piles, continuing, papers)
            for c in range(ncand):
                votes[c] += gained[c]
            votes[subject] = quota
            moved = sum(gained) + exhausted
            nt += exhausted
            loss += surplus - moved
            shown = ", ".join(_fmt(tvs[v]) for v in sorted(tvs, reverse=True))
            finish_stage(
                number,
                "surplus",
                (subject,),
                before,
                (),
                f"surplus of {names[subject]} ({_fmt(surplus)}) transferred; transfer value(s) {shown}",
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
        pile = piles[subject]
        piles[subject] = {}
        gained, exhausted = _transfer(pile, {v: v for v in pile}, piles, continuing, papers)
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
        quota=fr(quota),
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
