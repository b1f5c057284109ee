"""The mock aligner honours the Aligner contract."""

from __future__ import annotations

import pytest

from avatar_service.adapters.aligner.mock import MockAligner
from avatar_service.contracts import AlignerContract


class TestMockAligner(AlignerContract):
    @pytest.fixture
    def adapter(self) -> MockAligner:
        return MockAligner()
