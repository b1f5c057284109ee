"""The fixture plugin distribution (tests/fixtures/avatar-sine-voice), installed by
``tests/conftest.py`` before the run starts."""

from __future__ import annotations

import pytest
from fixture_plugin import install_sine_plugin


@pytest.fixture(scope="session")
def sine_plugin_installed() -> str:
    """The installed version of ``avatar-sine-voice``."""
    return install_sine_plugin()
