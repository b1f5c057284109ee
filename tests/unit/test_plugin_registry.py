"""The plugin manager and adapter registry: attribution, unknown and duplicate names, typos."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pluggy
import pytest
from support import MOCK

from avatar_service.plugins import hookimpl
from avatar_service.plugins.manager import (
    BUILTIN_NAME,
    build_registry,
    describe_plugins,
    make_plugin_manager,
)
from avatar_service.plugins.registry import DuplicateAdapter, PluginError, UnknownAdapter


def _plugin(name: str, **hooks: Any) -> ModuleType:
    module = ModuleType(name)
    for hook_name, function in hooks.items():
        setattr(module, hook_name, hookimpl(function))
    return module


@pytest.fixture
def pm() -> pluggy.PluginManager:
    return make_plugin_manager(load_entrypoints=False)


def test_builtin_plugin_registers_an_adapter_for_every_port(pm: pluggy.PluginManager) -> None:
    registry = build_registry(pm)
    for port in ("tts", "aligner", "renderer", "store", "blobs"):
        assert registry.names(port), f"no built-in {port} adapter"
    builtin = {p.name: p for p in describe_plugins(pm, registry)}[BUILTIN_NAME]
    assert builtin.registered["tts"] == registry.names("tts")
    assert "avatar_register_stores" in builtin.hooks


def test_unknown_adapter_name_lists_the_available_ones(pm: pluggy.PluginManager) -> None:
    registry = build_registry(pm)
    with pytest.raises(UnknownAdapter, match=r"no tts adapter named 'nope'.*available: .*mock"):
        registry.create("tts", "nope", settings=None)


def test_duplicate_names_are_an_error_naming_both_plugins(pm: pluggy.PluginManager) -> None:
    def again(register: Any) -> None:
        register(MOCK, lambda settings: None)

    pm.register(_plugin("copycat", avatar_register_synthesizers=again), name="copycat")
    with pytest.raises(DuplicateAdapter, match=f"{BUILTIN_NAME}.*copycat"):
        build_registry(pm)


def test_a_factory_returning_a_non_adapter_is_refused(pm: pluggy.PluginManager) -> None:
    def broken(register: Any) -> None:
        register("broken", lambda settings: object())

    pm.register(_plugin("broken", avatar_register_renderers=broken), name="broken")
    with pytest.raises(PluginError, match="does not implement Renderer"):
        build_registry(pm).create("renderer", "broken", settings=None)


def test_misspelt_hook_fails_loudly_at_load(monkeypatch: pytest.MonkeyPatch) -> None:
    typo = _plugin("typo", avatar_register_synthesisers=lambda register: None)

    class FakeEntryPoint:
        name, group, value = "typo", "avatar_service", "typo"
        dist = None

        def load(self) -> ModuleType:
            return typo

    monkeypatch.setattr("importlib.metadata.distributions", lambda: [_FakeDist([FakeEntryPoint()])])
    with pytest.raises(PluginError, match="unknown hook"):
        make_plugin_manager(load_entrypoints=True)


class _FakeDist:
    def __init__(self, entry_points: list[Any]) -> None:
        self.entry_points = entry_points
        self.metadata = {"name": "typo-plugin"}
        self.version = "0.0.1"

    @property
    def name(self) -> str:
        return "typo-plugin"
