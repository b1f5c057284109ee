"""The in-memory blob store honours the BlobStore contract."""

from __future__ import annotations

import pytest

from avatar_service.adapters.blobs.memory import MemoryBlobStore
from avatar_service.contracts import BlobStoreContract


class TestMemoryBlobStore(BlobStoreContract):
    @pytest.fixture
    def adapter(self) -> MemoryBlobStore:
        return MemoryBlobStore()
