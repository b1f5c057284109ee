"""Encoded frames kept by the job that made them, so a frame asked for again (the same state,
pose, size and format) is answered without a round trip to a Node worker.

A frame job is a pure function of its fields (no clock, no randomness), so a cached answer is
byte for byte what the worker would send again.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

DEFAULT_BYTES = 32 * 1024 * 1024
"""About 400 encoded 512x512 PNG frames."""
LARGEST_SHARE = 8
"""A frame bigger than this share of the budget is not kept (it would evict too many)."""


def frame_key(job: Mapping[str, Any]) -> str:
    """The cache key of a frame job: its fields as canonical JSON."""
    return json.dumps(job, sort_keys=True, separators=(",", ":"))


class FrameCache:
    """A thread-safe LRU map of key -> encoded frame, at most ``max_bytes`` of frames
    (``0``: keeps nothing)."""

    def __init__(self, max_bytes: int = DEFAULT_BYTES) -> None:
        if max_bytes < 0:
            raise ValueError("max_bytes must be >= 0")
        self.max_bytes = max_bytes
        self.bytes = 0
        self._frames: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            found = self._frames.get(key)
            if found is not None:
                self._frames.move_to_end(key)
            return found

    def put(self, key: str, frame: bytes) -> None:
        if len(frame) * LARGEST_SHARE > self.max_bytes:
            return
        with self._lock:
            old = self._frames.pop(key, None)
            if old is not None:
                self.bytes -= len(old)
            self._frames[key] = frame
            self.bytes += len(frame)
            while self.bytes > self.max_bytes:
                _, evicted = self._frames.popitem(last=False)
                self.bytes -= len(evicted)

    def __len__(self) -> int:
        return len(self._frames)
