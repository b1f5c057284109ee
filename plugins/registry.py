"""The adapter registry: which factory each plugin registered under which name, per port."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pydantic

from avatar_service.plugins.errors import (
    DuplicateAdapter,
    InvalidOptions,
    PluginError,
    UnknownAdapter,
)
from avatar_service.plugins.hookspecs import PORT_HOOKS
from avatar_service.plugins.options import OptionsModel, validate_options

__all__ = [
    "AdapterRegistry",
    "DuplicateAdapter",
    "InvalidOptions",
    "PluginError",
    "Registration",
    "UnknownAdapter",
]


@dataclass(frozen=True, slots=True)
class Registration:
    port: str
    name: str
    factory: Callable[[Any], Any]
    """Called with the validated ``options`` when the adapter has them, else with the
    settings."""
    plugin: str
    options: OptionsModel | None = None


@dataclass
class AdapterRegistry:
    """Adapter factories keyed by port (``tts``, ``aligner``, ``renderer``, ``store``,
    ``blobs``) and name."""

    _entries: dict[str, dict[str, Registration]] = field(
        default_factory=lambda: {port: {} for port in PORT_HOOKS}
    )

    def add(
        self,
        port: str,
        name: str,
        factory: Callable[[Any], Any],
        plugin: str,
        options: OptionsModel | None = None,
    ) -> None:
        if port not in self._entries:
            raise PluginError(f"unknown port {port!r}; ports: {', '.join(self._entries)}")
        if not isinstance(name, str) or not name:
            raise PluginError(f"plugin {plugin} registered a {port} adapter without a name")
        if not callable(factory):
            raise PluginError(
                f"plugin {plugin} registered {port} adapter {name!r} without a factory"
            )
        if options is not None and not (
            isinstance(options, type) and issubclass(options, pydantic.BaseModel)
        ):
            raise PluginError(
                f"plugin {plugin} registered {port} adapter {name!r} with options that are not "
                "a pydantic model class"
            )
        existing = self._entries[port].get(name)
        if existing is not None:
            raise DuplicateAdapter(
                f"{port} adapter {name!r} is registered by both {existing.plugin} and {plugin}; "
                "uninstall one of them"
            )
        self._entries[port][name] = Registration(port, name, factory, plugin, options)

    def names(self, port: str) -> list[str]:
        return sorted(self._entries[port])

    def registrations(self) -> list[Registration]:
        return [reg for port in self._entries.values() for reg in port.values()]

    def require(self, port: str, name: str) -> Registration:
        """The registration of ``name`` for ``port``; ``UnknownAdapter`` lists the known names."""
        registration = self._entries[port].get(name)
        if registration is None:
            available = ", ".join(self.names(port)) or "none"
            raise UnknownAdapter(
                f"no {port} adapter named {name!r} (set by AVATAR_{port.upper()}); "
                f"available: {available}. A plugin package may provide it: pip install it."
            )
        return registration

    def options_of(self, port: str, name: str, settings: Any) -> Any:
        """The validated options of adapter ``name`` for ``port`` (``None`` when it registered
        none); ``UnknownAdapter`` or ``InvalidOptions`` when they cannot be had."""
        registration = self.require(port, name)
        if registration.options is None:
            return None
        return validate_options(registration.options, name, getattr(settings, "options", {}))

    def create(self, port: str, name: str, settings: Any) -> Any:
        """Build the adapter ``name`` for ``port``; it must satisfy the port's Protocol. Its
        factory receives its validated options when it registered an options model, else
        ``settings``."""
        registration = self.require(port, name)
        options = self.options_of(port, name, settings)
        adapter = registration.factory(settings if options is None else options)
        protocol = PORT_HOOKS[port][1]
        if not isinstance(adapter, protocol):
            raise PluginError(
                f"{port} adapter {name!r} from {registration.plugin} does not implement "
                f"{protocol.__name__}"
            )
        return adapter
