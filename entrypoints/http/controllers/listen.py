"""``GET /v1/lipsync/listen``: live lip sync from audio (``docs/streaming.md``).

The client declares its audio (``start``), then sends PCM16 chunks as binary frames as they
are produced; each chunk is recognised on a worker thread as soon as it arrives (chunks that
arrived together, together: ``BATCH_SECONDS``) and the cues it settles are sent at once. A
``transcript`` for a stretch already heard, or ``words`` with their times, re-sends that
stretch's cues corrected, with its words. A connection's messages are handled in order, but
the work of a correction (recognising its stretch again) runs beside the audio that follows
it, so that a long stretch does not hold up the live cues; corrections are sent in the order
they were asked for, and all of them before the answer to ``end``.
"""

from __future__ import annotations

from typing import Annotated, Any, cast

import anyio
import anyio.to_thread
import msgspec
import numpy as np
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from litestar import WebSocket, websocket
from litestar.di import NamedDependency
from litestar.exceptions import WebSocketDisconnect
from msgspec import Meta

from avatar_service.core.errors import AvatarServiceError, Invalid, TooLarge
from avatar_service.core.speech import FloatArray
from avatar_service.core.usecases.listening import CorrectionPlan, ListenSession, LiveUpdate
from avatar_service.entrypoints.bootstrap import Container
from avatar_service.entrypoints.http.problems import domain_status
from avatar_service.entrypoints.word_times import MAX_TIMED_WORDS, TimedWordMessage, spans_of

_ENCODER = msgspec.json.Encoder()


class StartMessage(msgspec.Struct, forbid_unknown_fields=True):
    """``{type: "start", sample_rate, viseme_set?, language?}``: the audio that follows."""

    sample_rate: int
    type: str = "start"
    viseme_set: str = "oculus"
    language: str = "en"


class TranscriptMessage(msgspec.Struct, forbid_unknown_fields=True):
    """``{type: "transcript", text, start, end}``: what was said over ``[start, end)``."""

    text: str
    start: float
    end: float
    type: str = "transcript"


class WordsMessage(msgspec.Struct, forbid_unknown_fields=True):
    """``{type: "words", words: [{word, start, end}, ...]}``: words said, with their times."""

    words: Annotated[list[TimedWordMessage], Meta(max_length=MAX_TIMED_WORDS)]
    type: str = "words"


class EndMessage(msgspec.Struct, forbid_unknown_fields=True):
    type: str = "end"


_MESSAGES: dict[str, type[Any]] = {
    "start": StartMessage,
    "transcript": TranscriptMessage,
    "words": WordsMessage,
    "end": EndMessage,
}
ListenMessage = StartMessage | TranscriptMessage | WordsMessage | EndMessage


def decode_listen_message(raw: str | bytes) -> ListenMessage:
    try:
        data = msgspec.json.decode(raw)
    except msgspec.DecodeError as exc:
        raise Invalid(f"malformed JSON: {exc}", field="message") from None
    if not isinstance(data, dict) or data.get("type") not in _MESSAGES:
        raise Invalid(
            "send a JSON object of type 'start', 'transcript', 'words' or 'end'", field="type"
        )
    try:
        message: ListenMessage = msgspec.convert(data, _MESSAGES[data["type"]])
    except msgspec.ValidationError as exc:
        text = str(exc)
        field = text.rpartition("`$.")[2].rstrip("`") if "`$." in text else None
        raise Invalid(text, field=field) from None
    return message


def pcm_samples(data: bytes) -> Any:
    if len(data) % 2:
        raise Invalid("a chunk is whole 16-bit samples (an even number of bytes)", field="audio")
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0


def update_events(update: LiveUpdate, viseme_set: str) -> list[dict[str, Any]]:
    heard = round(update.heard, 6)
    out: list[dict[str, Any]] = [
        {
            "type": "viseme",
            "viseme_set": viseme_set,
            "viseme": c.viseme,
            "start": round(c.start, 6),
            "corrected": c.corrected,
            "heard": heard,
        }
        for c in update.cues
    ]
    out += [
        {
            "type": "word",
            "word": w.text,
            "start": round(w.start, 6),
            "end": round(w.end, 6),
            "start_char": w.char_start,
            "end_char": w.char_end,
            "corrected": True,
        }
        for w in update.words
    ]
    return out


