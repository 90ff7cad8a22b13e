"""Words for voters: money, ranks, and what each voter helped to fund."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

from ._model import Amount, Election, Outcome

__all__ = ["VoterSummary", "money", "ordinal", "plural", "voter_summaries"]

_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


def money(amount: Amount, currency: str) -> str:
    """``£40,000`` / ``40,000 PLN`` / ``1,234.50 EUR`` (exact amounts rounded to the penny)."""
    if isinstance(amount, int) or (isinstance(amount, Fraction) and amount.denominator == 1):
        text = f"{int(amount):,}"
    else:
        q = round(Fraction(amount) * 100)
        text = f"{q // 100:,}.{q % 100:02d}" if q >= 0 else f"-{(-q) // 100:,}.{(-q) % 100:02d}"
        if text.endswith(".00"):
            text = text[:-3]
    sym = _SYMBOLS.get(currency)
    if sym:
        return f"-{sym}{text[1:]}" if text.startswith("-") else f"{sym}{text}"
    return f"{text} {currency}".strip()


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, …"""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


def plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


@dataclass(frozen=True, slots=True)
class VoterSummary:
    """What the voters of one ballot group supported, what was funded, and what they paid."""

    group: int
    voter_ids: tuple[str, ...]
    multiplicity: int
    supported: tuple[int, ...]
    funded: tuple[int, ...]
    paid: tuple[tuple[int, Amount], ...]  # (project, amount per voter) for rules with payments
    text: str


def voter_summaries(election: Election, outcome: Outcome) -> Iterator[VoterSummary]:
    """One summary per ballot group (all voters of a group cast the same ballot)."""
    projects = election.instance.projects
    cur = election.instance.currency
    sel = outcome.selected_set()
    payments = outcome.payments
    for g, b in enumerate(election.profile.ballots):
        funded = tuple(p for p in b.items if p in sel)
        paid: tuple[tuple[int, Amount], ...] = ()
        if payments is not None:
            paid = tuple((p, a) for p, a in sorted(payments.get(g, {}).items()) if a)
        names = [projects[p].label for p in funded]
        if not b.items:
            text = "You did not support any project."
        elif not funded:
            text = f"None of the {plural(len(b.items), 'project', 'projects')} you supported was funded."
        else:
            text = (
                f"{len(funded)} of the {plural(len(b.items), 'project', 'projects')} you "
                f"supported {'was' if len(funded) == 1 else 'were'} funded: {'; '.join(names)}."
            )
        if paid:
            total = sum((Fraction(a) for _, a in paid), Fraction(0))
            parts = [f"{money(a, cur)} towards {projects[p].label}" for p, a in paid]
            text += f" Your share of the budget paid {'; '.join(parts)} ({money(total, cur)} in all)."
        yield VoterSummary(
            group=g,
            voter_ids=b.voter_ids,
            multiplicity=b.multiplicity,
            supported=b.items,
            funded=funded,
            paid=paid,
            text=text,
        )
