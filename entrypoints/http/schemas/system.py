"""Bodies of the operational routes (health, readiness, plugins) and their mappings."""

from __future__ import annotations

from typing import Literal

import msgspec

from avatar_service.entrypoints.bootstrap import CheckResult
from avatar_service.plugins.manager import PluginInfo


class HealthResponse(msgspec.Struct):
    status: Literal["ok"] = "ok"


class CheckBody(msgspec.Struct):
    """One port's adapter check: ``ok`` false means ``detail`` says what is missing."""

    port: str
    adapter: str
    ok: bool
    detail: str


class ReadyResponse(msgspec.Struct):
    status: Literal["ready", "unavailable"]
    checks: list[CheckBody]


class PluginBody(msgspec.Struct):
    """A loaded plugin and what it registered (port -> adapter names)."""

    name: str
    distribution: str | None
    version: str | None
    hooks: list[str]
    registered: dict[str, list[str]]


class PluginsResponse(msgspec.Struct):
    """Every plugin, built-in first, and the adapter selected for each port."""

    plugins: list[PluginBody]
    adapters: dict[str, str]


def to_ready_response(results: list[CheckResult]) -> ReadyResponse:
    checks = [CheckBody(r.port, r.adapter, r.ok, r.detail) for r in results]
    status: Literal["ready", "unavailable"] = (
        "ready" if all(c.ok for c in checks) else "unavailable"
    )
    return ReadyResponse(status=status, checks=checks)


def to_plugins_response(infos: list[PluginInfo], adapters: dict[str, str]) -> PluginsResponse:
    plugins = [
        PluginBody(
            name=i.name,
            distribution=i.distribution,
            version=i.version,
            hooks=list(i.hooks),
            registered={port: list(names) for port, names in i.registered.items()},
        )
        for i in infos
    ]
    return PluginsResponse(plugins=plugins, adapters=dict(adapters))
