"""pytest plugin (entry point ``avatar_service_contracts``): registers the ``contract`` marker.

It does nothing else, so installing avatar-service never changes anyone else's test run.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "contract: a test inherited from an avatar-service port contract suite"
    )
