"""The fixture plugin distribution (tests/fixtures/avatar-sine-voice), installed by
``tests/conftest.py`` before the run starts, and a server of the playground."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fixture_plugin import install_sine_plugin
from playground_page import serving_playground


@pytest.fixture(scope="session")
def sine_plugin_installed() -> str:
    """The installed version of ``avatar-sine-voice``."""
    return install_sine_plugin()


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """The playground's server (``playground_page.serving_playground``), one per module."""
    with serving_playground() as url:
        yield url
