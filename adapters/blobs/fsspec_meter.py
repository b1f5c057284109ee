"""The pass-through that every write streams its chunks through: size limit, sha256, head."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

from avatar_service.core.errors import Invalid, TooLarge
from avatar_service.core.mediatypes import SNIFF_BYTES


class Meter:
    """Passes chunks through, counting, hashing and keeping the first bytes; ``TooLarge`` as
    soon as the total passes ``max_size``."""

    def __init__(self, chunks: Iterable[bytes], max_size: int) -> None:
        if isinstance(chunks, bytes | bytearray | memoryview):
            chunks = [bytes(chunks)]
        self._chunks = iter(chunks)
        self._max = max_size
        self.size = 0
        self.digest = hashlib.sha256()
        self.head = b""

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        chunk = next(self._chunks)
        if not isinstance(chunk, bytes | bytearray | memoryview):
            raise Invalid("chunks must be bytes", field="file")
        self.size += len(chunk)
        if self.size > self._max:
            raise TooLarge(f"the object is over the limit of {self._max} bytes", field="file")
        self.digest.update(chunk)
        if len(self.head) < SNIFF_BYTES:
            self.head += bytes(chunk[: SNIFF_BYTES - len(self.head)])
        return bytes(chunk)
