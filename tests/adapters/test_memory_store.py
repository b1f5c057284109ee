"""The in-memory store honours the Store contract."""

from __future__ import annotations

import pytest

from avatar_service.adapters.store.memory import MemoryStore
from avatar_service.contracts import StoreContract


class TestMemoryStore(StoreContract):
    @pytest.fixture
    def adapter(self) -> MemoryStore:
        return MemoryStore()
