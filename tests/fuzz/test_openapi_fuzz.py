"""Schemathesis against the service's own OpenAPI schema: every operation, a bounded number of
generated requests each (valid and invalid), over mock speech and rendering with a real SQLite
store and file blobs. No response may be a 5xx, and every response must match the schema
(status code declared, content type declared, body valid)."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from support import MOCK_SPEECH

from avatar_service.core.errors import NotFound
from avatar_service.core.records import Namespace
from avatar_service.core.usecases.render_requests import FrameRequest
from avatar_service.core.usecases.speech import SpeechRequest
from avatar_service.entrypoints.bootstrap import bootstrap
from avatar_service.entrypoints.http.app import create_app
from avatar_service.entrypoints.settings import HttpSettings, Settings
from avatar_service.plugins.manager import make_plugin_manager

MAX_EXAMPLES = int(os.environ.get("AVATAR_TEST_FUZZ_EXAMPLES", "100"))
"""Generated requests per operation (and per generation mode)."""

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


_ROOT = Path(tempfile.mkdtemp(prefix="avatar-fuzz-"))
_CONTAINER = bootstrap(
    Settings(
        **MOCK_SPEECH,
        store="sqlmodel",
        blobs="fsspec",
        database_url=f"sqlite:///{_ROOT / 'avatar.db'}",
        assets_dir=str(_ROOT / "assets"),
        audios_dir=str(_ROOT / "audios"),
        renders_dir=str(_ROOT / "renders"),
        # Thousands of requests from one address: rate limits (tested in tests/http) off.
        http=HttpSettings(rate_per_second=0),
        _env_file=None,
    ),
    plugin_manager=make_plugin_manager(load_entrypoints=False),
)


def _serve(app: Any) -> tuple[uvicorn.Server, threading.Thread, str]:
    """Serve ``app`` over loopback TCP (a real server: real sockets, real HTTP parsing)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the fuzzed server did not start")
        time.sleep(0.02)
    return server, thread, f"http://127.0.0.1:{sock.getsockname()[1]}"


_SERVER, _THREAD, BASE_URL = _serve(create_app(_CONTAINER))
# Loaded at import: schemathesis collects one test per operation from the schema.
schema = schemathesis.openapi.from_url(f"{BASE_URL}/schema/openapi.json")

KNOWN: dict[str, str] = {}
"""Ids of things that exist, by parameter name: half the generated requests use them, so the
fuzz reaches past the 404s into rendering, state updates and downloads."""


def _ensure_known() -> None:
    """(Re)create the known avatar, preset, session, audio, render and asset: a fuzzed DELETE
    may have removed one (and a deleted id is never reused)."""
    avatars, store = _CONTAINER.avatars, _CONTAINER.adapters.store
    makers: list[tuple[str, Callable[[str], object], Callable[[], str]]] = [
        ("avatar_id", store.get_avatar, lambda: avatars.create_avatar(name="fuzz").avatar_id),
        (
            "preset_id",
            store.get_preset,
            lambda: avatars.create_preset(settings={"hair_style": "bob"}).preset_id,
        ),
        (
            "session_id",
            store.get_session,
            lambda: avatars.create_session(KNOWN["avatar_id"]).session_id,
        ),
        (
            "audio_id",
            store.get_audio,
            lambda: (
                _CONTAINER.speech.lipsync(
                    SpeechRequest("fuzz", avatar_id=KNOWN["avatar_id"])
                ).audio.audio_id
            ),
        ),
        (
            "render_id",
            store.get_render,
            lambda: (
                _CONTAINER.rendering.frame(
                    FrameRequest(KNOWN["avatar_id"], 32, 32)
                ).record.render_id
            ),
        ),
        (
            "name",
            lambda n: _CONTAINER.assets.stat(Namespace.ASSETS, n),
            lambda: _CONTAINER.assets.upload("fuzz.txt", [b"fuzz"], content_type="text/plain").name,
        ),
    ]
    for key, get, make in makers:
        if key not in KNOWN or _missing(get, KNOWN[key]):
            KNOWN[key] = make()


def _missing(get: Callable[[str], object], key: str) -> bool:
    try:
        get(key)
    except NotFound:
        return True
    return False


_ensure_known()


def _use_known(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if not isinstance(values, dict):
        return values
    return {k: KNOWN.get(k, v) if isinstance(v, str | None) else v for k, v in values.items()}


@schema.hook
def before_generate_path_parameters(context: Any, strategy: st.SearchStrategy) -> Any:
    return st.one_of(strategy, strategy.map(_use_known))


@schema.hook
def before_generate_query(context: Any, strategy: st.SearchStrategy) -> Any:
    return st.one_of(strategy, strategy.map(_use_known))


@schema.hook
def before_generate_body(context: Any, strategy: st.SearchStrategy) -> Any:
    return st.one_of(strategy, strategy.map(_use_known))


@pytest.fixture(scope="module", autouse=True)
def _release_store() -> Iterator[None]:
    yield
    _SERVER.should_exit = True
    _THREAD.join(timeout=10)
    _CONTAINER.close()
    shutil.rmtree(_ROOT, ignore_errors=True)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_within_its_schema_and_never_5xx(
    case: schemathesis.Case, fuzz_cases: Counter[str]
) -> None:
    _ensure_known()
    fuzz_cases[case.operation.label] += 1
    case.call_and_validate(base_url=BASE_URL, checks=CHECKS, timeout=30)
