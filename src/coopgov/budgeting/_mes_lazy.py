"""A read-only mapping whose values are computed on first access (explanations, payments)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")

__all__ = ["LazyMap"]


class LazyMap(Mapping[K, V]):
    """``keys`` fixed up front; ``compute(key)`` called once per key, when first looked up."""

    def __init__(self, keys: tuple[K, ...], compute: Callable[[K], V]) -> None:
        self._keys = keys
        self._index = frozenset(keys)
        self._compute = compute
        self._cache: dict[K, V] = {}

    def __getitem__(self, key: K) -> V:
        if key not in self._index:
            raise KeyError(key)
        try:
            return self._cache[key]
        except KeyError:
            value = self._cache[key] = self._compute(key)
            return value

    def __iter__(self) -> Iterator[K]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"LazyMap({len(self._keys)} keys)"
