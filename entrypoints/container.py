"""What every entrypoint works with: the adapters the settings picked and the use cases wired
to them, each built on first use (``bootstrap`` builds all of them at once for the server)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

from avatar_service.core.errors import AvatarServiceError
from avatar_service.core.tenancy import DEFAULT_TENANT, TenantScope
from avatar_service.entrypoints.adapter_set import Adapters, adapter_names
from avatar_service.entrypoints.deferred import deferred

if TYPE_CHECKING:
    import pluggy

    from avatar_service.core.ports import BlobStore, Renderer, SpeechSynthesizer, Store
    from avatar_service.core.ports.audio import AudioCodec
    from avatar_service.core.usecases.assets import AssetUseCases
    from avatar_service.core.usecases.avatars import AvatarUseCases
    from avatar_service.core.usecases.backup import Backup
    from avatar_service.core.usecases.gc import GarbageCollector
    from avatar_service.core.usecases.jobs import JobUseCases
    from avatar_service.core.usecases.keys import KeyUseCases
    from avatar_service.core.usecases.recognition import RecognitionUseCases
    from avatar_service.core.usecases.rendering import RenderUseCases
    from avatar_service.core.usecases.speech import SpeechUseCases
    from avatar_service.core.usecases.streaming import StreamingSpeech
    from avatar_service.core.visemesets import VisemeSetRegistry
    from avatar_service.entrypoints.metrics import ServiceMetrics
    from avatar_service.entrypoints.settings import Settings
    from avatar_service.plugins.registry import AdapterRegistry

__all__ = ["CheckResult", "Container"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CheckResult:
    port: str
    adapter: str
    ok: bool
    detail: str


class Container:
    """Everything an entrypoint needs, acting in ``tenant`` (``for_tenant`` gives the same
    services acting in another one). Each service is built on first use and kept; building is
    thread-safe. A ``lazy`` container (one-shot commands) also hands its use cases the voice,
    alignment, recognition and render engines as stand-ins built on first call, and does not
    time them into ``metrics`` (nothing exports those)."""

    def __init__(
        self,
        settings: Settings,
        plugin_manager: pluggy.PluginManager,
        registry: AdapterRegistry,
        adapters: Adapters,
        *,
        tenant: TenantScope = DEFAULT_TENANT,
        parent: Container | None = None,
        lazy: bool = False,
    ) -> None:
        self.settings, self.plugin_manager, self.registry = settings, plugin_manager, registry
        self.adapters, self.tenant, self._parent, self._lazy = adapters, tenant, parent, lazy
        self._made: dict[str, Any] = {}
        self._lock = threading.RLock()

    def _once(self, name: str, build: Callable[[], T]) -> T:
        with self._lock:
            if name not in self._made:
                self._made[name] = build()
            return cast("T", self._made[name])

    def for_tenant(self, tenant: TenantScope) -> Container:
        """The services acting in ``tenant`` (``ALL_TENANTS``: across tenants): records and
        blobs are that tenant's; adapters, settings, keys and metrics are shared. Cheap: its
        services are made from these on first use."""
        if tenant == self.tenant:
            return self
        return Container(
            self.settings,
            self.plugin_manager,
            self.registry,
            self.adapters,
            tenant=tenant,
            parent=self,
            lazy=self._lazy,
        )

    def build(self) -> Container:
        """Build every adapter and service now (a server does, so that a broken setting
        stops it at start-up); return ``self``."""
        self.adapters.by_port()
        for name in SERVICES:
            getattr(self, name)
        return self

    # -- services ------------------------------------------------------------------------

    @property
    def metrics(self) -> ServiceMetrics:
        return self._once("metrics", self._metrics)

    @property
    def audio_codec(self) -> AudioCodec:
        return self._once("audio_codec", self._audio_codec)

    @property
    def speech(self) -> SpeechUseCases:
        return self._once("speech", self._speech)

    @property
    def streaming(self) -> StreamingSpeech:
        return self._once("streaming", self._streaming)

    @property
    def recognition(self) -> RecognitionUseCases:
        return self._once("recognition", self._recognition)

    @property
    def rendering(self) -> RenderUseCases:
        return self._once("rendering", self._rendering)

    @property
    def avatars(self) -> AvatarUseCases:
        return self._once("avatars", self._avatars)

    @property
    def assets(self) -> AssetUseCases:
        return self._once("assets", self._assets)

    @property
    def gc(self) -> GarbageCollector:
        return self._once("gc", self._gc)

    @property
    def backup(self) -> Backup:
        return self._once("backup", self._backup)

    @property
    def keys(self) -> KeyUseCases:
        return self._once("keys", self._keys)

    @property
    def jobs(self) -> JobUseCases:
        return self._once("jobs", self._jobs)

    def close(self) -> None:
        """Release what the built adapters hold (worker pools, connections); each optional
        ``close()``. The job queue goes first, so its workers stop before the store they
        write to. Adapters never built are not built to be closed."""
        built = self.adapters.built()
        for adapter in [built.pop("jobs", None), *built.values()]:
            close = getattr(adapter, "close", None)
            if callable(close):
                close()

    def check(self) -> list[CheckResult]:
        """Run every adapter's ``check()``, then the capability checks (the WebSocket, ...); a
        failure is reported, never raised."""
        from avatar_service.entrypoints.capabilities import check_capabilities

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
        results += [CheckResult(c.name, c.provider, c.ok, c.detail) for c in check_capabilities()]
        return results

    # -- wiring --------------------------------------------------------------------------
    # A tenant's container (``_parent`` set) makes its own services over that tenant's
    # records and blobs, and takes the others from its parent.

    def _scoped(self) -> tuple[Store, BlobStore]:
        """This tenant's records and blobs (across tenants: every record, blobs unscoped)."""
        if self.tenant is None:
            return self.adapters.store.scoped(None), self.adapters.blobs
        return self.adapters.store.scoped(self.tenant), self.adapters.blobs.scoped(self.tenant)

    def _metrics(self) -> ServiceMetrics:
        if self._parent is not None:
            return self._parent.metrics
        from avatar_service.entrypoints.metrics import ServiceMetrics, watch_queues

        metrics = ServiceMetrics()
        watch_queues(metrics, self.adapters)
        return metrics

    def _audio_codec(self) -> AudioCodec:
        if self._parent is not None:
            return self._parent.audio_codec
        from avatar_service.adapters.audio.codec import FileAudioCodec

        return FileAudioCodec(self.settings.ffmpeg_path, self.settings.storage.temp_dir)

    def _engine(self, port: str) -> Any:
        """The adapter of ``port`` for a use case: itself, or in a lazy container a stand-in
        that builds it on first call."""
        if self._lazy:
            return deferred(lambda: self.adapters.get(port))
        return self.adapters.get(port)

    def _synthesizer(self) -> SpeechSynthesizer:
        """The configured synthesizer, timed into the metrics (unless lazy)."""
        if self._lazy:
            return cast("SpeechSynthesizer", self._engine("tts"))
        from avatar_service.entrypoints.instrument import timed_synthesizer

        synthesizer, settings = self.adapters.synthesizer, self.settings
        engine = str(getattr(synthesizer, "PLUGIN_NAME", settings.tts))
        return timed_synthesizer(synthesizer, self.metrics, engine)

    def _renderer(self) -> Renderer:
        if self._lazy:
            return cast("Renderer", self._engine("renderer"))
        from avatar_service.entrypoints.instrument import timed_renderer

        return timed_renderer(self.adapters.renderer, self.metrics)

    def _viseme_sets(self) -> VisemeSetRegistry:
        from avatar_service.plugins.visemes import build_viseme_sets

        return build_viseme_sets(self.plugin_manager, self.settings.visemes.tables)

    def _speech(self) -> SpeechUseCases:
        if self._parent is not None:
            if self.tenant is None:
                return self._parent.speech
            return self._parent.speech.with_storage(*self._scoped())
        from avatar_service.core.usecases.speech import SpeechUseCases

        settings, adapters = self.settings, self.adapters
        return SpeechUseCases(
            self._once("synthesizer", self._synthesizer),
            self._engine("aligner"),
            adapters.store,
            adapters.blobs,
            settings.core_limits(),
            loudness=settings.loudness_target(),
            viseme_sets=self._once("viseme_sets", self._viseme_sets),
        )

    def _streaming(self) -> StreamingSpeech:
        if self._parent is not None:
            return self._parent.streaming
        from avatar_service.core.usecases.streaming import StreamingSpeech

        settings = self.settings
        return StreamingSpeech(
            self._once("synthesizer", self._synthesizer),
            self._engine("aligner"),
            settings.core_limits(),
            max_sentence_chars=settings.stream.max_sentence_chars,
            min_clause_chars=settings.stream.min_clause_chars,
            loudness=settings.loudness_target(),
            viseme_sets=self._once("viseme_sets", self._viseme_sets),
        )

    def _recognition(self) -> RecognitionUseCases:
        if self._parent is not None:
            if self.tenant is None:
                return self._parent.recognition
            return self._parent.recognition.with_speech(self.speech)
        from avatar_service.core.usecases.recognition import RecognitionUseCases

        limits = self.settings.core_limits()
        return RecognitionUseCases(self._engine("recognizer"), self.speech, limits)

    def _rendering(self) -> RenderUseCases:
        if self._parent is not None:
            if self.tenant is None:
                return self._parent.rendering
            return self._parent.rendering.with_storage(*self._scoped(), self.speech)
        from avatar_service.core.usecases.rendering import RenderUseCases
        from avatar_service.entrypoints.characters import load_characters

        adapters = self.adapters
        return RenderUseCases(
            self._renderer(),
            adapters.store,
            adapters.blobs,
            self.speech,
            self.settings.core_limits(),
            characters=load_characters(),
            recognition=self.recognition,
        )

    def _avatars(self) -> AvatarUseCases:
        from avatar_service.core.usecases.avatars import AvatarUseCases

        if self._parent is None:
            return AvatarUseCases(self.adapters.store, self.adapters.blobs)
        store, blobs = self._scoped()
        return AvatarUseCases(store, blobs)

    def _assets(self) -> AssetUseCases:
        from avatar_service.core.usecases.assets import AssetUseCases

        limits = self.settings.core_limits()
        if self._parent is None:
            return AssetUseCases(self.adapters.blobs, self.adapters.store, limits)
        store, blobs = self._scoped()
        if self.tenant is None:
            return AssetUseCases(blobs, store, limits, tenant=None)
        return AssetUseCases(blobs, store, limits)

    def _gc(self) -> GarbageCollector:
        if self._parent is not None:
            return self._parent.gc
        from avatar_service.adapters.renderer.temp_folder import TempFolder
        from avatar_service.core.usecases.gc import GarbageCollector

        temp = TempFolder(self.settings.storage.temp_dir)
        return GarbageCollector(self.adapters.store, self.adapters.blobs, [temp])

    def _backup(self) -> Backup:
        if self._parent is not None:
            return self._parent.backup
        from avatar_service.core.usecases.backup import Backup

        return Backup(self.adapters.store)

    def _keys(self) -> KeyUseCases:
        if self._parent is not None:
            return self._parent.keys
        from avatar_service.core.auth import parse_env_keys
        from avatar_service.core.ports import KeyStore
        from avatar_service.core.usecases.keys import KeyUseCases

        store = self.adapters.store
        configured = parse_env_keys(self.settings.api_keys.get_secret_value())
        return KeyUseCases(store if isinstance(store, KeyStore) else None, configured)

    def _jobs(self) -> JobUseCases:
        if self._parent is not None:
            return self._parent.jobs.for_tenant(self.tenant)
        from avatar_service.entrypoints.jobs_wiring import build_jobs

        def rendering_for(tenant: str) -> RenderUseCases:
            return self.for_tenant(tenant).rendering

        adapters = self.adapters
        return build_jobs(
            self.settings,
            adapters.store,
            adapters.jobs,
            adapters.webhooks,
            self.rendering,
            rendering_for,
        )


SERVICES = (
    "metrics",
    "audio_codec",
    "speech",
    "streaming",
    "recognition",
    "rendering",
    "avatars",
    "assets",
    "gc",
    "backup",
    "keys",
    "jobs",
)
"""Every service of a container, in the order ``build`` makes them."""
