"""CQC ratings and their normalisation.

CQC rates a location on the five key questions (Safe, Effective, Caring, Responsive, Well-led)
and overall, on a four-point scale: Outstanding, Good, Requires improvement, Inadequate
(Health and Social Care Act 2008 (Regulated Activities) Regulations 2014; CQC "How we rate").
Its files spell these inconsistently ("Requires Improvement" / "Requires improvement") and also
carry non-ratings ("Not rated", "Inspected but not rated", "Insufficient evidence to rate",
blank). :func:`normalise_rating` maps every spelling to a :class:`Rating`; only the four grades
are *ratings* (``Rating.is_grade``) and enter comparisons.
"""

from __future__ import annotations

import re
from enum import Enum
from functools import lru_cache

KEY_QUESTIONS: tuple[str, ...] = ("Overall", "Safe", "Effective", "Caring", "Responsive", "Well-led")
"""The overall rating and the five key questions, in CQC's order."""

GRADES_LOW_TO_HIGH: tuple[str, ...] = (
    "Inadequate",
    "Requires improvement",
    "Good",
    "Outstanding",
)


class Rating(Enum):
    OUTSTANDING = "Outstanding"
    GOOD = "Good"
    REQUIRES_IMPROVEMENT = "Requires improvement"
    INADEQUATE = "Inadequate"
    NOT_RATED = "Not rated"
    INSPECTED_NOT_RATED = "Inspected but not rated"
    INSUFFICIENT_EVIDENCE = "Insufficient evidence to rate"

    @property
    def is_grade(self) -> bool:
        return self.value in GRADES_LOW_TO_HIGH

    @property
    def rank(self) -> int:
        """0 (Inadequate) … 3 (Outstanding); -1 for non-ratings."""
        try:
            return GRADES_LOW_TO_HIGH.index(self.value)
        except ValueError:
            return -1


_SPELLINGS: dict[str, Rating] = {
    "outstanding": Rating.OUTSTANDING,
    "good": Rating.GOOD,
    "requires improvement": Rating.REQUIRES_IMPROVEMENT,
    "requiresimprovement": Rating.REQUIRES_IMPROVEMENT,
    "inadequate": Rating.INADEQUATE,
    "not rated": Rating.NOT_RATED,
    "not yet rated": Rating.NOT_RATED,
    "no published rating": Rating.NOT_RATED,
    "inspected but not rated": Rating.INSPECTED_NOT_RATED,
    "insufficient evidence to rate": Rating.INSUFFICIENT_EVIDENCE,
    "insufficient evidence": Rating.INSUFFICIENT_EVIDENCE,
}
_BLANKS = {"", "na", "n/a", "nan", "none", "null", "-"}
_SPACE = re.compile(r"[\s_]+")


class UnknownRating(ValueError):
    pass


@lru_cache(maxsize=256)
def normalise_rating(text: str | None) -> Rating | None:
    """Map CQC rating text in any of its spellings to a :class:`Rating`; blank → ``None``.

    Raises :class:`UnknownRating` for text that is not a rating.
    """
    if text is None:
        return None
    key = _SPACE.sub(" ", text.strip().casefold().replace("-", " "))
    if key in _BLANKS:
        return None
    try:
        return _SPELLINGS[key]
    except KeyError:
        raise UnknownRating(f"not a CQC rating: {text!r}") from None


def normalise_key_question(text: str) -> str:
    """``"well led"``/``"Well-led"``/``"overall"`` → the spelling in :data:`KEY_QUESTIONS`."""
    key = _SPACE.sub("", text.strip().casefold().replace("-", ""))
    for kq in KEY_QUESTIONS:
        if kq.casefold().replace("-", "") == key:
            return kq
    raise ValueError(f"not a CQC key question: {text!r} (expected one of {', '.join(KEY_QUESTIONS)})")
