"""Tie-breaking shared by the STV rules: look back over earlier stages, then draw lots.

Every tie is returned as a :class:`~coopgov.counting._model.TieBreak` so that the result sheet
shows it; nothing is resolved silently.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from fractions import Fraction

from coopgov.counting._model import TieBreak

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Literal

__all__ = ["break_tie", "draw_lot"]


def draw_lot(tied: Sequence[int], rng: random.Random) -> int:
    """Draw one candidate by lot: ``rng.choice`` over the sorted ids (reproducible per seed)."""
    return rng.choice(sorted(tied))


def break_tie(
    tied: Sequence[int],
    history: Sequence[Sequence[Fraction | int]],
    *,
    stage: int,
    decision: str,
    want: Literal["highest", "lowest"],
    order: Literal["most recent", "earliest"],
    rng: random.Random,
    names: Sequence[str],
    rule: str,
) -> tuple[int, TieBreak]:
    """Choose among ``tied`` candidates by earlier stages, then by lot.

    ``history[k]`` holds every candidate's votes at the end of stage ``k + 1`` (the stage that
    just ended is ``history[-1]``, where the candidates are tied).  Stages are examined from the
    most recent preceding one backwards (Scottish rules 49(2), 51(2)(a)) or from the first one
    forwards (ERS97 5.2.5).  When several candidates are tied, those not having the ``want``ed
    total at the decisive stage are dropped and the search continues with the rest, so that
    a three-way tie is resolved by the same principle.  If the candidates were equal at every
    stage, the choice is made by lot.
    """
    cands = sorted(tied)
    if len(cands) < 2:
        raise ValueError("break_tie needs at least two candidates")
    label = ", ".join(names[c] for c in cands)
    previous = list(range(len(history) - 1))  # indices of the preceding stages
    if order == "most recent":
        previous.reverse()
    decisive: list[int] = []
    for k in previous:
        vals = {c: history[k][c] for c in cands}
        best = max(vals.values()) if want == "highest" else min(vals.values())
        keep = [c for c in cands if vals[c] == best]
        if len(keep) < len(cands):
            decisive.append(k + 1)
            cands = keep
            if len(cands) == 1:
                chosen = cands[0]
                stages = ", ".join(str(s) for s in decisive)
                how = "earlier stage" if order == "earliest" else "preceding stage"
                return chosen, TieBreak(
                    stage=stage,
                    decision=decision,
                    tied=tuple(sorted(tied)),
                    chosen=chosen,
                    how=how,
                    detail=(
                        f"{label} were tied for {decision}; {names[chosen]} had the {want} "
                        f"votes at the end of stage {stages} ({rule})"
                    ),
                )
    chosen = draw_lot(cands, rng)
    return chosen, TieBreak(
        stage=stage,
        decision=decision,
        tied=tuple(sorted(tied)),
        chosen=chosen,
        how="lot",
        detail=(
            f"{label} were tied for {decision}"
            + f" (equal at every stage among {', '.join(names[c] for c in cands)})"
            + f"; {names[chosen]} was chosen by lot ({rule})"
        ),
    )
