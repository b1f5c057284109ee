"""Port requests as a newer service would send them: with a field the adapter under test was
written before. Adapters read the request fields they know by name, so such a request must be
served exactly as the same request without that field."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

R = TypeVar("R")

ADDED_FIELD = "added_later"


def with_added_field(request: R) -> R:
    """``request`` as an instance of a subclass of its type that has one more field, with a
    default, set here to a value other than that default."""
    base: Any = type(request)
    added = dataclasses.field(default=0, kw_only=True)
    newer = dataclasses.make_dataclass(
        f"Newer{base.__name__}", [(ADDED_FIELD, int, added)], bases=(base,), frozen=True
    )
    values = {f.name: getattr(request, f.name) for f in dataclasses.fields(base)}
    extended: R = newer(**values, **{ADDED_FIELD: 1})
    return extended
