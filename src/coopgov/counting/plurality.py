"""First past the post, single- or multi-member, as used for NHS foundation trust governor
elections counted without preferences under the Model Election Rules 2014 (MER 2014).

What is implemented: each voter may vote for up to as many candidates as there are vacancies;
every such vote counts one; the candidates with the most votes fill the vacancies; where an
equality of votes between candidates leaves more of them than places, the places are decided by
lot (drawn from the caller's seeded generator and recorded as a :class:`TieBreak`).

Source note: the MER 2014 text itself could not be retrieved while this module was written, so
no MER rule numbers are cited here; the behaviour above is the plain first-past-the-post count
with decision by lot that UK election rules (and the MER's equality-of-votes provision) use.

Mapping of ranked input: a voter's *marks* are the first ``seats`` distinct candidates of the
ballot's usable preference sequence (for one seat, the first preference).  The stage's totals
therefore add up to the number of marks, which for several seats may exceed the valid poll.
"""

from __future__ import annotations

import random
from fractions import Fraction

from coopgov.counting._model import CountResult, Profile, Stage, TieBreak
from coopgov.counting._registry import register
from coopgov.counting._ties import draw_lot

__all__ = ["count_plurality"]


@register("plurality")
def count_plurality(profile: Profile, rng: random.Random) -> CountResult:
    """Count ``profile`` by first past the post; ties for the last places are drawn by lot."""
    names = profile.candidates
    ncand = len(names)
    seats = profile.seats
    standing = set(profile.continuing)
    votes = [0] * ncand
    for ranking, weight in zip(profile.rankings, profile.weights, strict=True):
        marks = [c for c in ranking if c in standing][:seats]
        for c in marks:
            votes[c] += weight

    ranked = sorted(standing, key=lambda c: (-votes[c], c))
    elected: list[int] = []
    ties: list[TieBreak] = []
    # Candidates with more votes than the candidate in the last place are elected outright.
    # (a profile built in code may have no more candidates than seats)
    boundary = votes[ranked[min(seats, len(ranked)) - 1]] if ranked else 0
    elected = [c for c in ranked if votes[c] > boundary]
    tied = sorted(c for c in ranked if votes[c] == boundary)
    places = seats - len(elected)
    if len(tied) > places:
        # equality of votes for the last place(s): decided by lot
        pool = list(tied)
        for _ in range(places):
            chosen = draw_lot(pool, rng)
            ties.append(
                TieBreak(
                    stage=1,
                    decision="last vacancies" if places > 1 else "last vacancy",
                    tied=tuple(pool),
                    chosen=chosen,
                    how="lot",
                    detail=(
                        f"{', '.join(names[c] for c in pool)} had {boundary} votes each for "
                        f"{places} remaining place(s); {names[chosen]} was chosen by lot "
                        "(equality of votes: decided by lot)"
                    ),
                )
            )
            elected.append(chosen)
            pool.remove(chosen)
    else:
        elected.extend(tied)
    excluded = [c for c in ranked if c not in elected]
    stage = Stage(
        number=1,
        action="first preferences",
        subjects=(),
        votes=tuple(Fraction(v) for v in votes),
        transfers=tuple(Fraction(v) for v in votes),
        non_transferable=Fraction(0),
        loss=Fraction(0),
        quota=Fraction(0),
        elected=tuple(elected),
        excluded=(),
        note=(
            "each voter's first preference is a vote"
            if seats == 1
            else f"each voter's first {seats} preferences are votes (one per vacancy)"
        ),
    )
    return CountResult(
        method="plurality",
        title=profile.title,
        candidates=names,
        seats=seats,
        valid_poll=profile.valid_poll,
        invalid=profile.invalid,
        quota=Fraction(0),
        stages=(stage,),
        elected=tuple(elected),
        excluded=tuple(excluded),
        ties=tuple(ties),
        decimals=0,
        notes=profile.notes,
    )
