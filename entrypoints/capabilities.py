"""Capabilities the service advertises besides its adapters, checked by ``/ready`` and
``avatar doctor`` like an adapter is: today the lip-sync WebSocket, which uvicorn serves only
with a WebSocket library installed (without one it answers the upgrade with 405)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

WEBSOCKET_LIBRARIES = ("websockets", "wsproto")
"""What uvicorn's ``ws="auto"`` looks for, in its order."""


@dataclass(frozen=True, slots=True)
class CapabilityCheck:
    """``name`` is the capability, ``provider`` what provides it (or ``none``)."""

    name: str
    provider: str
    ok: bool
    detail: str


def check_websocket() -> CapabilityCheck:
    """Usable when uvicorn's automatic WebSocket protocol finds a library, as ``avatar serve``
    will at start-up."""
    try:
        auto = importlib.import_module("uvicorn.protocols.websockets.auto")
    except ImportError as exc:
        return CapabilityCheck("websocket", "none", False, f"uvicorn cannot load: {exc}")
    if getattr(auto, "AutoWebSocketsProtocol", None) is None:
        return CapabilityCheck(
            "websocket",
            "none",
            False,
            "no WebSocket library: /v1/lipsync/stream and the playground's Speak answer 405; "
            "fix: pip install websockets (a dependency of avatar-service: reinstall it)",
        )
    for name in WEBSOCKET_LIBRARIES:
        try:
            return CapabilityCheck("websocket", name, True, f"{name} {version(name)}")
        except PackageNotFoundError:
            continue
    return CapabilityCheck("websocket", "uvicorn", True, "ok")


def check_capabilities() -> list[CapabilityCheck]:
    return [check_websocket()]
