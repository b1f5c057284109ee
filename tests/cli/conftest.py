"""Each CLI test runs in an empty directory with only the mock adapters set, and leaves the
process environment and logging set-up as it found them."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from click.testing import CliRunner
from support import MOCK_ADAPTERS, as_env

SETTING_ALIASES = (
    "DATABASE_URL",
    "PIPER_MODEL_PATH",
    "RENDERS_DIR",
    "AUDIOS_DIR",
    "ASSETS_DIR",
    "NODE_PATH",
    "FFMPEG_PATH",
    "MAX_RENDER_TIME",
    "MAX_FILE_SIZE",
)


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)  # no stray ./.env, nothing written into the checkout
    for key in list(os.environ):
        if key.startswith("AVATAR_") or key in SETTING_ALIASES:
            monkeypatch.delenv(key)
    # The CLI tests run on the mock adapters; the real adapters have CLI tests of their own.
    for variable, name in as_env(MOCK_ADAPTERS).items():
        monkeypatch.setenv(variable, name)
    environ = dict(os.environ)  # the CLI writes --env-file and --log-level into os.environ
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    os.environ.clear()
    os.environ.update(environ)
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
