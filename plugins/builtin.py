"""The built-in plugin: registers this distribution's adapters through the public hooks,
exactly as a third-party plugin would."""

from __future__ import annotations

from typing import Any

from avatar_service.plugins.hookspecs import Register, hookimpl


@hookimpl
def avatar_register_synthesizers(register: Register) -> None:
    from avatar_service.adapters.tts.mock import MockSynthesizer

    register("mock", lambda settings: MockSynthesizer())


@hookimpl
def avatar_register_aligners(register: Register) -> None:
    from avatar_service.adapters.aligner.mock import MockAligner

    register("mock", lambda settings: MockAligner())


@hookimpl
def avatar_register_renderers(register: Register) -> None:
    from avatar_service.adapters.renderer.mock import MockRenderer

    def mock(settings: Any) -> MockRenderer:
        return MockRenderer(max_render_time=settings.max_render_time)

    register("mock", mock)


@hookimpl
def avatar_register_stores(register: Register) -> None:
    from avatar_service.adapters.store.memory import MemoryStore

    register("memory", lambda settings: MemoryStore())


@hookimpl
def avatar_register_blob_stores(register: Register) -> None:
    from avatar_service.adapters.blobs.memory import MemoryBlobStore

    register("memory", lambda settings: MemoryBlobStore())
