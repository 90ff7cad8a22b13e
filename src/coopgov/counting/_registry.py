"""Registry of counting methods by name.

Each rule module defines a function ``(Profile, random.Random) -> CountResult`` and registers it
with :func:`register`.  :func:`count` looks the method up, seeds the generator used for lots and
runs it.  Method names: ``plurality``, ``scottish-stv``, ``ers97``, ``nhs-mer2014-stv``, ``meek``.
"""

from __future__ import annotations

import importlib
import importlib.util
import random
from collections.abc import Callable

from coopgov.counting._model import CountingError, CountResult, Profile

__all__ = ["METHODS", "MethodFn", "count", "register"]

MethodFn = Callable[[Profile, random.Random], CountResult]

METHODS: dict[str, MethodFn] = {}

# Rule modules, imported (if present) the first time the registry is used.
_RULE_MODULES = ("plurality", "scottish_stv", "ers97", "nhs_mer2014", "meek")
_loaded = False


def register(name: str) -> Callable[[MethodFn], MethodFn]:
    """Decorator: ``@register("scottish-stv")`` adds a method to :data:`METHODS`."""

    def deco(fn: MethodFn) -> MethodFn:
        METHODS[name] = fn
        return fn

    return deco


def load_methods() -> dict[str, MethodFn]:
    """Import every rule module that exists, so that it registers its method(s)."""
    global _loaded
    if not _loaded:
        _loaded = True
        for mod in _RULE_MODULES:
            full = f"coopgov.counting.{mod}"
            if importlib.util.find_spec(full) is not None:
                importlib.import_module(full)
    return METHODS


def count(
    profile: Profile,
    method: str,
    *,
    seed: int | None = None,
    rng: random.Random | None = None,
) -> CountResult:
    """Count ``profile`` by ``method``; lots are drawn from ``rng`` (or ``Random(seed)``)."""
    methods = load_methods()
    if method not in methods:
        known = ", ".join(sorted(methods))
        raise CountingError(f"unknown counting method {method!r} (known: {known})")
    if rng is None:
        rng = random.Random(seed)
    return methods[method](profile, rng)
