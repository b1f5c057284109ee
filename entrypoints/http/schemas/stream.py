"""Messages of the lip-sync WebSocket (``docs/streaming.md``): what a client may send, and the
JSON the server sends for each chunk of an utterance."""

from __future__ import annotations

import re
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from avatar_service.core.curve_export import curves_json
from avatar_service.core.errors import Invalid
from avatar_service.core.speech import SynthesisOptions
from avatar_service.core.usecases.streaming import SpeechChunk, StreamRequest

AUDIO_FORMAT = "pcm_s16le"
_UTTERANCE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class SpeakMessage(msgspec.Struct, forbid_unknown_fields=True):
    """``{type: "speak", text, voice?, viseme_set?, avatar_id?, utterance_id?, ssml?, rate?,
    pitch?, seed?}``. With ``avatar_id`` and no ``voice``, the avatar's voice speaks."""

    text: str
    type: str = "speak"
    voice: str | None = None
    viseme_set: str = "oculus"
    avatar_id: str | None = None
    utterance_id: str | None = None
    ssml: bool = False
    rate: float = 1.0
    pitch: float = 1.0
    seed: int | None = None
    curves: Annotated[
        list[str],
        Meta(max_length=8, description="Sets whose weight curves each chunk's events carry."),
    ] = msgspec.field(default_factory=list)
    fps: Annotated[int, Meta(description="Frames per second of the curves.")] = 60
    intensity: Annotated[float, Meta(description="Curve intensity, 0-2 (1: as declared).")] = 1.0


class CancelMessage(msgspec.Struct, forbid_unknown_fields=True):
    """``{type: "cancel", utterance_id?}``; without an id: the current and every queued one."""

    type: str = "cancel"
    utterance_id: str | None = None


ClientMessage = SpeakMessage | CancelMessage


def decode_message(raw: str | bytes) -> ClientMessage:
    """A client message, or ``Invalid`` naming the field at fault."""
    try:
        data = msgspec.json.decode(raw)
    except msgspec.DecodeError as exc:
        raise Invalid(f"malformed JSON: {exc}", field="message") from None
    if not isinstance(data, dict):
        raise Invalid("a message is a JSON object", field="message")
    kind = data.get("type", "speak")
    target: type[ClientMessage]
    if kind == "speak":
        target = SpeakMessage
    elif kind == "cancel":
        target = CancelMessage
    else:
        raise Invalid(f"unknown message type {kind!r}; send 'speak' or 'cancel'", field="type")
    try:
        message = msgspec.convert(data, target)
    except msgspec.ValidationError as exc:
        text = str(exc)
        field = text.rpartition("`$.")[2].rstrip("`") if "`$." in text else None
        raise Invalid(text, field=field) from None
    if message.utterance_id is not None and not _UTTERANCE_ID.fullmatch(message.utterance_id):
        raise Invalid("utterance_id must be 1-64 of A-Z a-z 0-9 . _ : -", field="utterance_id")
    return message


def stream_request(message: SpeakMessage, voice: str | None = None) -> StreamRequest:
    """The core request; ``voice`` stands in when the message names none."""
    return StreamRequest(
        text=message.text,
        voice_id=message.voice or voice,
        viseme_set=message.viseme_set,
        options=SynthesisOptions(rate=message.rate, pitch=message.pitch, seed=message.seed),
        ssml=message.ssml,
        curves=tuple(message.curves),
        fps=message.fps,
        intensity=message.intensity,
    )


def _t(seconds: float) -> float:
    return round(seconds, 6)


def audio_header(utterance_id: str, chunk: SpeechChunk) -> dict[str, Any]:
    """The JSON that precedes a chunk's binary PCM frame."""
    return {
        "type": "audio",
        "utterance_id": utterance_id,
        "format": AUDIO_FORMAT,
        "sample_rate": chunk.sample_rate,
        "channels": 1,
        "offset": _t(chunk.offset),
        "samples": len(chunk.samples),
        "index": chunk.index,
    }


def chunk_events(utterance_id: str, chunk: SpeechChunk, viseme_set: str) -> list[dict[str, Any]]:
    """The chunk's timed events after its audio: phonemes, words, visemes, then marks."""
    out: list[dict[str, Any]] = [
        {
            "type": "phoneme",
            "utterance_id": utterance_id,
            "phoneme": p.symbol,
            "start": _t(p.start),
            "end": _t(p.end),
            "word_index": p.word_index,
        }
        for p in chunk.phonemes
    ]
    out += [
        {
            "type": "word",
            "utterance_id": utterance_id,
            "word": w.text,
            "start": _t(w.start),
            "end": _t(w.end),
            "start_char": w.char_start,
            "end_char": w.char_end,
        }
        for w in chunk.words
    ]
    out += [
        {
            "type": "viseme",
            "utterance_id": utterance_id,
            "viseme_set": viseme_set,
            "viseme": c.viseme,
            "start": _t(c.start),
            "end": _t(c.end),
        }
        for c in chunk.visemes
    ]
    out += [
        {"type": "mark", "utterance_id": utterance_id, "name": m.name, "time": _t(m.time)}
        for m in chunk.marks
    ]
    if chunk.curves:
        out.append(curves_event(utterance_id, chunk))
    return out


def curves_event(utterance_id: str, chunk: SpeechChunk) -> dict[str, Any]:
    """The chunk's weight curves: row 0 of each at ``offset`` seconds, one row per frame."""
    curves = {name: curves_json(track) for name, track in chunk.curves.items()}
    return {
        "type": "curves",
        "utterance_id": utterance_id,
        "offset": _t(chunk.offset),
        "curves": curves,
    }
