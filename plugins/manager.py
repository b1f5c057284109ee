"""The plugin manager: built-ins plus the ``avatar_service`` entry-point group, collected into
an ``AdapterRegistry`` with each registration attributed to its plugin."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pluggy

from avatar_service.plugins import builtin, hookspecs
from avatar_service.plugins.options import OptionsModel
from avatar_service.plugins.registry import AdapterRegistry, PluginError

ENTRY_POINT_GROUP = hookspecs.PROJECT
BUILTIN_NAME = "avatar_service.builtin"
BLOCK_ENV = "AVATAR_DISABLE_PLUGINS"
"""Set to ``1`` to load no third-party plugins (built-ins only)."""


def make_plugin_manager(*, load_entrypoints: bool | None = None) -> pluggy.PluginManager:
    """A manager with the hookspecs, the built-in plugin and (unless blocked) every installed
    plugin; a hookimpl that matches no hookspec fails here (``check_pending``)."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    pm.register(builtin, name=BUILTIN_NAME)
    if load_entrypoints is None:
        load_entrypoints = os.environ.get(BLOCK_ENV, "") not in ("1", "true", "yes")
    if load_entrypoints:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"a plugin implements an unknown hook: {exc}") from exc
    return pm


def build_registry(pm: pluggy.PluginManager) -> AdapterRegistry:
    """Call every registration hook, recording which plugin registered what."""
    registry = AdapterRegistry()
    for port, (hook_name, _protocol) in hookspecs.PORT_HOOKS.items():
        caller = getattr(pm.hook, hook_name)
        for impl in caller.get_hookimpls():
            plugin = pm.get_name(impl.plugin) or repr(impl.plugin)

            def register(
                name: str,
                factory: Any,
                *,
                options: OptionsModel | None = None,
                _port: str = port,
                _plugin: str = plugin,
            ) -> None:
                registry.add(_port, name, factory, _plugin, options)

            try:
                impl.function(register=register)
            except PluginError:
                raise
            except Exception as exc:
                raise PluginError(
                    f"plugin {plugin} failed to register {port} adapters: {exc}"
                ) from exc
    return registry


@dataclass(frozen=True, slots=True)
class PluginInfo:
    """One loaded plugin, its distribution and what it registered (port -> names)."""

    name: str
    distribution: str | None
    version: str | None
    hooks: tuple[str, ...]
    registered: dict[str, list[str]]


def describe_plugins(pm: pluggy.PluginManager, registry: AdapterRegistry) -> list[PluginInfo]:
    """Every plugin in load order, built-in first."""
    dists = {id(plugin): dist for plugin, dist in pm.list_plugin_distinfo()}
    infos = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        dist = dists.get(id(plugin))
        registered: dict[str, list[str]] = {}
        for reg in registry.registrations():
            if reg.plugin == name:
                registered.setdefault(reg.port, []).append(reg.name)
        hooks = tuple(sorted(caller.name for caller in pm.get_hookcallers(plugin) or []))
        infos.append(
            PluginInfo(
                name=name,
                distribution=dist.project_name if dist is not None else _own_distribution(name),
                version=dist.version if dist is not None else _own_version(name),
                hooks=hooks,
                registered={port: sorted(names) for port, names in registered.items()},
            )
        )
    return infos


def _own_distribution(name: str) -> str | None:
    return "avatar-service" if name == BUILTIN_NAME else None


def _own_version(name: str) -> str | None:
    if name != BUILTIN_NAME:
        return None
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("avatar-service")
    except PackageNotFoundError:
        return None
