"""The composition root: settings pick one adapter per port; the use cases get them injected.
HTTP and CLI both start here."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pluggy

from avatar_service.adapters.renderer.temp_folder import TempFolder
from avatar_service.core.auth import parse_env_keys
from avatar_service.core.errors import AvatarServiceError
from avatar_service.core.ports import (
    Aligner,
    BlobStore,
    JobQueue,
    KeyStore,
    PhoneRecognizer,
    Renderer,
    SpeechSynthesizer,
    Store,
    WebhookSender,
)
from avatar_service.core.tenancy import DEFAULT_TENANT, TenantScope
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
from avatar_service.entrypoints.capabilities import check_capabilities
from avatar_service.entrypoints.characters import load_characters
from avatar_service.entrypoints.instrument import timed_renderer, timed_synthesizer
from avatar_service.entrypoints.jobs_wiring import build_jobs
from avatar_service.entrypoints.metrics import ServiceMetrics, watch_queues
from avatar_service.entrypoints.settings import Settings
from avatar_service.plugins.manager import build_registry, make_plugin_manager
from avatar_service.plugins.registry import AdapterRegistry
from avatar_service.plugins.visemes import build_viseme_sets


@dataclass(frozen=True, slots=True)
class Adapters:
    synthesizer: SpeechSynthesizer
    aligner: Aligner
    renderer: Renderer
    store: Store
    blobs: BlobStore
    jobs: JobQueue
    webhooks: WebhookSender
    recognizer: PhoneRecognizer

    def by_port(self) -> dict[str, Any]:
        return {
            "tts": self.synthesizer, "aligner": self.aligner, "renderer": self.renderer,
            "store": self.store, "blobs": self.blobs, "jobs": self.jobs,
            "webhooks": self.webhooks, "recognizer": self.recognizer,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class CheckResult:
    port: str
    adapter: str
    ok: bool
    detail: str


@dataclass(frozen=True, slots=True)
class Container:
    """Everything an entrypoint needs; built once per process, acting in ``tenant``
    (``for_tenant`` gives the same services acting in another one)."""

    settings: Settings
    plugin_manager: pluggy.PluginManager
    registry: AdapterRegistry
    adapters: Adapters
    speech: SpeechUseCases
    streaming: StreamingSpeech
    avatars: AvatarUseCases
    rendering: RenderUseCases
    assets: AssetUseCases
    gc: GarbageCollector
    backup: Backup
    keys: KeyUseCases
    metrics: ServiceMetrics
    jobs: JobUseCases
    recognition: RecognitionUseCases
    tenant: TenantScope = DEFAULT_TENANT

    def for_tenant(self, tenant: TenantScope) -> Container:
        """The services acting in ``tenant`` (``ALL_TENANTS``: across tenants): records and
        blobs are that tenant's; adapters, settings, keys and metrics are shared. Cheap: a
        handful of objects per call."""
        if tenant == self.tenant:
            return self
        if tenant is None:  # reads across tenants (``core.tenancy.acting_scope``)
            store, blobs = self.adapters.store.scoped(None), self.adapters.blobs
            limits = self.settings.core_limits()
            return replace(
                self,
                tenant=None,
                avatars=AvatarUseCases(store, blobs),
                assets=AssetUseCases(blobs, store, limits, tenant=None),
                jobs=self.jobs.for_tenant(None),
            )
        speech, rendering, avatars, assets = _tenant_use_cases(self, tenant)
        return replace(
            self,
            tenant=tenant,
            speech=speech,
            recognition=self.recognition.with_speech(speech),
            rendering=rendering,
            avatars=avatars,
            assets=assets,
            jobs=self.jobs.for_tenant(tenant),
        )

    def close(self) -> None:
        """Release what adapters hold (worker pools, connections); each optional ``close()``.
        The job queue goes first, so its workers stop before the store they write to."""
        adapters = self.adapters.by_port()
        for adapter in [adapters.pop("jobs"), *adapters.values()]:
            close = getattr(adapter, "close", None)
            if callable(close):
                close()

    def check(self) -> list[CheckResult]:
        """Run every adapter's ``check()``, then the capability checks (the WebSocket, ...); a
        failure is reported, never raised."""
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


def _tenant_use_cases(
    container: Container, tenant: str
) -> tuple[SpeechUseCases, RenderUseCases, AvatarUseCases, AssetUseCases]:
    """Speech, rendering, avatar and asset use cases over ``tenant``'s records and blobs."""
    base = container.adapters
    store, blobs = base.store.scoped(tenant), base.blobs.scoped(tenant)
    limits = container.settings.core_limits()
    speech = container.speech.with_storage(store, blobs)
    rendering = container.rendering.with_storage(store, blobs, speech)
    return speech, rendering, AvatarUseCases(store, blobs), AssetUseCases(blobs, store, limits)


def adapter_names(settings: Settings) -> dict[str, str]:
    return {
        "tts": settings.tts, "aligner": settings.aligner, "renderer": settings.renderer,
        "store": settings.store, "blobs": settings.blobs, "jobs": settings.jobs,
        "webhooks": settings.webhooks, "recognizer": settings.recognizer,
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
        store=built["store"], blobs=built["blobs"], jobs=built["jobs"],
        webhooks=built["webhooks"], recognizer=built["recognizer"],
    )  # fmt: skip
    limits = settings.core_limits()
    viseme_sets = build_viseme_sets(pm, settings.visemes.tables)
    metrics = ServiceMetrics()
    engine = str(getattr(adapters.synthesizer, "PLUGIN_NAME", settings.tts))
    synthesizer = timed_synthesizer(adapters.synthesizer, metrics, engine)
    renderer = timed_renderer(adapters.renderer, metrics)
    speech = SpeechUseCases(
        synthesizer, adapters.aligner, adapters.store, adapters.blobs, limits,
        loudness=settings.loudness_target(), viseme_sets=viseme_sets,
    )  # fmt: skip
    recognition = RecognitionUseCases(adapters.recognizer, speech, limits)
    rendering = RenderUseCases(
        renderer, adapters.store, adapters.blobs, speech, limits, characters=load_characters(),
        recognition=recognition,
    )  # fmt: skip

    def rendering_for(tenant: str) -> RenderUseCases:
        store, blobs = adapters.store.scoped(tenant), adapters.blobs.scoped(tenant)
        return rendering.with_storage(store, blobs, speech.with_storage(store, blobs))

    container = Container(
        settings=settings,
        plugin_manager=pm,
        registry=registry,
        adapters=adapters,
        speech=speech,
        streaming=StreamingSpeech(
            synthesizer,
            adapters.aligner,
            limits,
            max_sentence_chars=settings.stream.max_sentence_chars,
            min_clause_chars=settings.stream.min_clause_chars,
            loudness=settings.loudness_target(),
            viseme_sets=viseme_sets,
        ),
        avatars=AvatarUseCases(adapters.store, adapters.blobs),
        rendering=rendering,
        assets=AssetUseCases(adapters.blobs, adapters.store, limits),
        gc=GarbageCollector(
            adapters.store, adapters.blobs, [TempFolder(settings.storage.temp_dir)]
        ),
        backup=Backup(adapters.store),
        keys=KeyUseCases(
            adapters.store if isinstance(adapters.store, KeyStore) else None,
            parse_env_keys(settings.api_keys.get_secret_value()),
        ),
        metrics=metrics,
        jobs=build_jobs(
            settings, adapters.store, adapters.jobs, adapters.webhooks, rendering, rendering_for
        ),
        recognition=recognition,
    )
    watch_queues(container)
    return container
