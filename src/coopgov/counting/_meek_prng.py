"""Tie-breaking of the New Zealand method: Schedule 1A Part 5 (AAFD method and PRNG method).

Local Electoral Regulations 2001 (SR 2001/145), Schedule 1A, Part 5 "Methods relevant to tie
breaking", clauses 40-48.  Everything here is whole-number arithmetic as the schedule states it.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["aafd", "prn_at", "prn_table"]


def _next(x: int, y: int, z: int) -> tuple[int, int, int, int]:
    # cl 43 "x = (171x) rem 30 269; y = (172y) rem 30 307; z = (170z) rem 30 323;
    #        rc = (10 000x) div 30 269 + (10 000y) div 30 307 + (10 000z) div 30 323"
    x = (171 * x) % 30269
    y = (172 * y) % 30307
    z = (170 * z) % 30323
    rc = (10000 * x) // 30269 + (10000 * y) // 30307 + (10000 * z) // 30323
    return x, y, z, rc


def prn_table(candidates: int, vacancies: int, valid: int) -> tuple[int, ...]:
    """The PRN of every candidate (in ballot-paper order) at step 1: cl 41-47.

    At step ``s`` the PRN is this value for odd ``s`` and ``10 000`` minus it for even ``s``
    (cl 48); see :func:`prn_at`.

    Reading of cl 44 (the schedule is terse here): clause 43 is carried out once, then
    "repeated four times, discarding the first 4 values of rc", so the fifth value is the one
    assigned to the first candidate (cl 45).
    """
    # cl 42 "x = c+5; y = n; z = (v + 1 000 (v rem 10)) rem 30 323"
    x = candidates + 5
    y = vacancies
    z = (valid + 1000 * (valid % 10)) % 30323
    x, y, z, rc = _next(x, y, z)  # cl 43
    for _ in range(4):  # cl 44 "Repeat the step in clause 43 four times, discarding ..."
        x, y, z, rc = _next(x, y, z)
    out: list[int] = []
    if candidates > 0:
        out.append(rc)  # cl 45 "Assign the current value of rc to the first candidate."
    seen = set(out)
    while len(out) < candidates:
        # cl 46-47 "Repeat the step in clause 43 until a pseudo-random number r results that
        #           is distinct from all previous pseudo random numbers assigned to candidates.
        #           Assign rc to the next candidate."
        x, y, z, rc = _next(x, y, z)
        if rc not in seen:
            seen.add(rc)
            out.append(rc)
    return tuple(out)


def prn_at(table: Sequence[int], step: int, candidate: int) -> int:
    """cl 48 "For the second and subsequent steps, replace the pseudo-random number for each
    candidate with the candidate's PRN at the previous step subtracted from 10 000."
    """
    base = table[candidate]
    return base if step % 2 == 1 else 10000 - base


def aafd(tied: Sequence[int], history: Sequence[Sequence[int]]) -> tuple[list[int], int | None]:
    """cl 40 Ahead At First Difference: the tied candidates who "did not have more votes than
    another tied candidate at the earliest step at which the candidates had different numbers of
    votes".

    ``history[k]`` are the votes at the end of step ``k + 1``.  Returns the identified
    candidates (all of ``tied`` if they were equal at every step) and the decisive step number
    (``None`` if there was none).
    """
    cands = sorted(tied)
    for k, row in enumerate(history):
        vals = [row[c] for c in cands]
        if min(vals) != max(vals):
            low = min(vals)
            return [c for c in cands if row[c] == low], k + 1
    return cands, None
