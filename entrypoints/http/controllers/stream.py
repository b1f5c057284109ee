"""``GET /v1/lipsync/stream``: streaming lip sync over a WebSocket (``docs/streaming.md``).

Two tasks share a connection: one reads client messages (validating and queueing utterances,
cancelling), the other speaks queued utterances one at a time, pulling each sentence from the
core's iterator on a worker thread so the event loop never waits for the synthesizer. A send
lock keeps every audio header next to its binary frame.
"""

from __future__ import annotations

import secrets
from collections import deque
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, cast

import anyio
import anyio.to_thread
import msgspec
import structlog
from litestar import WebSocket, websocket
from litestar.di import NamedDependency
from litestar.exceptions import WebSocketDisconnect

from avatar_service.core.audio import pcm16
from avatar_service.core.errors import AvatarServiceError, TooLarge
from avatar_service.core.usecases.streaming import SpeechChunk, Utterance
from avatar_service.entrypoints.bootstrap import Container
from avatar_service.entrypoints.http.problems import domain_status
from avatar_service.entrypoints.http.schemas.stream import (
    CancelMessage,
    SpeakMessage,
    audio_header,
    chunk_events,
    decode_message,
    stream_request,
)

log = structlog.get_logger("avatar_service.http.stream")

_DONE = object()
_ENCODER = msgspec.json.Encoder()


@dataclass
class _Job:
    utterance_id: str
    utterance: Utterance
    cancelled: bool = False


