"""Typed adapter options: a pydantic model an adapter registers with
``register(name, factory, options=Model)``, validated from ``AVATAR_OPTIONS__<NAME>__*``.

The raw values come from the settings' ``options`` mapping (environment, ``.env`` and
``--env-file`` alike); the adapter's section is its name upper-cased, with every character
that cannot appear in an environment variable name as ``_`` (``my-voice`` ->
``AVATAR_OPTIONS__MY_VOICE__*``).
"""

from __future__ import annotations

import contextlib
import json
import re
import types
from collections.abc import Mapping
from typing import Any, Union, get_args, get_origin

import pydantic

from avatar_service.plugins.errors import InvalidOptions

OptionsModel = type[pydantic.BaseModel]
ENV_PREFIX = "AVATAR_OPTIONS__"
COMPLEX_ORIGINS = (list, dict, set, frozenset, tuple)


def options_section(name: str) -> str:
    """The key of adapter ``name`` in the settings' ``options`` (``my-voice`` -> ``my_voice``)."""
    return re.sub(r"[^a-z0-9_]", "_", name.lower())


def option_env(name: str, option: str) -> str:
    """The environment variable of one option: ``AVATAR_OPTIONS__<NAME>__<OPTION>``."""
    return f"{ENV_PREFIX}{options_section(name).upper()}__{option.upper()}"


def raw_options(options: Mapping[str, Any], name: str) -> dict[str, Any]:
    """The values set for adapter ``name`` (every key that maps to its section, merged)."""
    section = options_section(name)
    merged: dict[str, Any] = {}
    for key, values in options.items():
        if options_section(str(key)) == section and isinstance(values, Mapping):
            merged.update(values)
    return merged


def validate_options(model: OptionsModel, name: str, options: Mapping[str, Any]) -> Any:
    """``model`` validated from the values set for adapter ``name``; ``InvalidOptions`` names
    each bad option and its problem."""
    raw = decode_json_values(model, raw_options(options, name))
    try:
        return model.model_validate(raw)
    except pydantic.ValidationError as exc:
        section = options_section(name)
        errors = [
            {**error, "loc": ("options", section, *error["loc"])}
            for error in exc.errors(include_url=False, include_input=False, include_context=False)
        ]
        raise InvalidOptions(errors) from None


def decode_json_values(model: OptionsModel, raw: Mapping[str, Any]) -> dict[str, Any]:
    """``raw`` with the strings given to list, dict and model fields parsed as JSON, as the
    built-in settings read them from the environment (``'["a", "b"]'``)."""
    decoded = dict(raw)
    for name, field in model.model_fields.items():
        key = field.alias or name
        value = decoded.get(key)
        if isinstance(value, str) and _is_complex(field.annotation):
            with contextlib.suppress(ValueError):  # else the model names the wrong type
                decoded[key] = json.loads(value)
    return decoded


def _is_complex(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return any(_is_complex(arg) for arg in get_args(annotation) if arg is not type(None))
    if origin in COMPLEX_ORIGINS or annotation in COMPLEX_ORIGINS:
        return True
    return isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel)


def type_name(annotation: Any) -> str:
    """A short readable name of a field's type: ``float``, ``SecretStr | None``,
    ``list[str]``, ``Literal['a', 'b']``."""
    if isinstance(annotation, type) and not get_args(annotation):
        return annotation.__name__
    # repr() gives dotted paths ("pydantic.types.SecretStr | None"): keep the last part.
    return re.sub(r"(?<![\w'\".])(?:[A-Za-z_]\w*\.)+(?=[A-Za-z_])", "", repr(annotation))
