"""The fixture plugin distribution (tests/fixtures/avatar-sine-voice), installed by
``tests/conftest.py`` before the run starts, and a server of the playground."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fixture_plugin import install_sine_plugin
from support import IN_MEMORY, MOCK, uvicorn_on_loopback

from avatar_service.entrypoints.bootstrap import bootstrap
from avatar_service.entrypoints.http.app import create_app
from avatar_service.entrypoints.settings import Settings


@pytest.fixture(scope="session")
def sine_plugin_installed() -> str:
    """The installed version of ``avatar-sine-voice``."""
    return install_sine_plugin()


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """The playground's server, one per module: a real uvicorn on a free port (espeak voice,
    memory store and blobs)."""
    container = bootstrap(Settings(tts="espeak", aligner="engine", renderer=MOCK, **IN_MEMORY))
    try:
        with uvicorn_on_loopback(create_app(container), lifespan="on") as port:
            yield f"http://127.0.0.1:{port}"
    finally:
        container.close()
