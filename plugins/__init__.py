"""Plugins: hookspecs, the plugin manager and the adapter registry.

Plugin authors import ``hookimpl`` from here::

    from avatar_service.plugins import hookimpl

    @hookimpl
    def avatar_register_synthesizers(register):
        register("sine", lambda settings: SineSynthesizer())
"""

from avatar_service.plugins.hookspecs import Factory, Register, hookimpl, hookspec
from avatar_service.plugins.registry import (
    AdapterRegistry,
    DuplicateAdapter,
    PluginError,
    UnknownAdapter,
)

__all__ = [
    "AdapterRegistry",
    "DuplicateAdapter",
    "Factory",
    "PluginError",
    "Register",
    "UnknownAdapter",
    "hookimpl",
    "hookspec",
]
