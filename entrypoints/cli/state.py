"""What every command shares: the settings and the container, each made on first use (so
``--help`` needs neither), and the ``--keep`` rule of one-shot commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from avatar_service.entrypoints.bootstrap import Container
    from avatar_service.entrypoints.logging_on_demand import OnDemandLogging
    from avatar_service.entrypoints.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


class CliState:
    """Settings and container, built on first use; the container builds each adapter when a
    command first uses it, and logging is finished when something first logs
    (``logging_on_demand``). ``tenant`` (``--tenant``) is the tenant commands act in (``*``:
    read across tenants)."""

    def __init__(self, tenant: str | None = None) -> None:
        self.tenant = tenant
        self._settings: Settings | None = None
        self._container: Container | None = None
        self._logging: OnDemandLogging | None = None
        self._discard = False

    def settings(self) -> Settings:
        if self._settings is None:
            from avatar_service.entrypoints.logging_on_demand import OnDemandLogging
            from avatar_service.entrypoints.settings import Settings

            self._settings = Settings()
            self._logging = OnDemandLogging(self._settings)
            self._logging.start()
        return self._settings

    def logging_now(self) -> None:
        """Finish the logging set-up now (long-running commands, which log as they go)."""
        self.settings()
        assert self._logging is not None
        self._logging.finish()

    def container(self) -> Container:
        if self._container is None:
            from avatar_service.core.tenancy import DEFAULT_TENANT, acting_scope
            from avatar_service.entrypoints.bootstrap import bootstrap

            settings = self.settings()
            if self._discard:
                settings = discarding(settings)
            container = bootstrap(settings, lazy=True)
            # Plugins and adapters may load structlog: its loggers need the finished set-up.
            assert self._logging is not None
            finish_if_needed = self._logging.finish_if_needed
            finish_if_needed()
            container.adapters.on_build(lambda port: finish_if_needed())
            # The operator's CLI acts as an admin: any tenant, or '*' to read across them.
            scope = acting_scope(DEFAULT_TENANT, True, self.tenant)
            self._container = container.for_tenant(scope)
        return self._container

    def discard_records(self, keep: bool) -> None:
        """Unless ``keep``, the container (not built yet) holds records and blobs in memory,
        so a one-shot command writes nothing but the output it was asked for."""
        assert self._container is None, "decide before the container is built"
        self._discard = not keep


DISCARDING_ADAPTERS = {"store": "memory", "blobs": "memory", "jobs": "embedded"}
"""Adapters of a one-shot command run without ``--keep``."""


def discarding(settings: Settings) -> Settings:
    """``settings`` for a one-shot command that keeps nothing: records and blobs in memory,
    and a render's temporary files in a folder of this process, removed when it exits."""
    import atexit
    import shutil
    import tempfile
    from pathlib import Path

    temp = Path(tempfile.mkdtemp(prefix="avatar-"))
    atexit.register(shutil.rmtree, temp, ignore_errors=True)
    storage = settings.storage.model_copy(update={"temp_dir": temp})
    return settings.model_copy(update={**DISCARDING_ADAPTERS, "storage": storage})


def keep_option(f: F) -> F:
    return click.option(
        "--keep",
        is_flag=True,
        help="Also store what is made (audio, renders, records) in AVATAR_DATA_DIR, as the "
        "service does; by default only the output is written.",
    )(f)


pass_state = click.make_pass_decorator(CliState, ensure=True)
