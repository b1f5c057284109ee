"""The playground in Debian's Chromium, driven by Playwright: a real server to load it from and
the page opened and ready."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from support import IN_MEMORY, MOCK, require

from avatar_service.entrypoints.bootstrap import bootstrap
from avatar_service.entrypoints.http.app import create_app
from avatar_service.entrypoints.settings import Settings

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


def require_chromium() -> None:
    require(CHROMIUM.is_file(), f"{CHROMIUM} is missing (apt-get install chromium)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving_playground() -> Iterator[str]:
    """A real uvicorn server (espeak voice, memory store and blobs) on a free port: its URL."""
    settings = Settings(tts="espeak", aligner="engine", renderer=MOCK, **IN_MEMORY)
    container = bootstrap(settings)
    port = _free_port()
    config = uvicorn.Config(
        create_app(container), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        container.close()


def open_playground(
    playwright: Any,
    base_url: str,
    tmp_path: Path,
    extra_args: Sequence[str] = (),
    permissions: Sequence[str] = (),
) -> tuple[Any, Any, list[str]]:
    """(browser, page, problems): the playground loaded and ready, Chromium started with
    ``extra_args`` and granted ``permissions``; ``problems`` collects page errors and every
    response of 400 or more."""
    browser = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=str(CHROMIUM),
        headless=True,
        args=[*CHROMIUM_ARGS, *extra_args],
        viewport={"width": 1100, "height": 720},
        accept_downloads=True,
        permissions=list(permissions),
    )
    page = browser.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.goto(f"{base_url}/")
    page.wait_for_function("() => window.playground && window.playground.ready", timeout=15000)
    return browser, page, problems
