"""What many test folders share: the rule for a missing requirement, the mock adapters'
names, Chromium for the browser tests, and an app served on a real uvicorn over loopback.

A test that needs something the machine may lack (a server, Node's renderer, Chromium) calls
``require``: without it the test is skipped with the reason, except under ``CI=true`` where it
fails (CI must run every test, never skip one silently). ``tests/conftest.py`` puts this folder
on ``sys.path``: ``from support import require``.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import pytest

MOCK = "mock"
"""The name of the mock synthesizer, aligner, renderer and recognizer plugins."""
MEMORY = "memory"
"""The name of the in-memory store and blob store plugins."""

MOCK_SPEECH: dict[str, str] = {"tts": MOCK, "aligner": MOCK, "renderer": MOCK}
"""Speech made, aligned and drawn by the mock adapters."""
IN_MEMORY: dict[str, str] = {"store": MEMORY, "blobs": MEMORY}
"""Records and blobs kept in memory."""
MOCK_ADAPTERS: dict[str, str] = {**MOCK_SPEECH, **IN_MEMORY, "recognizer": MOCK}
"""Every adapter a mock or in memory: no tool, server or file needed."""


def as_env(adapters: Mapping[str, str]) -> dict[str, str]:
    """``{"tts": "mock"}`` -> ``{"AVATAR_TTS": "mock"}``: the same choice as settings variables."""
    return {f"AVATAR_{port.upper()}": name for port, name in adapters.items()}


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def unavailable(reason: str, *, module: bool = False) -> NoReturn:
    """Fail under ``CI=true``, else skip (the whole module when ``module``), with ``reason``."""
    if under_ci():
        pytest.fail(f"{reason} (under CI=true that fails: CI runs every test)", pytrace=False)
    pytest.skip(reason, allow_module_level=module)


def require(condition: object, reason: str, *, module: bool = False) -> None:
    """Go on when ``condition`` holds; otherwise ``unavailable(reason)``."""
    if not condition:
        unavailable(reason, module=module)


def count_onnx_runs(monkeypatch: pytest.MonkeyPatch) -> Callable[[], int]:
    """Make every onnxruntime run last 20 ms longer (so that runs overlap) and count them:
    the returned function gives the most that ran at once."""
    import onnxruntime

    running, most, guard = [0], [0], threading.Lock()
    run = onnxruntime.InferenceSession.run

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        with guard:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            time.sleep(0.02)
            return run(self, *args, **kwargs)
        finally:
            with guard:
                running[0] -= 1

    monkeypatch.setattr(onnxruntime.InferenceSession, "run", counted)
    return lambda: most[0]


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
"""Debian's Chromium, headless, quiet, and allowed to play sound without a click."""


def require_chromium() -> None:
    """Skip with the reason when Chromium is missing; under ``CI=true`` fail instead."""
    require(CHROMIUM.is_file(), f"{CHROMIUM} is missing (apt-get install chromium)")


@contextmanager
def uvicorn_on_loopback(
    app: Any, *, timeout_graceful_shutdown: float = 2, **config: Any
) -> Iterator[int]:
    """``app`` on a real uvicorn bound to a free port of 127.0.0.1 (``config`` for
    ``uvicorn.Config``); yields the port."""
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(
        uvicorn.Config(
            app, log_config=None, timeout_graceful_shutdown=timeout_graceful_shutdown, **config
        )
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield int(sock.getsockname()[1])
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@contextmanager
def opened_playground(
    base_url: str,
    tmp_path: Path,
    extra_args: Sequence[str] = (),
    permissions: Sequence[str] = (),
    ready_seconds: float = 15,
) -> Iterator[tuple[Any, list[str]]]:
    """(page, problems): the playground loaded and ready in Chromium, started with
    ``extra_args`` and granted ``permissions``; ``problems`` collects page errors and every
    response of 400 or more. Without Chromium the test is skipped (failed under ``CI=true``).
    Playwright is imported only here: the test extra brings it."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=[*CHROMIUM_ARGS, *extra_args],
            viewport={"width": 1100, "height": 720},
            accept_downloads=True,
            permissions=list(permissions),
        )
        try:
            page = browser.new_page()
            problems: list[str] = []
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on(
                "response",
                lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
            )
            page.goto(f"{base_url}/")
            page.wait_for_function(
                "() => window.playground && window.playground.ready", timeout=ready_seconds * 1000
            )
            yield page, problems
        finally:
            browser.close()
