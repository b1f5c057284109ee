"""Helpers of the fault tests: a real uvicorn on loopback, a TCP relay that can drop a
database connection, a look at what is on disk."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from litestar import Litestar
from support import uvicorn_on_loopback

from avatar_service.entrypoints.bootstrap import Container
from avatar_service.entrypoints.http.app import create_app

Build = Callable[..., Container]
"""``build(**settings)`` (the ``build`` fixture): a container over real storage."""


@contextmanager
def served(app: Litestar) -> Iterator[tuple[str, int]]:
    """``app`` on a real uvicorn over loopback: yields (host, port)."""
    with uvicorn_on_loopback(app, timeout_graceful_shutdown=5) as port:
        yield "127.0.0.1", port


def app_of(container: Container) -> Litestar:
    return create_app(container)


def files_under(root: Path) -> list[Path]:
    """Every regular file below ``root`` (none when it does not exist)."""
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


class TcpProxy:
    """A loopback TCP relay to ``target``: ``stop()`` closes it and every relayed connection
    (the server went away), ``start()`` listens again on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(OSError):  # wakes the accepting thread (Linux)
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)
