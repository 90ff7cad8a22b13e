"""Composition rules for governing bodies: plain Python, no Django.

A body's composition is described as a tuple of :class:`SeatGroup` (how many seats of one
category, filled how, by whom); each rule is a function from that composition to a
:class:`Check` (met or not, with the reason in words).  Presets bundle the rules the law or the
programme sets for a kind of body; custom rules (:func:`min_seats`, :func:`max_share`,
:func:`min_share`, :func:`all_elected_by`) cover anything else an organisation's rules ask for.

Decisions where the texts are silent:

* Rules are checked against the seats the body's rules establish (vacant or not), because the
  texts speak of what the body "must include"; vacancies are reported beside the check, not as a
  breach (a casual vacancy does not make a body unlawfully constituted).
* Shares are compared exactly with :class:`fractions.Fraction` ("at most one third" of 9 is 3).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

__all__ = [
    "CATEGORIES",
    "METHODS",
    "PRESETS",
    "Check",
    "Composition",
    "RuleError",
    "SeatGroup",
    "all_elected_by",
    "check_preset",
    "custom_rule",
    "max_share",
    "min_seats",
    "min_share",
]

#: Seat categories the rules talk about (code -> words).
CATEGORIES: dict[str, str] = {
    "worker": "Workers",
    "care-recipient": "People receiving care or their families",
    "community": "Community representatives",
    "public": "Public governors",
    "patient": "Patient and carer governors",
    "staff": "Staff",
    "head": "Head teacher",
    "parent": "Parent governors",
    "pupil": "Pupils",
    "local-authority": "Local authority",
    "partner": "Partner organisations",
    "independent": "Independent or other",
}

#: How a seat is filled.
METHODS: dict[str, str] = {
    "elected": "Elected",
    "appointed": "Appointed",
    "co-opted": "Co-opted",
    "ex-officio": "Ex officio",
}


class RuleError(ValueError):
    """A custom rule's parameters are wrong; ``field`` names the parameter."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class SeatGroup:
    """``seats`` seats of one category, filled by ``method``.

    ``electorate`` is the stakeholder class (slug) that elects them, if elected;
    ``appointed_by`` names the appointing body (e.g. ``"pta"``, ``"local-authority"``), if
    appointed; ``filled`` is how many of the seats are held today.
    """

    label: str
    category: str
    method: str
    seats: int
    filled: int = 0
    electorate: str = ""
    appointed_by: str = ""


@dataclass(frozen=True, slots=True)
class Composition:
    groups: tuple[SeatGroup, ...]

    @property
    def total(self) -> int:
        return sum(g.seats for g in self.groups)

    @property
    def vacancies(self) -> int:
        return sum(max(g.seats - g.filled, 0) for g in self.groups)

    def seats_in(self, *categories: str) -> int:
        return sum(g.seats for g in self.groups if g.category in categories)

    def seats_where(self, pred: Callable[[SeatGroup], bool]) -> int:
        return sum(g.seats for g in self.groups if pred(g))


@dataclass(frozen=True, slots=True)
class Check:
    """One rule's verdict."""

    rule: str
    met: bool
    reason: str
    source: str = ""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _share_words(share: Fraction) -> str:
    names = {Fraction(1, 2): "half", Fraction(1, 3): "one third", Fraction(1, 4): "one quarter"}
    return names.get(share, f"{share.numerator}/{share.denominator}")


# --- building blocks --------------------------------------------------------------------------


def min_seats(category: str, n: int, *, rule: str = "", source: str = "") -> Callable[[Composition], Check]:
    """At least ``n`` seats of ``category``."""
    words = CATEGORIES.get(category, category)
    name = rule or f"At least {n} seat(s) for {words.lower()}"

    def check(c: Composition) -> Check:
        have = c.seats_in(category)
        if have >= n:
            return Check(name, True, f"{words}: {_plural(have, 'seat')} (at least {n} needed).", source)
        return Check(name, False, f"{words}: {_plural(have, 'seat')}, but at least {n} are needed.", source)

    return check


