"""Render requests as JSON-able dicts, so a job can be stored and run by another process.

``from_dict(kind_of(r), to_dict(r)) == r`` for every sequence and animation request: every
field, nested ones included, is written and read by ``core.plain_data`` from the dataclass
fields, so a field added to a request is kept without being listed here. Data stored before
a field existed reads as that field's default. A dict that is not a request of ``kind``
raises ``Invalid`` (field ``request``).
"""

from __future__ import annotations

from typing import Any

from avatar_service.core.errors import Invalid
from avatar_service.core.jobs import JobKind
from avatar_service.core.plain_data import from_plain, to_plain
from avatar_service.core.usecases.render_requests import AnimationRequest, SequenceRequest

RenderJobRequest = SequenceRequest | AnimationRequest
_TYPES: dict[JobKind, type[SequenceRequest] | type[AnimationRequest]] = {
    JobKind.SEQUENCE: SequenceRequest,
    JobKind.ANIMATION: AnimationRequest,
}


def kind_of(request: RenderJobRequest) -> JobKind:
    return JobKind.SEQUENCE if isinstance(request, SequenceRequest) else JobKind.ANIMATION


def to_dict(request: RenderJobRequest) -> dict[str, Any]:
    data: dict[str, Any] = to_plain(request)
    return data


def from_dict(kind: JobKind, data: dict[str, Any]) -> RenderJobRequest:
    try:
        return from_plain(_TYPES[kind], data)
    except (KeyError, TypeError, ValueError) as exc:
        raise Invalid(f"the stored {kind} request is malformed: {exc!r}", field="request") from None
