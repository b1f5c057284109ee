"""A lazy container (one-shot commands) builds each adapter when a use case first calls it,
and only that one; a bad adapter name still fails at once; the server's container builds
everything at start-up."""

from __future__ import annotations

import numpy as np
import pytest

from avatar_service.core.ports import VoiceCatalogue
from avatar_service.entrypoints.bootstrap import Container, bootstrap
from avatar_service.entrypoints.settings import Settings
from avatar_service.plugins.manager import make_plugin_manager
from avatar_service.plugins.registry import UnknownAdapter

MOCKS = {
    "tts": "mock",
    "aligner": "mock",
    "renderer": "mock",
    "store": "memory",
    "blobs": "memory",
    "recognizer": "mock",
}


def settings(**changes: str) -> Settings:
    return Settings(**{**MOCKS, **changes}, _env_file=None)  # type: ignore[arg-type]


def lazy(**changes: str) -> Container:
    pm = make_plugin_manager(load_entrypoints=False)
    return bootstrap(settings(**changes), plugin_manager=pm, lazy=True)


def test_aligning_builds_the_aligner_and_no_voice_engine() -> None:
    container = lazy()
    silence = np.zeros(16000, np.float32)
    alignment = container.speech.align(silence, 16000, "hello there")
    assert [w.text for w in alignment.words] == ["hello", "there"]
    assert set(container.adapters.built()) == {"aligner", "store", "blobs"}


def test_listing_voices_builds_the_voice_engine_and_no_aligner() -> None:
    container = lazy()
    assert container.speech.voices()
    assert "aligner" not in container.adapters.built()
    assert "tts" in container.adapters.built()


def test_a_stand_in_answers_capability_checks_as_its_adapter() -> None:
    container = lazy()
    synthesizer = container.speech._synthesizer
    built = container.adapters.synthesizer
    assert isinstance(synthesizer, VoiceCatalogue) == isinstance(built, VoiceCatalogue)


def test_an_unknown_adapter_name_fails_before_anything_is_built() -> None:
    with pytest.raises(UnknownAdapter):
        lazy(tts="nope")


def test_the_server_container_builds_every_adapter_at_once() -> None:
    pm = make_plugin_manager(load_entrypoints=False)
    container = bootstrap(settings(), plugin_manager=pm)
    assert set(container.adapters.built()) == {
        "tts",
        "aligner",
        "renderer",
        "store",
        "blobs",
        "jobs",
        "webhooks",
        "recognizer",
    }