def max_share(
    categories: Iterable[str], share: Fraction, *, rule: str = "", source: str = ""
) -> Callable[[Composition], Check]:
    """Seats of ``categories`` together at most ``share`` of all seats (compared exactly)."""
    cats = tuple(categories)
    words = " and ".join(CATEGORIES.get(x, x).lower() for x in cats)
    name = rule or f"{words.capitalize()} at most {_share_words(share)} of the body"

    def check(c: Composition) -> Check:
        have, total = c.seats_in(*cats), c.total
        if total == 0:
            return Check(name, False, "The body has no seats.", source)
        if Fraction(have, total) <= share:
            return Check(name, True, f"{have} of {total} seats are {words} (at most {_share_words(share)}).", source)
        return Check(
            name, False, f"{have} of {total} seats are {words}: more than {_share_words(share)} is not allowed.", source
        )

    return check


def min_share(
    pred: Callable[[SeatGroup], bool],
    share: Fraction,
    *,
    what: str,
    strict: bool = False,
    rule: str = "",
    source: str = "",
) -> Callable[[Composition], Check]:
    """Seats matching ``pred`` at least (or, ``strict``, more than) ``share`` of all seats."""
    bound = "more than" if strict else "at least"
    name = rule or f"{what.capitalize()} {bound} {_share_words(share)} of the body"

    def check(c: Composition) -> Check:
        have, total = c.seats_where(pred), c.total
        if total == 0:
            return Check(name, False, "The body has no seats.", source)
        ratio = Fraction(have, total)
        ok = ratio > share if strict else ratio >= share
        verdict = "" if ok else f", but {bound} {_share_words(share)} is needed"
        return Check(name, ok, f"{have} of {total} seats are {what}{verdict}.", source)

    return check


def all_elected_by(electorate: str, *, what: str, rule: str = "", source: str = "") -> Callable[[Composition], Check]:
    """Every seat is elected by the stakeholder class ``electorate``."""
    name = rule or f"Every seat elected by {what}"

    def check(c: Composition) -> Check:
        if c.total == 0:
            return Check(name, False, "The body has no seats.", source)
        other = [g.label for g in c.groups if not (g.method == "elected" and g.electorate == electorate)]
        if not other:
            return Check(name, True, f"All {c.total} seats are elected by {what}.", source)
        return Check(name, False, f"Not elected by {what}: {', '.join(other)}.", source)

    return check


# --- presets ----------------------------------------------------------------------------------

RIGHT_TO_RUN = (
    "The programme's 'right to run': workers, people who receive care and community representatives on the board"
)


def _right_to_run(c: Composition) -> list[Check]:
    # Programme text: care providers' boards to include workers, people who receive care (or their
    # families) and community representatives.  Read as: at least one seat for each.
    return [
        min_seats("worker", 1, rule="At least one seat for workers", source=RIGHT_TO_RUN)(c),
        min_seats(
            "care-recipient",
            1,
            rule="At least one seat for people receiving care or their families",
            source=RIGHT_TO_RUN,
        )(c),
        min_seats("community", 1, rule="At least one seat for community representatives", source=RIGHT_TO_RUN)(c),
    ]


def _foundation_trust(c: Composition) -> list[Check]:
    # NHS Act 2006, Sch. 7 para 9(2): "The aggregate number of public governors is to be more than
    # half of the total membership of the council of governors."  Public governors are elected by
    # the public constituency, so only *elected* public seats count.
    return [
        min_share(
            lambda g: g.category == "public" and g.method == "elected",
            Fraction(1, 2),
            strict=True,
            what="elected public governors",
            rule="Elected public governors are a majority of the council",
            source="NHS Act 2006, Sch. 7 para 9(2)",
        )(c)
    ]


_SGR = "School Governance (Constitution) (England) Regulations 2012, reg. 13"


