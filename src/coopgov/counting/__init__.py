"""Statutory-exact election counting (plain Python: no Django, no numpy for the rules here).

Public API::

    from coopgov.counting import read_profile, count, render

    profile = read_profile("ward.blt")              # .blt, .csv (with seats=N) or .json
    result = count(profile, "scottish-stv", seed=1)  # lots drawn from random.Random(1)
    print(render(result, "text"))                    # or "json", "csv", "html"

Methods (see :data:`METHODS`; each rule module quotes the rule text it implements):
``plurality`` (first past the post), ``scottish-stv`` (SSI 2007/42 Sch. 1 rules 45-52),
``ers97`` (Electoral Reform Society 1997 rules), ``meek`` (NZ LER 2001 Sch. 1A); and
``nhs-mer2014-stv`` if its module is present.

* :class:`Profile` — candidates, seats, withdrawn candidates and grouped usable rankings
  (``rankings[i]`` carried by ``weights[i]`` ballots), plus the invalid count and notes.
* :class:`CountResult` — the declaration: one :class:`Stage` per stage with exact
  :class:`~fractions.Fraction` totals, the quota, who was elected or excluded, and every
  :class:`TieBreak` (how each tie was resolved, including lots).
* :class:`CountingError` — a user mistake located by file and line (``str()`` gives
  ``FILE:LINE: message``).

Input formats: BLT (see :mod:`coopgov.counting._blt`), ranked-ballot CSV in two layouts
(:mod:`coopgov.counting._csv`) and JSON (:mod:`coopgov.counting._json`).  Command line:
``coopgov count FILE --method scottish-stv [--seats N] [--format text|json|csv|html]
[--seed S] [--output PATH] [--export-blt PATH] [--progress]``.
"""

from __future__ import annotations

from coopgov.counting._blt import write_blt
from coopgov.counting._io import read_profile
from coopgov.counting._model import CountingError, CountResult, Profile, Stage, TieBreak
from coopgov.counting._registry import (
    METHODS,
    MethodFn,
    available,
    count,
    load_methods,
    register,
)
from coopgov.counting._report import render

__all__ = [
    "METHODS",
    "CountResult",
    "CountingError",
    "MethodFn",
    "Profile",
    "Stage",
    "TieBreak",
    "available",
    "count",
    "load_methods",
    "read_profile",
    "register",
    "render",
    "write_blt",
]
