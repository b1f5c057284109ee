"""The viseme-set registry: sets registered through ``avatar_register_viseme_sets`` by every
plugin (built-ins first), then the custom tables of the settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pluggy

from avatar_service.core.errors import Invalid
from avatar_service.core.visemesets import VisemeSetRegistry, VisemeSetSpec, custom_set
from avatar_service.plugins.registry import PluginError


def build_viseme_sets(
    pm: pluggy.PluginManager, tables: Sequence[Mapping[str, Any]] = ()
) -> VisemeSetRegistry:
    """Every plugin's viseme sets plus ``tables``; ``PluginError`` names the plugin or table
    at fault (a duplicate name, a declaration that is not a ``VisemeSetSpec``, a bad table)."""
    registry = VisemeSetRegistry()
    for impl in pm.hook.avatar_register_viseme_sets.get_hookimpls():
        plugin = pm.get_name(impl.plugin) or repr(impl.plugin)

        def register(spec: VisemeSetSpec, *, _plugin: str = plugin) -> None:
            try:
                registry.add(spec)
            except Invalid as exc:
                raise PluginError(f"plugin {_plugin}: {exc.message}") from exc

        try:
            impl.function(register=register)
        except PluginError:
            raise
        except Exception as exc:
            raise PluginError(f"plugin {plugin} failed to register viseme sets: {exc}") from exc
    for index, table in enumerate(tables):
        try:
            registry.add(custom_set(table))
        except Invalid as exc:
            raise PluginError(f"AVATAR_VISEMES__TABLES[{index}]: {exc.message}") from exc
    return registry
