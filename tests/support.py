"""What many test folders share: the rule for a missing requirement, and the mock adapters'
names.

A test that needs something the machine may lack (a server, Node's renderer, Chromium) calls
``require``: without it the test is skipped with the reason, except under ``CI=true`` where it
fails (CI must run every test, never skip one silently). ``tests/conftest.py`` puts this folder
on ``sys.path``: ``from support import require``.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
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
