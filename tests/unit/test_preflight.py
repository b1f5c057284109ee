"""``bootstrap.preflight``: the start-up checks of ``avatar serve`` load the plugins once and
open the configured store at most once, and only the store."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from avatar_service.core.errors import Invalid, Unavailable
from avatar_service.entrypoints import bootstrap
from avatar_service.entrypoints.settings import Settings
from avatar_service.plugins.registry import AdapterRegistry, UnknownAdapter

MOCKS = {
    "tts": "mock",
    "aligner": "mock",
    "renderer": "mock",
    "store": "memory",
    "blobs": "memory",
    "recognizer": "mock",
}


def settings(**changes: Any) -> Settings:
    return Settings(**{**MOCKS, "server": {"port": free_port()}, **changes}, _env_file=None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ports whose adapters preflight builds, and one entry per plugin manager made."""
    made: list[str] = []
    create, manager = AdapterRegistry.create, bootstrap.make_plugin_manager

    def counting_create(self: AdapterRegistry, port: str, name: str, config: Any) -> Any:
        made.append(port)
        return create(self, port, name, config)

    def counting_manager(**kwargs: Any) -> Any:
        made.append("plugin manager")
        return manager(**kwargs)

    monkeypatch.setattr(AdapterRegistry, "create", counting_create)
    monkeypatch.setattr(bootstrap, "make_plugin_manager", counting_manager)
    return made


def test_without_keys_the_store_is_opened_once_and_nothing_else(built: list[str]) -> None:
    bootstrap.preflight(settings())
    assert built == ["plugin manager", "store"]


def test_with_configured_keys_outside_production_the_store_is_not_opened(
    built: list[str],
) -> None:
    bootstrap.preflight(settings(api_keys="a-configured-key-0123456789"))
    assert built == ["plugin manager"]


def test_an_unknown_adapter_fails_before_the_store_is_opened(built: list[str]) -> None:
    with pytest.raises(UnknownAdapter):
        bootstrap.preflight(settings(renderer="nope"))
    assert built == ["plugin manager"]


def test_a_public_address_without_keys_is_refused() -> None:
    config = settings()
    server = config.server.model_copy(update={"host": "0.0.0.0"})
    with pytest.raises(Invalid) as refused:
        bootstrap.preflight(config.model_copy(update={"server": server}))
    assert refused.value.field == "host"


def test_a_busy_port_is_refused_first(built: list[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        config = settings(renderer="nope")
        server = config.server.model_copy(update={"port": busy.getsockname()[1]})
        with pytest.raises(Unavailable, match="in use"):
            bootstrap.preflight(config.model_copy(update={"server": server}))
    assert built == []
