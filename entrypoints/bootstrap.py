"""The composition root: settings pick one adapter per port; the use cases get them injected.
HTTP and CLI both start here, and ``avatar serve`` checks here, once, that it can start."""

from __future__ import annotations

import errno
import ipaddress
import socket
from pathlib import Path
from typing import TYPE_CHECKING

from avatar_service.core.auth import parse_env_keys
from avatar_service.core.errors import Invalid, Unavailable
from avatar_service.core.ports import KeyStore
from avatar_service.entrypoints.adapter_set import Adapters, adapter_names
from avatar_service.entrypoints.container import CheckResult, Container
from avatar_service.entrypoints.settings import Settings
from avatar_service.plugins.manager import build_registry, make_plugin_manager

if TYPE_CHECKING:
    import pluggy

    from avatar_service.adapters.store.sqlmodel.migrator import SchemaMigrator
    from avatar_service.plugins.registry import AdapterRegistry

__all__ = [
    "CheckResult",
    "Container",
    "adapter_names",
    "bootstrap",
    "download_voice",
    "preflight",
    "schema_migrator",
]


def bootstrap(
    settings: Settings | None = None,
    *,
    plugin_manager: pluggy.PluginManager | None = None,
    lazy: bool = False,
) -> Container:
    """Build the container. Raises ``PluginError`` (e.g. ``UnknownAdapter``) on a bad setting.
    With ``lazy``, adapter names are checked but each adapter and service is built when first
    used (a command builds only what it needs: see ``Container``); otherwise all are built
    now."""
    settings = settings or Settings()
    pm = plugin_manager or make_plugin_manager()
    registry = build_registry(pm)
    for port, name in adapter_names(settings).items():
        registry.options_of(port, name, settings)  # registered, and its options valid
    container = Container(settings, pm, registry, Adapters(registry, settings), lazy=lazy)
    return container if lazy else container.build()


def preflight(settings: Settings) -> None:
    """What ``avatar serve`` checks before it listens on ``settings.server`` host and port,
    each failure one error that names the fix: the port is free; every configured adapter
    name is registered and its options are valid; in production the database schema is at
    head (``Unavailable`` naming ``avatar db upgrade``); and a non-loopback address is served
    only with an API key configured or stored, unless ``AVATAR_ALLOW_ANONYMOUS=true``
    (``Invalid``, field ``host``). The plugins are loaded and the store is opened once, and
    only the store."""
    host, port = settings.server.host, settings.server.port
    check_port_free(host, port)
    registry = build_registry(make_plugin_manager())
    for port_name, name in adapter_names(settings).items():
        registry.options_of(port_name, name, settings)  # registered, and its options valid
    keys_configured = bool(parse_env_keys(settings.api_keys.get_secret_value()))
    if keys_configured and not (settings.store == "sqlmodel" and settings.env == "production"):
        return  # nothing to read from the store
    stored_keys = _stored_keys(registry, settings)  # in production: refuses a stale schema
    if not keys_configured and not stored_keys:
        _refuse_anonymous_exposure(settings, host)


def check_port_free(host: str, port: int) -> None:
    """Raise ``Unavailable`` when another program listens on ``host:port``, before anything
    starts. Other bind problems (an address of another machine) are uvicorn's to report."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise Invalid(f"--host {host!r} does not resolve ({exc.strerror})", field="host") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise Unavailable(
                    f"port {port} on {host} is in use by another program: stop it, or serve on "
                    "another port with --port (or AVATAR_SERVER__PORT)"
                ) from None


def _stored_keys(registry: AdapterRegistry, settings: Settings) -> bool:
    """Whether the configured store holds (or once held) any key; no other adapter is built."""
    store = registry.create("store", settings.store, settings)
    try:
        return isinstance(store, KeyStore) and store.has_keys()
    finally:
        close = getattr(store, "close", None)
        if callable(close):
            close()


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _refuse_anonymous_exposure(settings: Settings, host: str) -> None:
    """With no API key: refuse (``Invalid``, field ``host``) a non-loopback ``host`` unless
    anonymous access is allowed; warn when serving anonymously."""
    import structlog

    log = structlog.get_logger("avatar_service.serve")
    if is_loopback(host):
        log.warning(
            "serving without API keys: any local process may call every route",
            host=host,
            fix="set AVATAR_API_KEYS or run `avatar keys create`",
        )
        return
    if not settings.allow_anonymous:
        raise Invalid(
            f"refusing to listen on {host} without API keys: set AVATAR_API_KEYS or run "
            "`avatar keys create`, or set AVATAR_ALLOW_ANONYMOUS=true to serve anonymously",
            field="host",
        )
    log.warning("serving anonymously on a non-loopback address", host=host)


def schema_migrator(settings: Settings | None = None) -> SchemaMigrator:
    """The migrations of the sqlmodel store's database (``DATABASE_URL`` of ``settings``;
    without settings, only the head and the history); ``close()`` it when done."""
    from avatar_service.adapters.store.sqlmodel.migrator import SchemaMigrator

    url = None if settings is None else settings.database_url.get_secret_value()
    return SchemaMigrator(url)


def download_voice(
    source: str, folder: Path, *, sha256: str | None = None, gender: str | None = None
) -> list[Path]:
    """Fetch the Piper voice ``source`` names into ``folder`` (see the piper adapter's
    ``download_voice`` for the contract); the paths written."""
    from avatar_service.adapters.tts.voice_download import download_voice as fetch

    return fetch(source, folder, sha256=sha256, gender=gender)
