"""Weight curves on ``/v1/lipsync/stream``: one ``curves`` event per chunk, after its
visemes, rows from the chunk's offset."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient
from test_lipsync_stream import PATH, TEXT, _events, _speak, _until


def test_each_chunk_carries_its_curves_from_its_offset(client: TestClient[Litestar]) -> None:
    with client.websocket_connect(PATH) as ws:
        _speak(ws, text=TEXT, utterance_id="c1", curves=["vrm", "arkit"], fps=30)
        messages = _until(ws, "end", "error")
    headers, events = _events(messages, "audio"), _events(messages, "curves")
    assert len(events) == len(headers) > 1
    for header, event in zip(headers, events, strict=True):
        assert event["offset"] == header["offset"]
        seconds = header["samples"] / header["sample_rate"]
        for name in ("vrm", "arkit"):
            track = event["curves"][name]
            assert track["fps"] == 30
            assert len(track["frames"]) == int(seconds * 30 + 1e-9) + 1
            assert all(0.0 <= w <= 1.0 for row in track["frames"] for w in row)


def test_without_curves_no_curves_event_is_sent(client: TestClient[Litestar]) -> None:
    with client.websocket_connect(PATH) as ws:
        _speak(ws, text="Hello there.", utterance_id="c2")
        messages = _until(ws, "end", "error")
    assert _events(messages, "curves") == []


def test_an_unknown_curve_set_is_an_error_message(client: TestClient[Litestar]) -> None:
    with client.websocket_connect(PATH) as ws:
        _speak(ws, text="Hello there.", utterance_id="c3", curves=["azure"])
        error = _until(ws, "end", "error")[-1]
    assert isinstance(error, dict)
    assert error["type"] == "error" and error["status"] == 422 and error["field"] == "curves"
