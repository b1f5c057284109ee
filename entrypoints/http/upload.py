"""Streaming ``multipart/form-data`` uploads: the request body is parsed as it arrives
(``multipart.PushMultipartParser``), so a file of any size passes through in bounded memory
(batches of about ``COALESCE`` bytes, handed over as the parser cut them: ``handoff.py``).

Small text fields before the file part are collected (``fields``); the first part named
``file`` or with a file name is the file; after it the rest of the body is drained and checked
for completeness. The whole body is limited while it streams (``TooLarge``); a malformed or
truncated body, or a client that goes away, is ``Invalid``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar

import multipart
from litestar.exceptions import InternalServerException

from avatar_service.core.errors import Invalid, TooLarge
from avatar_service.entrypoints.http.handoff import COALESCE, into_thread

MAX_FIELD = 4096
"""Largest text field (``name``, ``overwrite``) accepted before the file."""
FORM_OVERHEAD = 64 * 1024
"""Bytes a body may carry beyond the file itself (part headers, boundaries, small fields)."""

T = TypeVar("T")
_Event: TypeAlias = Any  # a MultipartSegment, a chunk of its body (bytes) or None (its end)


def too_large(max_file: int) -> TooLarge:
    return TooLarge(f"the file is over the limit of {max_file} bytes (MAX_FILE_SIZE)", field="file")


@dataclass(frozen=True, slots=True)
class FilePart:
    field: str
    filename: str
    content_type: str | None


class StreamedUpload:
    """One multipart body read from ``stream`` (an async iterator of byte chunks), at most
    ``max_file`` bytes of file plus ``FORM_OVERHEAD``."""

    def __init__(
        self, stream: AsyncIterator[bytes], content_type: str | None, *, max_file: int
    ) -> None:
        media_type, options = multipart.parse_options_header(content_type or "")
        boundary = options.get("boundary")
        if media_type != "multipart/form-data" or not boundary:
            raise Invalid(
                "the upload must be multipart/form-data with a boundary", field="Content-Type"
            )
        try:
            self._parser = multipart.PushMultipartParser(boundary, max_header_count=16)
        except multipart.MultipartError as exc:
            raise Invalid(f"bad multipart boundary: {exc}", field="Content-Type") from None
        self._stream = stream
        self._max_file = max_file
        self._max_body = max_file + FORM_OVERHEAD
        self._received = 0
        self._pending: list[_Event] = []
        self._ended = False
        self._file_done = False
        self.fields: dict[str, str] = {}

    async def _next(self) -> _Event:
        """The next parser event; ``Invalid`` when the body ends before the form does."""
        while not self._pending:
            if self._ended:
                raise Invalid("the multipart body ended before the form did", field="file")
            await self._pull()
        return self._pending.pop()

    async def _pull(self) -> None:
        """Feed the parser the next chunk of the body (an empty one at its end)."""
        try:
            chunk = await anext(self._stream, b"")
        except InternalServerException:  # Litestar's way of saying the client left
            raise Invalid("the client disconnected during the upload", field="file") from None
        self._received += len(chunk)
        if self._received > self._max_body:
            raise too_large(self._max_file)
        self._ended = not chunk
        try:
            self._pending = list(self._parser.parse(chunk))
        except multipart.MultipartError as exc:
            raise Invalid(f"malformed multipart body: {exc}", field="file") from None
        self._pending.reverse()

    async def next_file(self) -> FilePart:
        """Skip to the file part, collecting the text fields before it."""
        while True:
            if self._ended and not self._pending:
                raise Invalid("the form has no file part (a part named 'file')", field="file")
            event = await self._next()
            if not isinstance(event, multipart.MultipartSegment):
                continue
            if not event.name:
                raise Invalid(
                    "every part of the form needs a name "
                    "(Content-Disposition: form-data; name=...)",
                    field="file",
                )
            if event.filename is not None or event.name == "file":
                return FilePart(event.name, event.filename or "", event.content_type)
            value = bytearray()
            while (data := await self._next()) is not None:
                if isinstance(data, bytes):
                    value += data
                    if len(value) > MAX_FIELD:
                        raise Invalid(f"form field {event.name!r} is too long", field=event.name)
            self.fields[event.name] = value.decode("utf-8", "replace")

    async def read(self) -> bytes:
        """The next chunk of the file part; ``b""`` once it is complete."""
        return b"".join(await self.read_parts())

    async def read_parts(self) -> list[bytes]:
        """The next pieces of the file part, about ``COALESCE`` bytes in all, as the parser
        cut them (not joined: no copy); ``[]`` once the part is complete."""
        parts: list[bytes] = []
        size = 0
        while size < COALESCE and not self._file_done:
            event = await self._next()
            if event is None:
                self._file_done = True
            elif isinstance(event, bytes) and event:
                parts.append(event)
                size += len(event)
        return parts

    async def finish(self) -> None:
        """Drain the rest of the body; ``Invalid`` if the form is incomplete."""
        self._pending.clear()
        while not self._ended:
            await self._pull()
            self._pending.clear()

    async def into_thread(self, consume: Callable[[Iterator[bytes]], T]) -> T:
        """Run ``consume(chunks)`` in a worker thread, ``chunks`` being the file part's bytes
        (``handoff.into_thread``); then the rest of the body is drained."""
        result = await into_thread(self.read_parts, consume)
        await self.finish()
        return result
