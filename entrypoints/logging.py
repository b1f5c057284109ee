"""structlog set-up: JSON lines in production, readable console lines in development; every
line carries the bound context (``request_id`` during a request)."""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

import msgspec
import structlog
from structlog.typing import EventDict

from avatar_service.entrypoints.settings import MASK, Settings, mask_secrets


def _json_line(event: Any, **_: Any) -> str:
    """One JSON object per line via msgspec (several times faster than ``json.dumps``); values
    it cannot encode are written as their ``repr``, as ``JSONRenderer``'s default does."""
    return _ENCODER.encode(event).decode()


_ENCODER = msgspec.json.Encoder(enc_hook=repr)
_SENSITIVE = re.compile(r"authorization|x[-_]api[-_]key|cookie", re.I)


def redact_secrets(_logger: Any, _method: str, event: EventDict) -> EventDict:
    """Mask values under secret-sounding keys (``authorization``, ``x-api-key``, ``*token*``,
    ``*secret*``, ``*password*``, ...) at any depth, and credentials in URLs."""
    for key, value in event.items():
        if key == "event":
            continue
        if _SENSITIVE.search(key) and value:
            event[key] = MASK
        elif isinstance(value, dict | list | str):
            event[key] = mask_secrets(_headers_masked(value), key)
    return event


def _headers_masked(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: MASK if _SENSITIVE.search(str(k)) else _headers_masked(v) for k, v in value.items()
        }
    return value


def configure_logging(settings: Settings) -> None:
    """Route both structlog and standard-library logging through one renderer on stderr."""
    fmt = settings.log.format
    if fmt == "auto":
        fmt = "json" if settings.env == "production" else "console"
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer(serializer=_json_line)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        redact_secrets,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
    ]
    structlog.configure(
        # Level first: a line below the level costs one check, not the whole chain.
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    # The renderers never show the caller, thread or process a stdlib record carries: skip
    # collecting them (a stack walk and a few lookups per line, twice per structlog line).
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log.level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
