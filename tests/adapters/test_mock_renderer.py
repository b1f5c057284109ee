"""The mock renderer honours the Renderer contract, including its time limit."""

from __future__ import annotations

import pytest

from avatar_service.adapters.renderer.mock import MockRenderer
from avatar_service.contracts import RendererContract


class TestMockRenderer(RendererContract):
    @pytest.fixture
    def adapter(self) -> MockRenderer:
        return MockRenderer(max_render_time=30.0)

    @pytest.fixture
    def slow_adapter(self) -> MockRenderer:
        return MockRenderer(max_render_time=1e-6)
