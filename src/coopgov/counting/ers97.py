"""ERS97: the Electoral Reform Society's rules for counting an STV election (3rd edition, 1997).

Implements sections 5.1-5.6 of "How to conduct an election by the Single Transferable Vote"
(ERS, 3rd edition 1997), quoted beside the code that carries each rule out.  All values are
whole numbers of hundredths of a vote (the rules work to two decimal places):

* quota (5.1.6): total valid vote / (places + 1) "to two decimal places. If the result is exact
  that is the quota. Otherwise ignore the remainder, and add 0.01" - i.e. rounded up to 0.01;
* transfer value (5.3.7): surplus / number of transferable papers "to two decimal places,
  ignoring any remainder", or the papers' present value if that does not exceed the surplus;
* a surplus arising after the first stage is taken from the last received batch only (5.3.2);
* surpluses are deferred while they cannot change which candidates are lowest (5.2.2), and the
  lowest candidates are excluded in bulk when their total (with deferred surpluses) does not
  exceed the next candidate's vote (5.2.5);
* an excluded candidate's papers are transferred batch by batch in descending order of value,
  each batch a sub-stage after which candidates may be deemed elected (5.4);
* ties: the earliest point in the count (first stage, or after the transfer of a batch) at which
  the candidates had unequal votes, then lot (5.2.3, 5.2.5); for election, no lot (5.6.2).

Each stage and each batch sub-stage is one :class:`~coopgov.counting.Stage`; the remainders
ignored when transfer values are truncated are the rounding ``loss``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from fractions import Fraction

from coopgov.counting._model import CountResult, Profile, Stage, TieBreak
from coopgov.counting._registry import register
from coopgov.counting._ties import break_tie

__all__ = ["count_ers97"]

DECIMALS = 2
UNIT = 100  # hundredths of a vote

CONTINUING, ELECTED, EXCLUDED, WITHDRAWN = 0, 1, 2, 3


def _fr(units: int) -> Fraction:
    return Fraction(units, UNIT)


def _fmt(units: int) -> str:
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), UNIT)
    return f"{sign}{whole}.{frac:02d}"


def _quota(total_units: int, seats: int) -> int:
    """5.1.6: divide by one more than the places, to two decimal places, rounded up."""
    return -(-total_units // (seats + 1))


@dataclass
class _Batch:
    """Papers received together at one value (glossary 6.1 "Batch")."""

    value: int
    groups: list[list[int]] = field(default_factory=list)  # [ranking index, position, papers]

    def papers(self) -> int:
        return sum(g[2] for g in self.groups)


class _Count:
    def __init__(self, profile: Profile, rng: random.Random) -> None:
        self.profile = profile
        self.rng = rng
        self.names = profile.candidates
        self.ncand = len(self.names)
        self.seats = profile.seats
        self.rankings = profile.rankings
        self.status = [CONTINUING] * self.ncand
        for c in profile.withdrawn:
            self.status[c] = WITHDRAWN
        self.votes = [0] * self.ncand
        self.batches: list[list[_Batch]] = [[] for _ in range(self.ncand)]
        self.total = profile.valid_poll * UNIT
        self.quota = _quota(self.total, self.seats)
        self.nt = 0
        self.loss = 0
        self.elected: list[int] = []
        self.excluded: list[int] = []
        self.pending: list[int] = []  # deemed elected with a surplus not yet transferred
        self.ties: list[TieBreak] = []
        self.stages: list[Stage] = []
        self.history: list[list[int]] = []
        self.notes: list[str] = list(profile.notes)

    # -- helpers -------------------------------------------------------------------------
    def continuing(self) -> list[int]:
        return [c for c in range(self.ncand) if self.status[c] == CONTINUING]

    def next_available(self, group: list[int]) -> int | None:
        """Advance ``group`` to its next available preference (6.10) for a continuing
        candidate; None if it has none (a non-transferable paper, 6.12)."""
        r = self.rankings[group[0]]
        p = group[1]
        while p < len(r) and self.status[r[p]] != CONTINUING:
            p += 1
        group[1] = p
        return r[p] if p < len(r) else None

    def surplus(self, c: int) -> int:
        return max(0, self.votes[c] - self.quota)

    def record(
        self,
        action: str,
        subjects: tuple[int, ...],
        before: list[int],
        newly: list[int],
        out: tuple[int, ...],
        note: str,
    ) -> None:
        self.history.append(list(self.votes))
        self.stages.append(
            Stage(
                number=len(self.stages) + 1,
                action=action,
                subjects=subjects,
                votes=tuple(_fr(v) for v in self.votes),
                transfers=tuple(_fr(a - b) for a, b in zip(self.votes, before, strict=True)),
                non_transferable=_fr(self.nt),
                loss=_fr(self.loss),
                quota=_fr(self.quota),
                elected=tuple(newly),
                excluded=out,
                note=note,
            )
        )

    # -- 5.1.7 / 5.3.13 / 5.4.9 ------------------------------------------------------------
    def deem_elected(self, point: int) -> tuple[list[int], list[str]]:
        """5.1.7 "Considering each candidate in turn in descending order of their votes, deem
        elected any candidate whose vote equals or exceeds (a) the quota, or (b) ... the total
        active vote, divided by one more than the number of places not yet filled, up to the
        number of places to be filled, subject to paragraph 5.6.2."

        ``point`` is the number the stage being completed will have (for tie records).
        """
        newly: list[int] = []
        notes: list[str] = []
        cont = sorted(self.continuing(), key=lambda c: (-self.votes[c], c))
        i = 0
        while i < len(cont):
            left = self.seats - len(self.elected)
            if left <= 0:
                break
            vote = self.votes[cont[i]]
            group = [c for c in cont[i:] if self.votes[c] == vote]
            i += len(group)
            # 6.20 "Total active vote: the sum of the votes credited to all continuing
            #      candidates, plus any votes awaiting transfer" (untransferred surpluses and
            #      the papers of candidates being excluded not yet transferred).
            active = sum(self.votes[c] for c in range(self.ncand) if self.status[c] == CONTINUING)
            active += sum(self.surplus(c) for c in self.pending)
            active += sum(self.votes[c] for c in self.excluded if self.votes[c] > 0)
            by_quota = vote >= self.quota
            by_active = vote * (left + 1) >= active
            if not (by_quota or by_active):
                break
            chosen = group
            if len(group) > left:
                chosen = self.order_for_election(group, left, point, notes)
            for c in chosen:
                self.status[c] = ELECTED
                self.elected.append(c)
                newly.append(c)
                if self.votes[c] > self.quota:
                    self.pending.append(c)
                if not by_quota:
                    notes.append(
                        f"{self.names[c]} deemed elected with {_fmt(vote)}, at least the total "
                        f"active vote {_fmt(active)} / {left + 1} (5.1.7(b))"
                    )
            if len(chosen) < len(group):
                break
        return newly, notes

    def order_for_election(self, group: list[int], left: int, point: int, notes: list[str]) -> list[int]:
        """5.6.2: equal votes and too few places: "the one or more to be deemed elected shall
        be selected in descending order of votes at the first stage or at the earliest point in
        the count, after the transfer of a batch of papers, where they had unequal votes. If,
        however, their votes have been equal at all such points, then none of them shall be
        deemed elected at that stage."
        """
        rest = sorted(group)
        chosen: list[int] = []
        while len(chosen) < left and rest:
            top = list(rest)
            for row in self.history:
                best = max(row[c] for c in top)
                keep = [c for c in top if row[c] == best]
                if len(keep) < len(top):
                    top = keep
                    if len(top) == 1:
                        break
            if len(top) > 1:
                break
            chosen.append(top[0])
            rest.remove(top[0])
        label = ", ".join(self.names[c] for c in sorted(group))
        unresolved = rest if len(chosen) < left else []
        detail = f"{label} had equal votes with only {left} place(s) left"
        if chosen:
            detail += "; deemed elected by their votes at the earliest point where they differed: "
            detail += ", ".join(self.names[c] for c in chosen)
        if unresolved:
            detail += (
                "; "
                + ", ".join(self.names[c] for c in unresolved)
                + " equal at every earlier point, so not deemed elected at this stage"
            )
        detail += " (5.6.2)"
        if chosen:
            self.ties.append(
                TieBreak(
                    stage=point,
                    decision="election",
                    tied=tuple(sorted(group)),
                    chosen=chosen[0],
                    how="earlier stage",
                    detail=detail,
                )
            )
        else:
            # Nobody is chosen, so there is no TieBreak to record; the stage note and the
            # result's notes say what happened.
            notes.append(detail)
            self.notes.append(f"stage {point}: {detail}")
        return chosen

    # -- 5.2.2 -----------------------------------------------------------------------------
    def lowest_order(self) -> list[int]:
        return sorted(self.continuing(), key=lambda c: (self.votes[c], c))

    def defer(self) -> bool:
        """5.2.2: "the transfer of a surplus or surpluses is deferred ... if the total of such
        surpluses does not exceed either: (a) The difference between the votes of the two
        candidates who have the fewest votes, or (b) The difference between the total of the
        votes of two or more candidates with the fewest votes who could be excluded under rule
        5.2.5, and the vote of the candidate next above."
        """
        total = sum(self.surplus(c) for c in self.pending)
        low = [self.votes[c] for c in self.lowest_order()]
        left = self.seats - len(self.elected)
        running = 0
        for k in range(1, len(low)):
            if len(low) - k < left:  # 5.2.5(a) sufficient candidates must remain
                break
            running += low[k - 1]
            if total <= low[k] - running:
                return True
        return False

    # -- 5.2.5 -----------------------------------------------------------------------------
    def choose_exclusions(self, point: int) -> list[int]:
        """5.2.5: "Exclude as many candidates together as possible, provided that: (a)
        Sufficient candidates remain to fill all the remaining places (b) The total votes of
        these candidates, together with the total of any deferred surpluses, does not exceed
        the vote of the candidate next above."  At least the lowest is excluded."""
        deferred = sum(self.surplus(c) for c in self.pending)
        order = self.lowest_order()
        low = [self.votes[c] for c in order]
        left = self.seats - len(self.elected)
        k_best = 1
        running = 0
        for k in range(1, len(low)):
            if len(low) - k < left:
                break
            running += low[k - 1]
            if running + deferred <= low[k]:
                k_best = k
        # Candidates strictly below the k-th vote go; equal ones at the boundary are chosen
        # by the tie rule of 5.2.5 ("exclude the candidate who had the fewest votes at the
        # first stage or at the earliest point ...; ... by lot").
        boundary = low[k_best - 1]
        out = [c for c in order if self.votes[c] < boundary]
        tied = [c for c in order if self.votes[c] == boundary]
        need = k_best - len(out)
        if need >= len(tied):
            return out + tied
        pool = list(tied)
        while need > 0:
            pick, tie = break_tie(
                pool,
                self.history,
                stage=point,
                decision="exclusion",
                want="lowest",
                order="earliest",
                rng=self.rng,
                names=self.names,
                rule="ERS97 5.2.5",
            )
            self.ties.append(tie)
            out.append(pick)
            pool.remove(pick)
            need -= 1
            if len(pool) == 1 and need > 0:
                out.append(pool.pop())
                need -= 1
        return out

    # -- the count -------------------------------------------------------------------------
    def run(self) -> CountResult:
        names = self.names
        # 5.1.2-5.1.4: sort the papers into first preferences and count them.
        first: dict[int, _Batch] = {}
        for i, w in enumerate(self.profile.weights):
            g = [i, 0, w]
            c = self.next_available(g)
            if c is None:  # no usable first preference (not produced by the parsers)
                continue
            first.setdefault(c, _Batch(UNIT)).groups.append(g)
            self.votes[c] += w * UNIT
        for c, b in first.items():
            self.batches[c].append(b)
        # 5.1.5 their total is the total valid vote; 5.1.6 quota (set in __init__).
        newly, notes = self.deem_elected(1)
        if len(self.continuing()) + len(self.elected) <= self.seats:
            newly += self.elect_rest()
            notes.append("no more candidates than places: all are deemed elected (4.3)")
        self.record("first preferences", (), [0] * self.ncand, newly, (), "; ".join(notes))

        while len(self.elected) < self.seats:
            # 5.2.2-5.2.4 transfer the largest surplus unless deferred
            if self.pending and not self.defer():
                self.transfer_surplus()
                continue
            # 5.2.5 exclusion, 5.5.1 completion
            point = len(self.stages) + 1
            out = self.choose_exclusions(point)
            left = self.seats - len(self.elected)
            if len(self.continuing()) - len(out) <= left:
                # 5.5.1 "If a proposed exclusion of one or more candidates would leave only
                #        the same number of continuing candidates as there are places
                #        remaining unfilled, all such continuing candidates shall be deemed to
                #        be elected."
                before = list(self.votes)
                for c in out:
                    self.status[c] = EXCLUDED
                    self.excluded.append(c)
                rest = self.elect_rest()
                self.record(
                    "exclusion",
                    tuple(out),
                    before,
                    rest,
                    tuple(out),
                    "exclusion of "
                    + ", ".join(names[c] for c in out)
                    + " would leave as many continuing candidates as places: they are deemed "
                    "elected (5.5.1)",
                )
                break
            self.exclude(out)

        # 5.5.2 "If, at any point in the count, the number of candidates deemed to be elected is
        #        equal to the number of places to be filled, no further transfers of papers are
        #        made, and the remaining continuing candidate(s) are formally excluded."
        rest = self.continuing()
        if rest:
            rest.sort(key=lambda c: (self.votes[c], c))
            for c in rest:
                self.status[c] = EXCLUDED
                self.excluded.append(c)
            self.notes.append("all places filled; " + ", ".join(names[c] for c in rest) + " formally excluded (5.5.2)")
        return CountResult(
            method="ers97",
            title=self.profile.title,
            candidates=names,
            seats=self.seats,
            valid_poll=self.profile.valid_poll,
            invalid=self.profile.invalid,
            quota=_fr(self.quota),
            stages=tuple(self.stages),
            elected=tuple(self.elected),
            excluded=tuple(self.excluded),
            ties=tuple(self.ties),
            decimals=DECIMALS,
            notes=tuple(self.notes),
        )

    def elect_rest(self) -> list[int]:
        rest = sorted(self.continuing(), key=lambda c: (-self.votes[c], c))
        for c in rest:
            self.status[c] = ELECTED
            self.elected.append(c)
        return rest

    def transfer_surplus(self) -> None:
        names = self.names
        point = len(self.stages) + 1
        # 5.2.3 "transfer the largest surplus. If the surpluses of two or more candidates are
        #        equal ... transfer the surplus of the candidate who had the greatest vote at
        #        the first stage or at the earliest point in the count, after the transfer of a
        #        batch of papers, where they had unequal votes. If the votes of such candidates
        #        have been equal at all such points, the Returning Officer shall decide which
        #        surplus to transfer by lot."
        top = max(self.surplus(c) for c in self.pending)
        tied = sorted(c for c in self.pending if self.surplus(c) == top)
        subject = tied[0]
        if len(tied) > 1:
            subject, tie = break_tie(
                tied,
                self.history,
                stage=point,
                decision="surplus order",
                want="highest",
                order="earliest",
                rng=self.rng,
                names=names,
                rule="ERS97 5.2.3",
            )
            self.ties.append(tie)
        self.pending.remove(subject)
        before = list(self.votes)
        surplus = self.votes[subject] - self.quota
        # 5.3.1 "If a surplus arises at the first stage, select for examination all the papers
        #        which the candidate has received."  5.3.2 "If a surplus arises at a later
        #        stage ... select only the last received batch of papers, which gave rise to
        #        the surplus."  (At the first stage the candidate's papers are one batch.)
        batch = self.batches[subject][-1]
        label = batch_label(batch)
        # 5.3.3 sort them into next available preferences for continuing candidates
        recipients: dict[int, list[list[int]]] = {}
        for g in batch.groups:
            c = self.next_available(g)
            if c is not None:
                recipients.setdefault(c, []).append(g)
        transferable = sum(g[2] for gs in recipients.values() for g in gs)
        # 5.3.7 "Calculate the total value of the transferable papers. If this exceeds the
        #        surplus, determine the transfer value of each paper by dividing the surplus by
        #        the number of transferable papers, to two decimal places, ignoring any
        #        remainder. If the total value does not exceed the surplus, the transfer value
        #        of each paper is its present value."
        if transferable and transferable * batch.value > surplus:
            tv = surplus // transferable
            truncated = True
        else:
            tv = batch.value
            truncated = False
        moved = 0
        for c, gs in recipients.items():
            # 5.3.8 value credited = transfer value x number of papers
            papers = sum(g[2] for g in gs)
            self.votes[c] += tv * papers
            moved += tv * papers
            self.batches[c].append(_Batch(tv, [list(g) for g in gs]))
        batch.groups = [g for g in batch.groups if g[1] >= len(self.rankings[g[0]])]
        self.votes[subject] = self.quota
        # 5.3.9-5.3.10 the non-transferable difference "arising from the neglected remainder"
        # is the rounding loss; without truncation the surplus not carried by transferable
        # papers is non-transferable vote.
        if truncated:
            self.loss += surplus - moved
        else:
            self.nt += surplus - moved
        newly, notes = self.deem_elected(point)
        self.record(
            "surplus",
            (subject,),
            before,
            newly,
            (),
            "; ".join(
                [
                    f"surplus of {names[subject]} ({_fmt(surplus)}) from {label}: "
                    f"{transferable} transferable paper(s) at {_fmt(tv)}"
                    + (" (5.3.7, remainder ignored)" if truncated else " (present value)"),
                    *notes,
                ]
            ),
        )

    def exclude(self, out: list[int]) -> None:
        names = self.names
        for c in out:
            self.status[c] = EXCLUDED
            self.excluded.append(c)
        # 5.4.1 "Take together all the bundles of papers which are currently credited to the
        #        candidate or candidates to be excluded, and arrange them in batches in
        #        descending order of transfer value."
        by_value: dict[int, list[tuple[int, list[int]]]] = {}
        for c in out:
            for b in self.batches[c]:
                for g in b.groups:
                    by_value.setdefault(b.value, []).append((c, g))
            self.batches[c] = []
        values = sorted(by_value, reverse=True)
        label = ", ".join(names[c] for c in out)
        if not values:
            before = list(self.votes)
            for c in out:
                self.votes[c] = 0
            newly, notes = self.deem_elected(len(self.stages) + 1)
            self.record(
                "exclusion",
                tuple(out),
                before,
                newly,
                tuple(out),
                "; ".join([f"exclusion of {label}: no papers to transfer", *notes]),
            )
            return
        for n, value in enumerate(values, start=1):
            if len(self.elected) >= self.seats:
                break  # 5.5.2 no further transfers once all places are filled
            before = list(self.votes)
            point = len(self.stages) + 1
            # 5.4.2 "take the batch of papers with the highest transfer value. Sort them
            #        according to the next available preferences for continuing candidates,
            #        and set aside as non-transferable papers any on which no next available
            #        preference is expressed."  5.4.10 candidates deemed elected after an
            #        earlier batch are no longer continuing and receive nothing.
            received: dict[int, _Batch] = {}
            lost = 0
            for holder, g in by_value[value]:
                amount = g[2] * value
                self.votes[holder] -= amount
                to = self.next_available(g)
                if to is None:
                    lost += amount
                    continue
                received.setdefault(to, _Batch(value)).groups.append(g)
                self.votes[to] += amount
            for c, b in received.items():
                self.batches[c].append(b)
            self.nt += lost
            quota_note = ""
            if not self.elected and self.nt > 0:
                # 5.4.8 "If any papers have become non-transferable before any candidate has
                #        been deemed elected, recalculate the quota as in paragraph 5.1.6,
                #        ignoring the non-transferable vote."
                new_quota = _quota(self.total - self.nt, self.seats)
                if new_quota != self.quota:
                    quota_note = f"quota recalculated to {_fmt(new_quota)} (5.4.8)"
                self.quota = new_quota
            newly, notes = self.deem_elected(point)
            sub = f", batch {n} of {len(values)}" if len(values) > 1 else ""
            self.record(
                "exclusion",
                tuple(out),
                before,
                newly,
                tuple(out) if n == 1 else (),
                "; ".join(
                    x
                    for x in [
                        f"exclusion of {label}{sub}: papers at value {_fmt(value)} (5.4)",
                        quota_note,
                        *notes,
                    ]
                    if x
                ),
            )


def batch_label(batch: _Batch) -> str:
    return f"the last batch ({batch.papers()} paper(s) at {_fmt(batch.value)})"


@register("ers97")
def count_ers97(profile: Profile, rng: random.Random) -> CountResult:
    """Count ``profile`` under the ERS97 rules; lots are drawn from ``rng``."""
    return _Count(profile, rng).run()
