"""Logging for one-shot commands, finished when first needed.

The full set-up (``logging.configure_logging``) loads structlog and its renderers, a good part
of a short command's start-up. A command gets the level and a stand-in root handler at once;
the set-up is finished by the first record that reaches the stand-in, or by ``finish_if_needed``
as soon as anything has loaded structlog (its loggers must never log with structlog's own
defaults, which print to stdout).
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from avatar_service.entrypoints.settings import Settings


class OnDemandLogging:
    """The logging set-up of one process, finished once."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.finished = False

    def start(self) -> None:
        """The level now; the rest on the first record (at once if structlog is loaded)."""
        if self.finish_if_needed():
            return
        root = logging.getLogger()
        root.handlers[:] = [_FinishOnFirstRecord(self)]
        root.setLevel(self.settings.log.level.upper())

    def finish(self) -> None:
        if not self.finished:
            from avatar_service.entrypoints.logging import configure_logging

            self.finished = True
            configure_logging(self.settings)

    def finish_if_needed(self) -> bool:
        """Finish the set-up if structlog has been loaded; whether it is finished."""
        if "structlog" in sys.modules:
            self.finish()
        return self.finished


class _FinishOnFirstRecord(logging.Handler):
    """The root handler until the set-up is finished: the first record finishes it and goes
    on to the real handlers."""

    def __init__(self, setup: OnDemandLogging) -> None:
        super().__init__()
        self._setup = setup

    def emit(self, record: logging.LogRecord) -> None:
        self._setup.finish()
        for handler in logging.getLogger().handlers:
            if handler is not self and record.levelno >= handler.level:
                handler.handle(record)
