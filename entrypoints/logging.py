"""structlog set-up: JSON lines in production, readable console lines in development; every
line carries the bound context (``request_id`` during a request).

No secret reaches a line in any format: values under secret-sounding keys are masked, and so
are the values of secret-looking query parameters (``?api_key=``, ``token``, ``signature``,
...) anywhere in a line, the message included (uvicorn's own lines quote request targets).
uvicorn's access log is off (the application writes one access line per request, HTTP or
WebSocket), and so are its per-WebSocket lines. Console lines show control characters
escaped (``\x1b``), so a hostile URL or header cannot repaint or forge lines on a terminal;
JSON escapes them by itself."""

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


_SECRET_PARAMETER = re.compile(
    r"(?P<name>(?:^|(?<=[?&;\s\"']))[\w.~%-]*?"
    r"(?:key|token|secret|passw|pwd|auth|signature|sig|credential)"
    r"[\w.~%-]*=)(?P<value>[^&;\s\"'#]+)",
    re.IGNORECASE,
)
_QUERY_HINT = re.compile(r"[?&;][^=\s]*=")


def mask_query_secrets(text: str) -> str:
    """``text`` with the values of secret-looking query parameters masked
    (``/ws?api_key=abc&x=1`` -> ``/ws?api_key=**********&x=1``)."""
    if "=" not in text or not _QUERY_HINT.search(text):
        return text
    return _SECRET_PARAMETER.sub(lambda m: m.group("name") + MASK, text)


def redact_secrets(_logger: Any, _method: str, event: EventDict) -> EventDict:
    """Mask values under secret-sounding keys (``authorization``, ``x-api-key``, ``*token*``,
    ``*secret*``, ``*password*``, ...) at any depth, credentials in URLs, and secret-looking
    query parameters in any string (the message too)."""
    for key, value in event.items():
        if key == "event":
            if isinstance(value, str):
                event[key] = mask_query_secrets(value)
            continue
        if _SENSITIVE.search(key) and value:
            event[key] = MASK
        elif isinstance(value, dict | list | str):
            event[key] = _query_masked(mask_secrets(_headers_masked(value), key))
    return event


def _query_masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_query_secrets(value)
    if isinstance(value, dict):
        return {k: _query_masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_query_masked(v) for v in value]
    return value


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_OR_NEWLINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _escaped(text: str, keep_newlines: bool) -> str:
    pattern = _CONTROL if keep_newlines else _CONTROL_OR_NEWLINE
    return pattern.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def escape_control_characters(_logger: Any, _method: str, event: EventDict) -> EventDict:
    """Control characters (ESC, NUL, CR, LF, ...) in every string value as ``\\xNN``
    escapes; a formatted traceback keeps its line breaks."""
    for key, value in event.items():
        if isinstance(value, str):
            event[key] = _escaped(value, keep_newlines=key in ("exception", "stack"))
        elif isinstance(value, dict | list | tuple):
            event[key] = _escaped(repr(value), keep_newlines=False)
    return event


class _QuietWebSockets(logging.Filter):
    """Drops uvicorn's per-WebSocket lines (the application logs each connection once)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.msg if isinstance(record.msg, str) else ""
        return not (
            message.startswith('%s - "WebSocket %s"')
            or message in ("connection open", "connection closed")
        )


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
    renderers: list[structlog.types.Processor] = (
        [structlog.processors.JSONRenderer(serializer=_json_line)]
        if fmt == "json"
        else [escape_control_characters, structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())]
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
                *renderers,
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
    # Also when uvicorn is started by hand with its access log on: one line per request.
    logging.getLogger("uvicorn.access").disabled = True
    quiet = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietWebSockets) for f in quiet.filters):
        quiet.addFilter(_QuietWebSockets())
    for name in ("websockets", "websockets.server"):
        logging.getLogger(name).setLevel(logging.WARNING)
