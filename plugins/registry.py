"""The adapter registry: which factory each plugin registered under which name, per port."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from avatar_service.plugins.hookspecs import PORT_HOOKS, Factory


class PluginError(Exception):
    """A plugin or adapter configuration error, found at start-up; the message says the fix."""


class UnknownAdapter(PluginError):
    """Settings name an adapter that no installed plugin registered."""


class DuplicateAdapter(PluginError):
    """Two registrations used the same name for the same port."""


@dataclass(frozen=True, slots=True)
class Registration:
    port: str
    name: str
    factory: Factory[Any]
    plugin: str


@dataclass
class AdapterRegistry:
    """Adapter factories keyed by port (``tts``, ``aligner``, ``renderer``, ``store``,
    ``blobs``) and name."""

    _entries: dict[str, dict[str, Registration]] = field(
        default_factory=lambda: {port: {} for port in PORT_HOOKS}
    )

    def add(self, port: str, name: str, factory: Factory[Any], plugin: str) -> None:
        if port not in self._entries:
            raise PluginError(f"unknown port {port!r}; ports: {', '.join(self._entries)}")
        if not isinstance(name, str) or not name:
            raise PluginError(f"plugin {plugin} registered a {port} adapter without a name")
        if not callable(factory):
            raise PluginError(
                f"plugin {plugin} registered {port} adapter {name!r} without a factory"
            )
        existing = self._entries[port].get(name)
        if existing is not None:
            raise DuplicateAdapter(
                f"{port} adapter {name!r} is registered by both {existing.plugin} and {plugin}; "
                "uninstall one of them"
            )
        self._entries[port][name] = Registration(port, name, factory, plugin)

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

    def create(self, port: str, name: str, settings: Any) -> Any:
        """Build the adapter ``name`` for ``port``; it must satisfy the port's Protocol."""
        registration = self.require(port, name)
        adapter = registration.factory(settings)
        protocol = PORT_HOOKS[port][1]
        if not isinstance(adapter, protocol):
            raise PluginError(
                f"{port} adapter {name!r} from {registration.plugin} does not implement "
                f"{protocol.__name__}"
            )
        return adapter