class _Connection:
    def __init__(self, socket: WebSocket[Any, Any, Any], container: Container) -> None:
        self.socket = socket
        self.container = container
        self.settings = container.settings.stream
        self.queue: deque[_Job] = deque()
        self.current: _Job | None = None
        self.wakeup = anyio.Event()
        self.send_lock = anyio.Lock()

    async def send(self, message: dict[str, Any], data: bytes | None = None) -> None:
        async with self.send_lock:
            await self.socket.send_text(_ENCODER.encode(message).decode())
            if data is not None:
                await self.socket.send_bytes(data)

    async def send_chunk(self, header: dict[str, Any], data: bytes, events: list[Any]) -> None:
        """A chunk's header, its PCM frame and then its events, with nothing in between."""
        async with self.send_lock:
            await self.socket.send_text(_ENCODER.encode(header).decode())
            await self.socket.send_bytes(data)
            for event in events:
                await self.socket.send_text(_ENCODER.encode(event).decode())

    async def error(
        self, status: int, title: str, detail: str, field: str | None, utterance_id: str | None
    ) -> None:
        await self.send(
            {
                "type": "error",
                "utterance_id": utterance_id,
                "status": status,
                "title": title,
                "detail": detail,
                "field": field,
            }
        )

    async def domain_error(self, exc: AvatarServiceError, utterance_id: str | None) -> None:
        status, _ = domain_status(exc) or (500, "internal")
        await self.error(status, exc.title, exc.message, exc.field, utterance_id)

    async def receive(self) -> None:
        """Read messages until the client goes away."""
        while True:
            event = await self.socket.receive()
            if event["type"] == "websocket.disconnect":
                return
            raw = cast("str | bytes", event.get("text") or event.get("bytes") or b"")
            try:
                if len(raw) > self.settings.max_message_bytes:
                    raise TooLarge(
                        f"a message may hold {self.settings.max_message_bytes} bytes",
                        field="message",
                    )
                message = decode_message(raw)
                if isinstance(message, CancelMessage):
                    await self.cancel(message.utterance_id)
                else:
                    await self.enqueue(message)
            except AvatarServiceError as exc:
                await self.domain_error(exc, None)

    async def enqueue(self, message: SpeakMessage) -> None:
        utterance_id = message.utterance_id or f"ut_{secrets.token_hex(8)}"
        busy = {job.utterance_id for job in self.queue}
        if self.current is not None:
            busy.add(self.current.utterance_id)
        if utterance_id in busy:
            await self.error(
                409,
                "Conflict",
                f"utterance {utterance_id} is already in progress",
                "utterance_id",
                utterance_id,
            )
            return
        if len(self.queue) >= self.settings.max_queued:
            detail = (
                f"{self.settings.max_queued} utterances are already waiting; "
                "wait for an end message or cancel one"
            )
            await self.error(429, "Too many utterances", detail, None, utterance_id)
            return
        try:
            utterance = await anyio.to_thread.run_sync(self._prepare, message)
        except AvatarServiceError as exc:
            await self.domain_error(exc, utterance_id)
            return
        self.queue.append(_Job(utterance_id, utterance))
        self.wakeup.set()

    def _prepare(self, message: SpeakMessage) -> Utterance:
        voice = None
        if message.avatar_id is not None:
            self.container.avatars.get_avatar(message.avatar_id)
            if message.voice is None:
                voice = self.container.speech.voice_for_avatar(message.avatar_id)
        return self.container.streaming.prepare(stream_request(message, voice))

    async def cancel(self, utterance_id: str | None) -> None:
        targets = [*([self.current] if self.current else []), *self.queue]
        matched = [j for j in targets if utterance_id in (None, j.utterance_id)]
        for job in matched:
            job.cancelled = True
            if job in self.queue:
                self.queue.remove(job)
                await self.send({"type": "cancelled", "utterance_id": job.utterance_id})
        if not matched and utterance_id is not None:
            await self.error(
                404,
                "Not found",
                f"no utterance {utterance_id} to cancel",
                "utterance_id",
                utterance_id,
            )

    async def speak_forever(self) -> None:
        while True:
            while not self.queue:
                await self.wakeup.wait()
                self.wakeup = anyio.Event()
            self.current = self.queue.popleft()
            try:
                await self.speak(self.current)
            finally:
                self.current = None

    async def speak(self, job: _Job) -> None:
        utterance_id = job.utterance_id
        viseme_set = job.utterance.viseme_set
        chunks = self.container.streaming.chunks(job.utterance)
        await self.send(
            {"type": "start", "utterance_id": utterance_id, "sentences": len(job.utterance.pieces)}
        )
        duration = 0.0
        try:
            while not job.cancelled:
                chunk = await anyio.to_thread.run_sync(_next_chunk, chunks)
                if chunk is _DONE or job.cancelled:
                    break
                assert isinstance(chunk, SpeechChunk)
                await self.send_chunk(
                    audio_header(utterance_id, chunk),
                    pcm16(chunk.samples),
                    chunk_events(utterance_id, chunk, viseme_set),
                )
                duration = chunk.offset + chunk.duration
        except AvatarServiceError as exc:
            await self.domain_error(exc, utterance_id)
            return
        except (WebSocketDisconnect, anyio.get_cancelled_exc_class()):
            raise
        except Exception:
            log.exception("stream.failed", utterance_id=utterance_id)
            await self.error(
                500, "Internal Server Error", "the utterance failed", None, utterance_id
            )
            return
        finally:
            chunks.close()
        if job.cancelled:
            await self.send({"type": "cancelled", "utterance_id": utterance_id})
        else:
            await self.send(
                {"type": "end", "utterance_id": utterance_id, "duration": round(duration, 6)}
            )


def _next_chunk(chunks: Generator[SpeechChunk, None, None]) -> SpeechChunk | object:
    return next(chunks, _DONE)


@websocket("/v1/lipsync/stream", name="lipsyncStream")
async def lipsync_stream(
    socket: WebSocket[Any, Any, Any], container: NamedDependency[Container]
) -> None:
    """Streaming lip sync: send ``{"text", "voice"?, "viseme_set"?, ...}``; receive audio chunks
    (JSON header + PCM16 binary frame) and timed events per sentence, then ``end``."""
    await socket.accept()
    connection = _Connection(socket, container)
    try:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(connection.speak_forever)
            await connection.receive()
            tasks.cancel_scope.cancel()
    except* WebSocketDisconnect:
        pass  # the client left mid-send: nothing to tell it
