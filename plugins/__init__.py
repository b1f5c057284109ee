"""Plugins: hookspecs, the plugin manager and the adapter registry.

Plugin authors import ``hookimpl`` from here::

    from avatar_service.plugins import hookimpl

    @hookimpl
    def avatar_register_synthesizers(register):
        register("sine", lambda options: SineSynthesizer(options.frequency), options=SineOptions)

where ``SineOptions`` is a pydantic model read from ``AVATAR_OPTIONS__SINE__*``.
"""

from avatar_service.plugins.hookspecs import Factory, Register, hookimpl, hookspec
from avatar_service.plugins.registry import (
    AdapterRegistry,
    DuplicateAdapter,
    InvalidOptions,
    PluginError,
    UnknownAdapter,
)

__all__ = [
    "AdapterRegistry",
    "DuplicateAdapter",
    "Factory",
    "InvalidOptions",
    "PluginError",
    "Register",
    "UnknownAdapter",
    "hookimpl",
    "hookspec",
]
