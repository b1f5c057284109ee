"""Handing a request body, as it arrives, to a consumer in a worker thread (the blob store
writing it), with a few batches received ahead so the network and the disk work at once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

import anyio
import anyio.from_thread
import anyio.to_thread

COALESCE = 2 * 1024 * 1024
"""Bytes per batch handed to the blob store's thread: each hand-off wakes two threads, so
fewer, bigger batches cost less CPU (2 MiB measured ~10% less than 1 MiB; 4 MiB no better)."""
PREFETCH = 3
"""Batches received ahead of the blob store, so the network and the disk work at once."""

T = TypeVar("T")


async def into_thread(
    read_parts: Callable[[], Awaitable[list[bytes]]], consume: Callable[[Iterator[bytes]], T]
) -> T:
    """Run ``consume(chunks)`` in a worker thread, ``chunks`` being the pieces ``read_parts``
    returns (about ``COALESCE`` bytes a call; ``[]`` at the end), received up to ``PREFETCH``
    batches ahead. A failure on the receiving side (too large, truncated, client gone) is
    raised inside ``chunks``, so ``consume`` never mistakes a cut-off body for a complete one."""
    send, receive = anyio.create_memory_object_stream[list[bytes]](max_buffer_size=PREFETCH)
    failure: list[Exception] = []

    async def produce() -> None:
        try:
            while parts := await read_parts():
                await send.send(parts)
        except Exception as exc:  # recorded before the stream closes: see ``chunks``
            failure.append(exc)
        finally:
            send.close()

    def chunks() -> Iterator[bytes]:
        while True:  # one thread hand-off per batch; its pieces are passed on uncopied
            try:
                yield from anyio.from_thread.run(receive.receive)
            except anyio.EndOfStream:
                if failure:
                    raise failure[0] from None
                return

    error: Exception | None = None
    async with anyio.create_task_group() as group:
        group.start_soon(produce)
        try:
            result = await anyio.to_thread.run_sync(consume, chunks())
        except Exception as exc:  # raised below, outside the group (no ExceptionGroup)
            error = exc
        group.cancel_scope.cancel()
    receive.close()
    if error is not None:
        raise error
    return result
