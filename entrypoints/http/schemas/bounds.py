"""Bounds on the lists and free-form objects of request bodies (``docs/limits.md``).

Scalars are bounded by the core's ``Limits`` (configurable); these cap how many items a body
may carry, checked while it is decoded, so a violation is a 422 naming the field.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

MAX_VISEME_SETS = 8
"""Names in ``viseme_sets`` (a handful of sets ship; repeats are tolerated, floods are not)."""
MAX_CUES = 10_000
"""Viseme cues of one sequence: 120 s at the 40 ms minimum cue is 3,000."""
MAX_EXPRESSION_CHANGES = 1_000
MAX_OBJECT_KEYS = 100
"""Keys of a free-form object (session ``metadata``, a ``state``, a preset's ``settings``)."""

FreeObject = Annotated[dict[str, Any], msgspec.Meta(max_length=MAX_OBJECT_KEYS)]
"""A JSON object of at most ``MAX_OBJECT_KEYS`` keys (its depth: ``max_json_depth``)."""
