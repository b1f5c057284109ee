"""A stand-in for an adapter that is made only when something first uses it, so a command
builds only the adapters it calls (``avatar align`` never loads a voice engine)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

T = TypeVar("T")


class Deferred:
    """Forwards every attribute to ``make()``'s result, made once, on the first attribute read
    (thread-safe). Capability checks against runtime protocols (``isinstance(x,
    VoiceCatalogue)``) read attributes too, so they answer as for the object itself."""

    __slots__ = ("_lock", "_made", "_make")

    def __init__(self, make: Callable[[], Any]) -> None:
        object.__setattr__(self, "_make", make)
        object.__setattr__(self, "_made", None)
        object.__setattr__(self, "_lock", threading.Lock())

    def _target(self) -> Any:
        made = self._made
        if made is None:
            with self._lock:
                if self._made is None:
                    object.__setattr__(self, "_made", (self._make(),))
                made = self._made
        return made[0]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._target(), name, value)

    def __repr__(self) -> str:
        return f"Deferred({self._made[0]!r})" if self._made else "Deferred(<not made yet>)"


def deferred(make: Callable[[], T]) -> T:
    """``make()``'s result, made on first use (typed as that result)."""
    return cast(T, Deferred(make))
