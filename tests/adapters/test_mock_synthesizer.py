"""The mock synthesizer honours the SpeechSynthesizer contract."""

from __future__ import annotations

import pytest

from avatar_service.adapters.tts.mock import MockSynthesizer
from avatar_service.contracts import SpeechSynthesizerContract


class TestMockSynthesizer(SpeechSynthesizerContract):
    @pytest.fixture
    def adapter(self) -> MockSynthesizer:
        return MockSynthesizer(sample_rate=16000)
