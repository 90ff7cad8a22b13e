"""Registry of counting methods by name.

Each rule module defines a function ``(Profile, random.Random) -> CountResult`` and registers it
with :func:`register`.  :func:`count` looks the method up, seeds the generator used for lots and
runs it.  Method names: ``plurality``, ``scottish-stv``, ``ers97``, ``nhs-mer2014-stv``, ``meek``.

Rule modules are imported only when needed: :func:`count` imports just the module of the method
asked for (so that ``coopgov count --method scottish-stv`` does not pay for numpy if another
rule uses it), and :data:`METHODS` imports all of them the first time it is looked into.
"""

from __future__ import annotations

import importlib
import os
import random
from collections.abc import Callable, Iterator

from coopgov.counting._model import CountingError, CountResult, Profile

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from _collections_abc import dict_items, dict_keys, dict_values

__all__ = ["METHODS", "METHOD_MODULES", "MethodFn", "available", "count", "register"]

MethodFn = Callable[[Profile, random.Random], CountResult]

# method name -> rule module (inside coopgov.counting); add one line per new method.
METHOD_MODULES: dict[str, str] = {
    "plurality": "plurality",
    "scottish-stv": "scottish_stv",
    "ers97": "ers97",
    "nhs-mer2014-stv": "nhs_mer2014",
    "meek": "meek",
}


_HERE = os.path.dirname(os.path.abspath(__file__))


def _exists(module: str) -> bool:
    return os.path.exists(os.path.join(_HERE, f"{module}.py"))


def available() -> list[str]:
    """Names of the methods whose rule module is present (without importing them)."""
    return sorted(name for name, mod in METHOD_MODULES.items() if _exists(mod))


class _Methods(dict[str, MethodFn]):
    """A dict of the registered methods that imports every rule module when first read."""

    _loaded = False

    def _load(self) -> None:
        if not self._loaded:
            self._loaded = True
            for mod in dict.fromkeys(METHOD_MODULES.values()):
                if _exists(mod):
                    importlib.import_module(f"coopgov.counting.{mod}")

    def __getitem__(self, key: str) -> MethodFn:
        self._load()
        return dict.__getitem__(self, key)

    def __contains__(self, key: object) -> bool:
        self._load()
        return dict.__contains__(self, key)

    def __iter__(self) -> Iterator[str]:
        self._load()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._load()
        return dict.__len__(self)

    def keys(self) -> dict_keys[str, MethodFn]:
        self._load()
        return dict.keys(self)

    def values(self) -> dict_values[str, MethodFn]:
        self._load()
        return dict.values(self)

    def items(self) -> dict_items[str, MethodFn]:
        self._load()
        return dict.items(self)

    def __repr__(self) -> str:
        self._load()
        return dict.__repr__(self)


METHODS: dict[str, MethodFn] = _Methods()


def register(name: str) -> Callable[[MethodFn], MethodFn]:
    """Decorator: ``@register("scottish-stv")`` adds a method to :data:`METHODS`."""

    def deco(fn: MethodFn) -> MethodFn:
        dict.__setitem__(METHODS, name, fn)
        return fn

    return deco


def load_methods() -> dict[str, MethodFn]:
    """Import every rule module that exists; return :data:`METHODS`."""
    len(METHODS)
    return METHODS


def _lookup(method: str) -> MethodFn:
    if not dict.__contains__(METHODS, method):
        mod = METHOD_MODULES.get(method)
        if mod is not None and _exists(mod):
            importlib.import_module(f"coopgov.counting.{mod}")
    if not dict.__contains__(METHODS, method):
        known = ", ".join(available())
        raise CountingError(f"unknown counting method {method!r} (known: {known})")
    fn: MethodFn = dict.__getitem__(METHODS, method)
    return fn


def count(
    profile: Profile,
    method: str,
    *,
    seed: int | None = None,
    rng: random.Random | None = None,
) -> CountResult:
    """Count ``profile`` by ``method``; lots are drawn from ``rng`` (or ``Random(seed)``)."""
    fn = _lookup(method)
    if rng is None:
        rng = random.Random(seed)
    return fn(profile, rng)
