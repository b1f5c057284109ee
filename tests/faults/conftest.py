"""Fault injection fixtures: containers over mock speech, SQLite and file blobs in a temporary
folder; throwaway PostgreSQL databases behind a relay that can cut them off."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fault_kit import Build, TcpProxy
from sqlalchemy.engine import make_url
from support import MOCK_SPEECH

from avatar_service.entrypoints.bootstrap import Container, bootstrap
from avatar_service.entrypoints.settings import HttpSettings, Settings
from avatar_service.plugins.manager import make_plugin_manager


def _adapter_fixtures() -> ModuleType:
    """tests/adapters/conftest.py, for its throwaway PostgreSQL databases."""
    path = Path(__file__).parents[1] / "adapters" / "conftest.py"
    spec = importlib.util.spec_from_file_location("adapter_fixtures", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_postgres_database = _adapter_fixtures().make_postgres_database


@pytest.fixture
def build(tmp_path: Path) -> Iterator[Build]:
    """``build(**settings)``: a container over mock speech, SQLite and file blobs under
    ``tmp_path`` (settings override any of it); closed after the test."""
    made: list[Container] = []

    def make(**overrides: Any) -> Container:
        values: dict[str, Any] = {
            **MOCK_SPEECH,
            "store": "sqlmodel",
            "blobs": "fsspec",
            "database_url": f"sqlite:///{tmp_path / 'avatar.db'}",
            "assets_dir": str(tmp_path / "assets"),
            "audios_dir": str(tmp_path / "audios"),
            "renders_dir": str(tmp_path / "renders"),
            "http": HttpSettings(rate_per_second=0),
        }
        values.update(overrides)
        settings = Settings(**values, _env_file=None)
        container = bootstrap(settings, plugin_manager=make_plugin_manager(load_entrypoints=False))
        made.append(container)
        return container

    yield make
    for container in made:
        container.close()


@pytest.fixture
def proxied_postgres(make_postgres_database: Callable[[], str]) -> Iterator[tuple[str, TcpProxy]]:
    """A fresh PostgreSQL database reached through a ``TcpProxy``: (URL, proxy)."""
    url = make_url(make_postgres_database())
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    proxy.start()
    yield url.set(host="127.0.0.1", port=proxy.port).render_as_string(False), proxy
    proxy.stop()
