"""Dataclasses to JSON-able data and back, field by field (``dataclasses.fields``), so that a
field added to a stored type is written and read back without anyone listing it.

Types handled, nested freely: ``None``, ``bool``, ``int``, ``float``, ``str``, enums (stored by
value), dataclasses (a dict keyed by field name), ``tuple[X, ...]`` and fixed ``tuple[A, B]``,
``list[X]``, mappings with string keys, ``Literal`` values and unions such as ``X | None``.

- ``from_plain(T, to_plain(value)) == value`` for every value of such a type ``T``, also after
  a trip through JSON.
- Reading is strict: a value of the wrong type, a missing field without a default or a field
  the dataclass does not have raises ``TypeError`` or ``ValueError``; a field that is absent
  takes its default (data written before that field existed). A dataclass may also be read
  from a list of its field values in order (the form older data used for small records).
- Any other type raises ``TypeError`` naming it.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Mapping
from enum import Enum
from typing import Any, Literal, TypeVar, Union

T = TypeVar("T")
_MAPPINGS = (dict, Mapping)  # get_origin gives these for dict[...] and Mapping[...]


def to_plain(value: object) -> Any:
    """``value`` as JSON-able data: dicts, lists, strings, numbers, booleans and ``None``."""
    if isinstance(value, Enum):
        return to_plain(value.value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in _init_fields(type(value))}
    if isinstance(value, tuple | list):
        return [to_plain(item) for item in value]
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("only mappings with string keys can be stored")
        return {key: to_plain(item) for key, item in value.items()}
    raise TypeError(f"a {type(value).__name__} cannot be stored as plain data")


def from_plain(cls: type[T], data: Any) -> T:
    """The ``cls`` value ``data`` (from ``to_plain``) stands for."""
    value: T = _read(cls, data)
    return value


def _read(hint: Any, data: Any) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return data
    if hint is type(None):
        if data is not None:
            raise TypeError(f"expected null, got {data!r}")
        return None
    if origin is Union or origin is types.UnionType:
        return _read_union(args, data)
    if origin is Literal:
        if data not in args:
            raise ValueError(f"expected one of {args!r}, got {data!r}")
        return data
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(data)
    if hint in (bool, int, float, str):
        return _read_scalar(hint, data)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _read_dataclass(hint, data)
    if origin is tuple:
        items = _list(data)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_read(args[0], item) for item in items)
        if len(items) != len(args):
            raise ValueError(f"expected {len(args)} items, got {len(items)}")
        return tuple(_read(arg, item) for arg, item in zip(args, items, strict=True))
    if origin is list:
        return [_read(args[0], item) for item in _list(data)]
    if origin in _MAPPINGS:
        if not isinstance(data, Mapping) or not all(isinstance(k, str) for k in data):
            raise TypeError(f"expected an object with string keys, got {data!r}")
        return {key: _read(args[1], item) for key, item in data.items()}
    raise TypeError(f"{hint!r} cannot be read from plain data")


def _read_union(args: tuple[Any, ...], data: Any) -> Any:
    if data is None and type(None) in args:
        return None
    problems = []
    for arg in args:
        if arg is type(None):
            continue
        try:
            return _read(arg, data)
        except (TypeError, ValueError) as exc:
            problems.append(str(exc))
    raise TypeError(f"{data!r} matches none of the allowed types: {'; '.join(problems)}")


def _read_scalar(hint: type, data: Any) -> Any:
    if hint is float and isinstance(data, int) and not isinstance(data, bool):
        return float(data)
    if type(data) is not hint:
        raise TypeError(f"expected {hint.__name__}, got {data!r}")
    return data


def _read_dataclass(cls: type, data: Any) -> Any:
    hints = _hints(cls)
    names = [f.name for f in _init_fields(cls)]
    if isinstance(data, list):
        if len(data) > len(names):
            raise ValueError(f"{cls.__name__} has {len(names)} fields, got {len(data)} values")
        data = dict(zip(names, data, strict=False))
    if not isinstance(data, Mapping):
        raise TypeError(f"expected an object for {cls.__name__}, got {data!r}")
    unknown = set(data) - set(names)
    if unknown:
        raise ValueError(f"{cls.__name__} has no field {', '.join(sorted(map(str, unknown)))}")
    return cls(**{name: _read(hints[name], data[name]) for name in names if name in data})


def _init_fields(cls: type) -> tuple[dataclasses.Field[Any], ...]:
    return tuple(f for f in dataclasses.fields(cls) if f.init)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _list(data: Any) -> list[Any]:
    if not isinstance(data, list | tuple):
        raise TypeError(f"expected a list, got {data!r}")
    return list(data)