def _maintained_school(c: Composition) -> list[Check]:
    total = c.total
    # reg. 13(2): "The total membership of the governing body of a maintained school must be no
    # fewer than seven governors."
    size = Check(
        "At least seven governors",
        total >= 7,
        f"The body has {_plural(total, 'seat')}" + ("." if total >= 7 else ", but at least 7 are needed."),
        _SGR + "(2)",
    )
    # reg. 13(3)(a): "at least two parent governors"
    parents = min_seats("parent", 2, rule="At least two parent governors", source=_SGR + "(3)(a)")(c)
    # reg. 13(5): co-opted governors eligible to be staff governors, "when counted with the staff
    # governor and the head teacher, must not exceed one third of the total membership".
    staff = max_share(
        ("staff", "head"),
        Fraction(1, 3),
        rule="Staff-eligible governors and the head at most one third",
        source=_SGR + "(5)",
    )(c)
    return [size, parents, staff]


def _cooperative_school(c: Composition) -> list[Check]:
    # The programme's proposal for co-operative schools: the parent-teacher association appoints at
    # least one third of the governors.
    return [
        min_share(
            lambda g: g.method == "appointed" and g.appointed_by == "pta",
            Fraction(1, 3),
            what="appointed by the PTA",
            rule="The PTA appoints at least one third of governors",
            source="Programme proposal for co-operative schools",
        )(c)
    ]


def _student_council(c: Composition) -> list[Check]:
    # The programme: every school has an elected student body.
    return [
        all_elected_by(
            "pupils",
            what="the pupils",
            rule="Student council elected by the pupils",
            source="Programme: every school to have an elected student body",
        )(c)
    ]


PRESETS: dict[str, tuple[str, Callable[[Composition], list[Check]]]] = {
    "right-to-run": ("Right to run (care providers)", _right_to_run),
    "foundation-trust": ("NHS foundation trust council of governors", _foundation_trust),
    "maintained-school": ("Maintained school governing body", _maintained_school),
    "co-operative-school": ("Co-operative school: PTA appoints a third", _cooperative_school),
    "student-council": ("Student council elected by pupils", _student_council),
}


def check_preset(preset: str, composition: Composition) -> list[Check]:
    """Every check of the named preset, in order."""
    try:
        _, fn = PRESETS[preset]
    except KeyError:
        raise RuleError(f"Unknown preset {preset!r}; known: {', '.join(PRESETS)}", "preset") from None
    return fn(composition)


def _fraction(params: Mapping[str, Any]) -> Fraction:
    try:
        share = Fraction(int(params["numerator"]), int(params["denominator"]))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        raise RuleError("A share needs a whole-number numerator and a non-zero denominator.", "share") from None
    if not 0 < share <= 1:
        raise RuleError("A share must be more than 0 and at most 1.", "share")
    return share


def custom_rule(kind: str, params: Mapping[str, Any]) -> Callable[[Composition], Check]:
    """Build a custom rule from stored parameters (validated; :class:`RuleError` on bad input)."""
    category = str(params.get("category", ""))
    if kind in {"min-seats", "max-share", "min-share"} and category not in CATEGORIES:
        raise RuleError(f"Unknown seat category {category!r}.", "category")
    if kind == "min-seats":
        try:
            n = int(params["n"])
        except (KeyError, TypeError, ValueError):
            raise RuleError("Give the minimum number of seats as a whole number.", "n") from None
        if n < 1:
            raise RuleError("The minimum number of seats must be at least 1.", "n")
        return min_seats(category, n, source="The organisation's rules")
    if kind == "max-share":
        return max_share((category,), _fraction(params), source="The organisation's rules")
    if kind == "min-share":
        words = CATEGORIES[category].lower()
        return min_share(
            lambda g: g.category == category, _fraction(params), what=words, source="The organisation's rules"
        )
    raise RuleError(f"Unknown rule kind {kind!r}.", "kind")
