"""The typed options adapters registered (``register(name, factory, options=Model)``) as
``avatar plugins`` and ``avatar config`` show them: name, type, default and current value,
secrets masked as the settings are."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

import pydantic

from avatar_service.entrypoints.bootstrap import adapter_names
from avatar_service.entrypoints.settings import Settings, mask_secrets
from avatar_service.plugins.errors import InvalidOptions
from avatar_service.plugins.options import (
    option_env,
    options_section,
    raw_options,
    type_name,
    validate_options,
)
from avatar_service.plugins.registry import AdapterRegistry


@dataclass(frozen=True, slots=True)
class OptionInfo:
    """One option of one adapter. ``default`` and ``value`` are JSON values, secrets masked;
    ``value`` is ``None`` and ``problem`` says why when the option does not validate."""

    port: str
    adapter: str
    plugin: str
    name: str
    env: str
    type: str
    required: bool
    default: Any
    value: Any
    problem: str | None


def describe_options(registry: AdapterRegistry, settings: Settings) -> list[OptionInfo]:
    """Every option of every adapter with an options model. The configured adapters' options
    must validate (else ``InvalidOptions``, as for a bad built-in setting); another adapter's
    bad value is only reported in its ``problem``, so an installed plugin that is not used
    cannot stop the service."""
    selected = adapter_names(settings)
    infos: list[OptionInfo] = []
    for registration in registry.registrations():
        model = registration.options
        if model is None:
            continue
        if selected.get(registration.port) == registration.name:
            values = validate_options(model, registration.name, settings.options)
            problems: dict[str, str] = {}
        else:
            values, problems = _validate_leniently(model, registration.name, settings.options)
        current = values.model_dump(mode="json") if values is not None else {}
        for name, field in model.model_fields.items():
            infos.append(
                OptionInfo(
                    port=registration.port,
                    adapter=registration.name,
                    plugin=registration.plugin,
                    name=name,
                    env=option_env(registration.name, field.alias or name),
                    type=type_name(field.annotation),
                    required=field.is_required(),
                    default=None if field.is_required() else _masked(name, _default(field)),
                    value=None if name in problems else _masked(name, current.get(name)),
                    problem=problems.get(name),
                )
            )
    return infos


def _validate_leniently(
    model: type[pydantic.BaseModel], adapter: str, options: dict[str, Any]
) -> tuple[pydantic.BaseModel | None, dict[str, str]]:
    """(the options without the bad ones, or ``None``; option -> problem)."""
    try:
        return validate_options(model, adapter, options), {}
    except InvalidOptions as exc:
        problems: dict[str, str] = {}
        for error in exc.errors:
            _, _, *where = error["loc"]  # ("options", section, option, ...)
            inside = ".".join(str(part) for part in where[1:])
            message = f"{inside}: {error['msg']}" if inside else error["msg"]
            for name in [str(where[0])] if where else list(model.model_fields):
                problems.setdefault(name, message)
    rest = {k: v for k, v in raw_options(options, adapter).items() if k not in problems}
    try:
        return validate_options(model, adapter, {options_section(adapter): rest}), problems
    except InvalidOptions:
        return None, problems


def _default(field: Any) -> Any:
    default = field.get_default(call_default_factory=True)
    try:
        return pydantic.TypeAdapter(field.annotation).dump_python(default, mode="json")
    except (pydantic.PydanticSchemaGenerationError, pydantic.ValidationError, TypeError):
        return str(default)


def _masked(name: str, value: Any) -> Any:
    return mask_secrets({name: value})[name]


def settings_with_options(settings: Settings, options: list[OptionInfo]) -> dict[str, Any]:
    """``settings.public_dict()`` whose ``options`` hold each typed adapter's current values
    (defaults included, secrets masked by type as well as by name)."""
    data = settings.public_dict()
    typed: dict[str, dict[str, Any]] = {}
    for o in options:
        typed.setdefault(options_section(o.adapter), {})[o.name] = o.value
    untyped = {
        key: values
        for key, values in data.get("options", {}).items()
        if options_section(key) not in typed
    }
    data["options"] = {**untyped, **typed}
    return data


def option_notes(options: list[OptionInfo]) -> dict[str, str]:
    """``options.<name>.<option>`` -> ``type, default X`` (or ``type, required``), plus the
    problem of an option that does not validate: the notes ``avatar config`` prints."""
    notes = {}
    for o in options:
        note = f"{o.type}, required" if o.required else f"{o.type}, default {_text(o.default)}"
        if o.problem:
            note += f"; invalid: {o.problem}"
        notes[f"options.{options_section(o.adapter)}.{o.name}"] = note
    return notes


def plugin_options(options: list[OptionInfo], plugin: str) -> list[dict[str, Any]]:
    """The options of ``plugin``'s adapters as JSON objects (``avatar plugins --json``)."""
    return [asdict(o) for o in options if o.plugin == plugin]


def option_tables(options: list[OptionInfo], plugin: str) -> list[tuple[str, list[list[str]]]]:
    """(title, rows) of each of ``plugin``'s adapters with options, for ``avatar plugins``."""
    tables: dict[tuple[str, str], list[list[str]]] = {}
    for o in options:
        if o.plugin != plugin:
            continue
        rows = tables.setdefault((o.port, o.adapter), [["option", "type", "default", "value"]])
        default = "required" if o.required else _text(o.default)
        value = f"invalid: {o.problem}" if o.problem else _text(o.value)
        rows.append([o.name, o.type, default, value])
    return [
        (f"{port} {adapter} options (AVATAR_OPTIONS__{options_section(adapter).upper()}__*)", rows)
        for (port, adapter), rows in tables.items()
    ]


def _text(value: Any) -> str:
    return value if isinstance(value, str) and value else json.dumps(value)