READ_AHEAD = 32
"""Client messages read ahead of the one being handled. Audio chunks that arrived one after
another are recognised together, up to ``BATCH_SECONDS`` of audio: a burst (a network catching
up after a stall, a client sending faster than real time) is worked through at tens of times
real time instead of a few. Past it the socket's own flow control holds the client back."""
BATCH_SECONDS = 1.0
"""Most audio recognised in one go: a cue of a burst is sent at most this much audio after
the one a chunk at a time would have been sent with (and sooner by the clock)."""

CORRECTIONS_AHEAD = 4
"""Corrections waiting for their work beside the one being worked out; past it the connection
waits for the oldest (a client flooding ``words`` messages holds itself back)."""

Message = dict[str, Any]


def _is_audio(event: Message) -> bool:
    return event["type"] == "websocket.receive" and event.get("bytes") is not None


def _next_ready(outbound: MemoryObjectReceiveStream[Message]) -> Message | None:
    """The next message already read, if any."""
    try:
        return outbound.receive_nowait()
    except (anyio.WouldBlock, anyio.EndOfStream):
        return None


class _Listener:
    def __init__(self, socket: WebSocket[Any, Any, Any], container: Container) -> None:
        self.socket = socket
        self.container = container
        self.session: ListenSession | None = None
        self.viseme_set = "oculus"
        self._state = anyio.Lock()
        """Held while the session changes and its update is sent: the client sees updates in
        the order the session made them."""
        self._plans, self._plans_out = anyio.create_memory_object_stream[
            tuple[ListenSession, CorrectionPlan]
        ](CORRECTIONS_AHEAD)
        self._corrected = anyio.Event()

    async def send(self, message: dict[str, Any]) -> None:
        await self.socket.send_text(_ENCODER.encode(message).decode())

    async def error(self, exc: AvatarServiceError) -> None:
        status, _ = domain_status(exc) or (500, "internal")
        await self.send(
            {
                "type": "error",
                "status": status,
                "title": exc.title,
                "detail": exc.message,
                "field": exc.field,
            }
        )

    async def run(self) -> None:
        """Handle the client's messages in order until ``end`` or a disconnect, reading up to
        ``READ_AHEAD`` of them ahead of the one being handled."""
        inbound, outbound = anyio.create_memory_object_stream[Message](READ_AHEAD)
        async with anyio.create_task_group() as group:
            group.start_soon(self._read, inbound)
            group.start_soon(self._correct)
            try:
                await self._handle(outbound)
            except WebSocketDisconnect:
                pass  # the client left while being answered: nothing to tell it
            finally:
                group.cancel_scope.cancel()

    async def _read(self, inbound: MemoryObjectSendStream[Message]) -> None:
        async with inbound:
            while True:
                try:
                    event = await self.socket.receive()
                except WebSocketDisconnect:
                    return
                await inbound.send(cast("Message", event))
                if event["type"] == "websocket.disconnect":
                    return

    async def _correct(self) -> None:
        """Work out each correction asked for, in order, beside the audio, and send it."""
        try:
            async with self._plans_out:
                async for session, plan in self._plans_out:
                    try:
                        correction = await anyio.to_thread.run_sync(plan)
                        async with self._state:
                            await self.send_update(session.apply(correction))
                    except AvatarServiceError as exc:
                        await self.error(exc)
        except WebSocketDisconnect:
            pass  # the client left: the reader ends the connection
        finally:
            self._corrected.set()

    async def _handle(self, outbound: MemoryObjectReceiveStream[Message]) -> None:
        limit = self.container.settings.stream.max_message_bytes
        waiting: Message | None = None
        while True:
            try:
                event = waiting or await outbound.receive()
            except anyio.EndOfStream:
                return
            waiting = None
            if event["type"] == "websocket.disconnect":
                return
            raw = cast("str | bytes | None", event.get("bytes") or event.get("text"))
            try:
                if raw is None:
                    continue
                if len(raw) > limit:
                    raise TooLarge(f"a message may hold {limit} bytes", field="message")
                if _is_audio(event):
                    chunks = [cast("bytes", raw)]
                    room = self._batch_bytes() - len(raw)
                    while room > 0 and (more := _next_ready(outbound)) is not None:
                        if not _is_audio(more) or len(more["bytes"]) > limit:
                            waiting = more
                            break
                        chunks.append(more["bytes"])
                        room -= len(more["bytes"])
                    await self.audio(chunks)
                elif not await self.message(decode_listen_message(raw)):
                    return
            except AvatarServiceError as exc:
                await self.error(exc)

    def _batch_bytes(self) -> int:
        """Bytes of ``BATCH_SECONDS`` of the stream's PCM16 (one chunk before ``start``)."""
        return 0 if self.session is None else int(2 * self.session.sample_rate * BATCH_SECONDS)

    async def audio(self, chunks: list[bytes]) -> None:
        """Recognise ``chunks`` (audio messages that arrived one after another) together; a
        chunk that is refused gets its error in its place."""
        batch: list[FloatArray] = []
        for data in chunks:
            try:
                if self.session is None:
                    raise Invalid("send a 'start' message before audio", field="type")
                batch.append(pcm_samples(data))
            except AvatarServiceError as exc:
                await self.feed(batch)
                batch = []
                await self.error(exc)
        await self.feed(batch)

    async def feed(self, batch: list[FloatArray]) -> None:
        """Recognise ``batch`` in one go; past the stream's length limit, chunk by chunk, so
        that the chunks before the limit are taken and each one past it gets its error."""
        if not batch or self.session is None:
            return
        try:
            async with self._state:
                update = await anyio.to_thread.run_sync(self.session.feed, np.concatenate(batch))
                await self.send_update(update)
        except TooLarge as exc:
            if len(batch) == 1:
                await self.error(exc)
            else:
                for piece in batch:
                    await self.feed([piece])

    async def send_update(self, update: LiveUpdate) -> None:
        for event in update_events(update, self.viseme_set):
            await self.send(event)

    async def message(self, message: ListenMessage) -> bool:
        """Handle one control message; ``False`` once the stream is over."""
        if isinstance(message, StartMessage):
            if self.session is not None:
                raise Invalid("the stream has started already", field="type")
            self.session = await anyio.to_thread.run_sync(
                self.container.recognition.listen,
                message.sample_rate,
                message.viseme_set,
                message.language,
            )
            self.viseme_set = message.viseme_set
            await self.send(
                {
                    "type": "ready",
                    "sample_rate": message.sample_rate,
                    "viseme_set": message.viseme_set,
                    "language": "en",
                }
            )
            return True
        if self.session is None:
            raise Invalid("send a 'start' message first", field="type")
        if isinstance(message, TranscriptMessage | WordsMessage):
            async with self._state:  # checked now, in order; worked out beside the audio
                if isinstance(message, TranscriptMessage):
                    plan = self.session.plan_transcript(message.text, message.start, message.end)
                else:
                    plan = self.session.plan_words(spans_of(message.words))
            await self._plans.send((self.session, plan))
            return True
        await self._plans.aclose()
        await self._corrected.wait()
        await self.send({"type": "end", "duration": round(self.session.heard, 6)})
        return False

    def close(self) -> None:
        if self.session is not None:
            self.session.close()


@websocket("/v1/lipsync/listen", name="lipsyncListen")
async def lipsync_listen(
    socket: WebSocket[Any, Any, Any], container: NamedDependency[Container]
) -> None:
    """Live lip sync from audio: send ``start``, then PCM16 chunks as binary frames; receive
    viseme cues with absolute times as soon as they are heard (``docs/streaming.md``)."""
    await socket.accept()
    listener = _Listener(socket, container)
    try:
        await listener.run()
    except WebSocketDisconnect:
        pass  # the client left: nothing to tell it
    finally:
        listener.close()
    if socket.connection_state != "disconnect":
        await socket.close()
