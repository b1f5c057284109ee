"""Errors of plugins and adapter configuration, found at start-up; each message says the fix."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class PluginError(Exception):
    """A plugin or adapter configuration error, found at start-up; the message says the fix."""


class UnknownAdapter(PluginError):
    """Settings name an adapter that no installed plugin registered."""


class DuplicateAdapter(PluginError):
    """Two registrations used the same name for the same port."""


class InvalidOptions(PluginError):
    """An adapter's options (``AVATAR_OPTIONS__<NAME>__*``) do not validate. The message has
    the shape of a bad built-in setting's: ``invalid settings: options.<name>.<option>:
    <problem>``; ``errors`` holds each one (``loc``, ``msg``, ``type``)."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self.errors = errors
        super().__init__("invalid settings: " + "; ".join(describe_error(e) for e in errors))


def describe_error(error: Mapping[str, Any]) -> str:
    """``options.<name>.<option>: <problem>`` of one of ``InvalidOptions.errors``."""
    return f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
