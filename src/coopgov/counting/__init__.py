"""Statutory-exact election counting (no Django).

Public API::

    from coopgov.counting import count, METHODS
    profile = read_profile("ward.blt")
    result = count(profile, "scottish-stv", seed=1)
"""

from __future__ import annotations

from coopgov.counting._model import CountingError, CountResult, Profile, Stage, TieBreak
from coopgov.counting._registry import (
    METHODS,
    MethodFn,
    available,
    count,
    load_methods,
    register,
)

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
    "register",
]
