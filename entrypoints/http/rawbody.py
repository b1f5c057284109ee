"""Streaming raw-body uploads (``PUT /v1/assets/{name}``): the request body is the file, read
as it arrives in batches of about ``COALESCE`` bytes (``handoff.py``), so a file of any size
passes through in bounded memory. Past ``max_file`` bytes ``TooLarge`` is raised as soon as
the limit is crossed; a client that goes away mid-body is ``Invalid``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import TypeVar

from litestar.exceptions import InternalServerException

from avatar_service.core.errors import Invalid
from avatar_service.entrypoints.http.handoff import COALESCE, into_thread
from avatar_service.entrypoints.http.upload import too_large

T = TypeVar("T")


class RawBody:
    """One request body read from ``stream`` (an async iterator of byte chunks), at most
    ``max_file`` bytes."""

    def __init__(self, stream: AsyncIterator[bytes], *, max_file: int) -> None:
        self._stream = stream
        self._max_file = max_file
        self._received = 0
        self._ended = False

    async def read_parts(self) -> list[bytes]:
        """The next pieces of the body, about ``COALESCE`` bytes in all, as they arrived (not
        joined: no copy); ``[]`` once the body is complete."""
        parts: list[bytes] = []
        size = 0
        while size < COALESCE and not self._ended:
            try:
                chunk = await anext(self._stream, b"")
            except InternalServerException:  # Litestar's way of saying the client left
                raise Invalid("the client disconnected during the upload", field="file") from None
            if not chunk:
                self._ended = True
                break
            self._received += len(chunk)
            if self._received > self._max_file:
                raise too_large(self._max_file)
            parts.append(chunk)
            size += len(chunk)
        return parts

    async def into_thread(self, consume: Callable[[Iterator[bytes]], T]) -> T:
        """Run ``consume(chunks)`` in a worker thread, ``chunks`` being the body's bytes
        (``handoff.into_thread``)."""
        return await into_thread(self.read_parts, consume)
