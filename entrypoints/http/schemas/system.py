"""Bodies of the operational routes (health, readiness, plugins) and their mappings."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from avatar_service.entrypoints.adapter_options import OptionInfo
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


class OptionBody(msgspec.Struct):
    """A typed option of an adapter, secrets masked."""

    port: Annotated[str, Meta(description="Port of the adapter (tts, aligner, ...).")]
    adapter: Annotated[str, Meta(description="Adapter the option belongs to.")]
    name: Annotated[str, Meta(description="Option name.")]
    env: Annotated[str, Meta(description="Environment variable that sets it.")]
    type: Annotated[str, Meta(description="Its type, as the adapter declares it.")]
    required: Annotated[bool, Meta(description="Whether it has no default.")]
    default: Annotated[Any, Meta(description="Default value (JSON); null when required.")]
    value: Annotated[Any, Meta(description="Current value (JSON); null when it does not validate.")]
    problem: Annotated[
        str | None,
        Meta(description="Why the set value does not validate (only an unselected adapter's)."),
    ]


class PluginBody(msgspec.Struct):
    """A loaded plugin, what it registered (port -> adapter names) and its adapters'
    typed options."""

    name: str
    distribution: str | None
    version: str | None
    hooks: list[str]
    registered: dict[str, list[str]]
    options: Annotated[
        list[OptionBody], Meta(description="Typed options of the adapters it registered.")
    ]


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


def to_plugins_response(
    infos: list[PluginInfo], adapters: dict[str, str], options: list[OptionInfo]
) -> PluginsResponse:
    plugins = [
        PluginBody(
            name=i.name,
            distribution=i.distribution,
            version=i.version,
            hooks=list(i.hooks),
            registered={port: list(names) for port, names in i.registered.items()},
            options=[
                OptionBody(**{k: v for k, v in asdict(o).items() if k != "plugin"})
                for o in options
                if o.plugin == i.name
            ],
        )
        for i in infos
    ]
    return PluginsResponse(plugins=plugins, adapters=dict(adapters))
