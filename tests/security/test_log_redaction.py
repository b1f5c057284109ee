"""The log processors on their own: secret-looking query parameters masked in any string,
control characters escaped for the console, uvicorn's access log off."""

from __future__ import annotations

import logging

import pytest

from avatar_service.entrypoints.logging import (
    configure_logging,
    escape_control_characters,
    mask_query_secrets,
)
from avatar_service.entrypoints.settings import MASK, Settings


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ('127.0.0.1:5 - "WebSocket /v1/lipsync/stream?api_key=abc123" [accepted]', "abc123"),
        ("GET /x?a=1&token=t0k3n&b=2 HTTP/1.1", "t0k3n"),
        ("/cb?access_token=zzz;x=1", "zzz"),
        ("/hook?signature=deadbeef", "deadbeef"),
        ("/v1/x?API_KEY=Upper", "Upper"),
        ("/login?password=hunter2#frag", "hunter2"),
    ],
)
def test_secret_query_parameters_are_masked(text: str, secret: str) -> None:
    masked = mask_query_secrets(text)
    assert secret not in masked and MASK in masked


def test_other_query_parameters_are_kept() -> None:
    text = "/v1/sessions?avatar_id=ava&limit=5"
    assert mask_query_secrets(text) == text


def test_control_characters_are_escaped_for_the_console() -> None:
    event = {"event": "request", "path": "/v1/\x1b[2J\x00x\r\nforged line", "n": 3}
    out = escape_control_characters(None, "info", event)
    assert out["path"] == "/v1/\\x1b[2J\\x00x\\r\\nforged line" and out["n"] == 3


def test_uvicorns_access_log_is_off_even_when_uvicorn_is_started_by_hand() -> None:
    configure_logging(Settings(_env_file=None))
    assert logging.getLogger("uvicorn.access").disabled
