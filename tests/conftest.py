"""The whole suite's conftest: loading it puts ``tests/`` on ``sys.path`` (pytest's default
import mode), so every folder's tests import ``support``.

Before any test runs, and before pytest-xdist starts its worker processes, the fixture plugin
distribution is installed: every process of a run then sees the same installed plugins (a
plugin installed mid-run is listed by the entry points of processes already running, which
cannot import it)."""

from __future__ import annotations

import pytest
from fixture_plugin import install_sine_plugin


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the main process; workers start after it
        install_sine_plugin()
