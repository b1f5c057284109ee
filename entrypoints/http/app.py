"""The Litestar application factory: routes, problem handlers, request ids, OpenAPI."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

import anyio.to_thread
import structlog
from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Tag

from avatar_service.core.errors import AvatarServiceError
from avatar_service.entrypoints.bootstrap import Container, bootstrap
from avatar_service.entrypoints.http.auth import document_guard_responses
from avatar_service.entrypoints.http.bodylimit import BodyLimitMiddleware, route_limits
from avatar_service.entrypoints.http.controllers.apidocs import (
    ApiDocsAssetsController,
    docs_render_plugins,
)
from avatar_service.entrypoints.http.controllers.assets import AssetController
from avatar_service.entrypoints.http.controllers.avatars import AvatarController
from avatar_service.entrypoints.http.controllers.health import HealthController
from avatar_service.entrypoints.http.controllers.jobs import JobController
from avatar_service.entrypoints.http.controllers.listen import lipsync_listen
from avatar_service.entrypoints.http.controllers.media import MediaController
from avatar_service.entrypoints.http.controllers.playground import PlaygroundController
from avatar_service.entrypoints.http.controllers.plugins import PluginsController
from avatar_service.entrypoints.http.controllers.presets import PresetController
from avatar_service.entrypoints.http.controllers.recognition import RecognitionController
from avatar_service.entrypoints.http.controllers.records import RecordsController
from avatar_service.entrypoints.http.controllers.render import RenderController
from avatar_service.entrypoints.http.controllers.sessions import SessionController
from avatar_service.entrypoints.http.controllers.speech import SpeechController
from avatar_service.entrypoints.http.controllers.stream import lipsync_stream
from avatar_service.entrypoints.http.crosssite import (
    CrossSiteMiddleware,
    document_cross_site_responses,
    mark_json_routes,
    require_json_body,
)
from avatar_service.entrypoints.http.metrics import metrics_endpoint, request_observer
from avatar_service.entrypoints.http.middleware import RequestIdMiddleware
from avatar_service.entrypoints.http.problems import EXCEPTION_HANDLERS
from avatar_service.entrypoints.http.ratelimit import (
    TokenBuckets,
    access_guard,
    auth_failure_buckets,
)
from avatar_service.entrypoints.http.security import SecurityHeadersMiddleware, cors_config
from avatar_service.entrypoints.http.strictjson import strict_body_guard
from avatar_service.entrypoints.http.tenancy import provide_container
from avatar_service.entrypoints.http.timeouts import BodyTimeoutMiddleware
from avatar_service.entrypoints.http.wsclose import CloseAfterAcceptMiddleware
from avatar_service.entrypoints.jobs_wiring import start_embedded_workers
from avatar_service.entrypoints.logging import configure_logging
from avatar_service.entrypoints.settings import HttpSettings, Settings

JSON_BODY_LIMIT: int = HttpSettings.model_fields["json_body_limit"].default
"""Largest request body a JSON route accepts by default (``AVATAR_HTTP__JSON_BODY_LIMIT``)."""

_TAGS = [
    Tag(name="speech", description="Phonemes, lip sync and voices"),
    Tag(name="avatars", description="Avatars and their state"),
    Tag(name="media", description="Stored audio and renders"),
    Tag(name="render", description="Frames, talking videos and animations of an avatar"),
    Tag(name="jobs", description="Asynchronous renders: status, listing, cancellation"),
    Tag(name="assets", description="Uploaded files: list, download, upload, delete"),
    Tag(name="sessions", description="Sessions of an avatar"),
    Tag(name="presets", description="Named partial avatar states"),
    Tag(name="plugins", description="Installed plugins and selected adapters"),
    Tag(name="health", description="Liveness and readiness"),
]


def package_version() -> str:
    try:
        return version("avatar-service")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0.0.0"


def announce_voice(container: Container) -> None:
    """Say once which voice speaks by default, and what the voices want an operator to know
    (no neural voice installed, a model refused); never fails the start."""
    log = structlog.get_logger("avatar_service.voices")
    try:
        default = container.speech.default_voice()
        notices = container.speech.notices()
    except AvatarServiceError as exc:
        log.warning("no default voice", detail=exc.message)
        return
    if default is not None:
        kind = "neural" if default.neural else "formant"
        log.info("default voice", voice=default.voice_id, engine=default.engine, kind=kind)
    for notice in notices:
        log.warning(notice)


def _container_lifespan(
    settings: Settings | None,
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        """Build the container unless one was handed in; close what it built on shutdown."""
        if app.state.get("container") is not None:
            yield
            return
        container = await anyio.to_thread.run_sync(bootstrap, settings)
        app.state.container = container
        await anyio.to_thread.run_sync(announce_voice, container)
        try:
            await anyio.to_thread.run_sync(
                start_embedded_workers, container.jobs, container.settings
            )
            yield
        finally:
            await anyio.to_thread.run_sync(container.close)

    return lifespan


def create_app(container: Container | None = None, settings: Settings | None = None) -> Litestar:
    """The HTTP application over ``container``; without one, it is bootstrapped from
    ``settings`` (default: the environment) when the app starts up."""
    if container is not None:
        settings = container.settings
    settings = settings or Settings()
    http = settings.http
    buckets = TokenBuckets(http.rate_per_second, http.rate_burst)
    failures = auth_failure_buckets(http.auth_failure_limit, http.auth_failure_window)
    app = Litestar(
        route_handlers=[
            HealthController,
            SpeechController,
            AvatarController,
            MediaController,
            AssetController,
            PluginsController,
            SessionController,
            PresetController,
            RecordsController,
            RenderController,
            lipsync_stream,
            PlaygroundController,
            JobController,
            RecognitionController,
            lipsync_listen,
            metrics_endpoint,
            ApiDocsAssetsController,
        ],
        guards=[access_guard(buckets, failures, require_json_body)],
        before_request=strict_body_guard(settings.limits.max_json_depth),
        cors_config=cors_config(http),
        dependencies={"container": Provide(provide_container, sync_to_thread=False)},
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[_container_lifespan(settings)],
        state=State({"container": container}),
        request_max_body_size=http.json_body_limit,
        openapi_config=OpenAPIConfig(
            title="avatar-service",
            version=package_version(),
            description="Text to speech with phoneme, word and viseme timings, and talking "
            "avatars. Errors are application/problem+json (RFC 9457).",
            path="/schema",
            tags=_TAGS,
            render_plugins=docs_render_plugins(),
            create_examples=False,  # request bodies carry hand-written examples instead
            use_handler_docstrings=True,
        ),
        logging_config=None,
    )
    # Route middleware never sees unknown routes; wrapping the whole handler does.
    document_guard_responses(app)
    mark_json_routes(app)
    document_cross_site_responses(app)
    limited = BodyTimeoutMiddleware(
        BodyLimitMiddleware(app.asgi_handler, route_limits(settings), http.json_body_limit),
        settings.server.body_timeout,
    )
    checked = CloseAfterAcceptMiddleware(CrossSiteMiddleware(limited, settings))
    app.asgi_handler = RequestIdMiddleware(
        SecurityHeadersMiddleware(checked, http), observe=request_observer(app)
    )
    return app


def app_from_environment() -> Litestar:
    """For ``uvicorn --factory avatar_service.entrypoints.http.app:app_from_environment``:
    settings from the environment, logging configured, container built at start-up."""
    settings = Settings()
    configure_logging(settings)
    return create_app(settings=settings)
