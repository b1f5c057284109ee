"""One adapter per port, as the settings name them, each made by the plugin registry when
first used."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from avatar_service.core.ports import (
        Aligner,
        BlobStore,
        JobQueue,
        PhoneRecognizer,
        Renderer,
        SpeechSynthesizer,
        Store,
        WebhookSender,
    )
    from avatar_service.entrypoints.settings import Settings
    from avatar_service.plugins.registry import AdapterRegistry

PORTS = ("tts", "aligner", "renderer", "store", "blobs", "jobs", "webhooks", "recognizer")


def adapter_names(settings: Settings) -> dict[str, str]:
    """The adapter the settings name for each port."""
    return {port: str(getattr(settings, port)) for port in PORTS}


class Adapters:
    """One adapter per port, made by the registry when first used and kept."""

    def __init__(self, registry: AdapterRegistry, settings: Settings) -> None:
        self._registry, self._settings = registry, settings
        self._names = adapter_names(settings)
        self._built: dict[str, Any] = {}
        self._lock = threading.RLock()
        self._listeners: list[Callable[[str], object]] = []

    def get(self, port: str) -> Any:
        with self._lock:
            if port not in self._built:
                name = self._names[port]
                self._built[port] = self._registry.create(port, name, self._settings)
                for listener in self._listeners:
                    listener(port)
            return self._built[port]

    def on_build(self, listener: Callable[[str], object]) -> None:
        """Call ``listener(port)`` after each adapter is built from now on."""
        self._listeners.append(listener)

    def by_port(self) -> dict[str, Any]:
        """Every port's adapter, each built now if it was not yet."""
        return {port: self.get(port) for port in PORTS}

    def built(self) -> dict[str, Any]:
        """The adapters built so far, by port."""
        with self._lock:
            return dict(self._built)

    @property
    def synthesizer(self) -> SpeechSynthesizer:
        return cast("SpeechSynthesizer", self.get("tts"))

    @property
    def aligner(self) -> Aligner:
        return cast("Aligner", self.get("aligner"))

    @property
    def renderer(self) -> Renderer:
        return cast("Renderer", self.get("renderer"))

    @property
    def store(self) -> Store:
        return cast("Store", self.get("store"))

    @property
    def blobs(self) -> BlobStore:
        return cast("BlobStore", self.get("blobs"))

    @property
    def jobs(self) -> JobQueue:
        return cast("JobQueue", self.get("jobs"))

    @property
    def webhooks(self) -> WebhookSender:
        return cast("WebhookSender", self.get("webhooks"))

    @property
    def recognizer(self) -> PhoneRecognizer:
        return cast("PhoneRecognizer", self.get("recognizer"))
