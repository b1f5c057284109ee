"""Timing stand-ins for adapters: the use cases get an object with the adapter's public
methods and attributes whose chosen methods also report how long each call took.

The stand-in's class declares every public name of the adapter (methods forward, attributes
are properties), so optional-capability checks (``isinstance(x, SsmlSynthesizer)``) answer
exactly as they would for the adapter itself, on every Python version.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from avatar_service.entrypoints.metrics import ServiceMetrics

T = TypeVar("T")
Observer = Callable[[float, bool], None]
"""Called with the seconds a call took and whether it returned (``False``: it raised)."""

SYNTHESIS_METHODS = ("synthesize", "synthesize_ssml")
RENDER_METHODS = {"render_frame": "frame", "render_sequence": "sequence"}


def timed(inner: T, observers: Mapping[str, Observer]) -> T:
    """A stand-in for ``inner`` whose methods named in ``observers`` report their duration."""
    namespace: dict[str, Any] = {"__slots__": ("_inner",), "__repr__": _repr}
    for name in dir(inner):
        if name.startswith("_"):
            continue
        static = inspect.getattr_static(inner, name)
        if isinstance(static, property) or not _is_method(static):
            namespace[name] = _attribute(name)
        elif name in observers:
            namespace[name] = _timed_method(name, observers[name])
        else:
            namespace[name] = _method(name)
    cls = type(f"Timed{type(inner).__name__}", (), namespace)
    proxy: Any = object.__new__(cls)
    object.__setattr__(proxy, "_inner", inner)
    return cast(T, proxy)


def timed_synthesizer(inner: T, metrics: ServiceMetrics, engine: str) -> T:
    def observe(seconds: float, ok: bool) -> None:
        metrics.synthesis_seconds.labels(engine, "ok" if ok else "error").observe(seconds)

    return timed(inner, dict.fromkeys(SYNTHESIS_METHODS, observe))


def timed_renderer(inner: T, metrics: ServiceMetrics) -> T:
    def observer(kind: str) -> Observer:
        histogram = metrics.render_seconds
        return lambda s, ok: histogram.labels(kind, "ok" if ok else "error").observe(s)

    return timed(inner, {name: observer(kind) for name, kind in RENDER_METHODS.items()})


def _is_method(static: object) -> bool:
    return isinstance(static, staticmethod | classmethod) or inspect.isroutine(static)


def _repr(self: Any) -> str:
    return f"timed({self._inner!r})"


def _attribute(name: str) -> property:
    return property(
        lambda self: getattr(self._inner, name),
        lambda self, value: setattr(self._inner, name, value),
    )


def _method(name: str) -> Callable[..., Any]:
    def forward(self: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(self._inner, name)(*args, **kwargs)

    forward.__name__ = name
    return forward


def _timed_method(name: str, observe: Observer) -> Callable[..., Any]:
    def forward(self: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        ok = False
        try:
            result = getattr(self._inner, name)(*args, **kwargs)
            ok = True
            return result
        finally:
            observe(time.perf_counter() - started, ok)

    forward.__name__ = name
    return forward
