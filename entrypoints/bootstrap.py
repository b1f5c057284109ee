"""The composition root: settings pick one adapter per port; the use cases get them injected.
HTTP and CLI both start here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pluggy

from avatar_service.core.errors import AvatarServiceError
from avatar_service.core.ports import Aligner, BlobStore, Renderer, SpeechSynthesizer, Store
from avatar_service.core.usecases.assets import AssetUseCases
from avatar_service.core.usecases.avatars import AvatarUseCases
from avatar_service.core.usecases.backup import Backup
from avatar_service.core.usecases.gc import GarbageCollector
from avatar_service.core.usecases.rendering import RenderUseCases
from avatar_service.core.usecases.speech import SpeechUseCases
from avatar_service.entrypoints.characters import load_characters
from avatar_service.entrypoints.settings import Settings
from avatar_service.plugins.manager import build_registry, make_plugin_manager
from avatar_service.plugins.registry import AdapterRegistry


@dataclass(frozen=True, slots=True)
class Adapters:
    synthesizer: SpeechSynthesizer
    aligner: Aligner
    renderer: Renderer
    store: Store
    blobs: BlobStore

    def by_port(self) -> dict[str, Any]:
        return {
            "tts": self.synthesizer, "aligner": self.aligner, "renderer": self.renderer,
            "store": self.store, "blobs": self.blobs,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class CheckResult:
    port: str
    adapter: str
    ok: bool
    detail: str


@dataclass(frozen=True, slots=True)
class Container:
    """Everything an entrypoint needs; built once per process."""

    settings: Settings
    plugin_manager: pluggy.PluginManager
    registry: AdapterRegistry
    adapters: Adapters
    speech: SpeechUseCases
    avatars: AvatarUseCases
    rendering: RenderUseCases
    assets: AssetUseCases
    gc: GarbageCollector
    backup: Backup

    def close(self) -> None:
        """Release what adapters hold (worker pools, connections); each optional ``close()``."""
        for adapter in self.adapters.by_port().values():
            close = getattr(adapter, "close", None)
            if callable(close):
                close()

    def check(self) -> list[CheckResult]:
        """Run every adapter's ``check()``; a failure is reported, never raised."""
        results = []
        names = adapter_names(self.settings)
        for port, adapter in self.adapters.by_port().items():
            try:
                adapter.check()
            except AvatarServiceError as exc:
                results.append(CheckResult(port, names[port], False, exc.message))
            except Exception as exc:  # a broken adapter must not break the health report
                results.append(
                    CheckResult(port, names[port], False, f"{type(exc).__name__}: {exc}")
                )
            else:
                results.append(CheckResult(port, names[port], True, "ok"))
        return results


def adapter_names(settings: Settings) -> dict[str, str]:
    return {
        "tts": settings.tts, "aligner": settings.aligner, "renderer": settings.renderer,
        "store": settings.store, "blobs": settings.blobs,
    }  # fmt: skip


def bootstrap(
    settings: Settings | None = None, *, plugin_manager: pluggy.PluginManager | None = None
) -> Container:
    """Build the container. Raises ``PluginError`` (e.g. ``UnknownAdapter``) on a bad setting."""
    settings = settings or Settings()
    pm = plugin_manager or make_plugin_manager()
    registry = build_registry(pm)
    built = {
        port: registry.create(port, name, settings)
        for port, name in adapter_names(settings).items()
    }
    adapters = Adapters(
        synthesizer=built["tts"], aligner=built["aligner"], renderer=built["renderer"],
        store=built["store"], blobs=built["blobs"],
    )  # fmt: skip
    limits = settings.core_limits()
    speech = SpeechUseCases(
        adapters.synthesizer, adapters.aligner, adapters.store, adapters.blobs, limits
    )
    return Container(
        settings=settings,
        plugin_manager=pm,
        registry=registry,
        adapters=adapters,
        speech=speech,
        avatars=AvatarUseCases(adapters.store, adapters.blobs),
        rendering=RenderUseCases(
            adapters.renderer,
            adapters.store,
            adapters.blobs,
            speech,
            limits,
            characters=load_characters(),
        ),
        assets=AssetUseCases(adapters.blobs, adapters.store, limits),
        gc=GarbageCollector(adapters.store, adapters.blobs),
        backup=Backup(adapters.store),
    )
