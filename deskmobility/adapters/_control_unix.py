"""The server of the control channel on a plain Unix socket (Linux, macOS, other POSIX).

Frames are a 4-byte big-endian length and that many bytes of JSON, one request and one
reply per connection (the layout multiprocessing.connection uses, so either end can be
either). The peer's uid comes from the kernel, so there is no key and no handshake: the
path needs no hmac, hashlib, secrets or multiprocessing. The frame layout and the client
are in ``_control_client``.

One thread serves every client from a ``selectors`` loop, so no client can hold another:
each connection gets one overall deadline from accept to reply (a client that trickles a
byte at a time is dropped when it runs out, not when a byte is late), and when too many are
open at once the oldest is dropped to make room for the newest.
"""

from __future__ import annotations

import contextlib
import logging
import os
import selectors
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from deskmobility.adapters._control_client import HEADER, short_address
from deskmobility.adapters._control_os import peer_uid

log = logging.getLogger(__name__)

MAX_CLIENTS = 32

Answer = Callable[[bytes], bytes]
TooLong = Callable[[], bytes]


def listen(path: Path, backlog: int = 64) -> socket.socket:
    """A listening socket at ``path``, 0600 from the start (bound under umask 0177)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        with short_address(path) as address:
            path.unlink(missing_ok=True)  # stale: the caller holds the lock and nothing answered
            # umask is process-wide: the server is made at startup, before other threads.
            old = os.umask(0o177)
            try:
                sock.bind(address)
            finally:
                os.umask(old)
        path.chmod(0o600)
        sock.listen(backlog)
        sock.settimeout(0.0)  # non-blocking
    except BaseException:
        sock.close()
        raise
    return sock


class _TooLongError(Exception):
    pass


@dataclass(eq=False)
class _Client:
    sock: socket.socket
    deadline: float
    inbox: bytearray = field(default_factory=bytearray)
    outbox: bytes = b""

    def request(self, limit: int) -> bytes | None:
        """The full request once it is in, None while more is due; _TooLongError if too long."""
        if len(self.inbox) < HEADER.size:
            return None
        (size,) = HEADER.unpack_from(self.inbox)
        if not 0 <= size <= limit:
            raise _TooLongError
        if len(self.inbox) < HEADER.size + size:
            return None
        return bytes(self.inbox[HEADER.size : HEADER.size + size])


class UnixServer:
    """Serves framed requests on a listening socket from one thread, never waiting on a client."""

    def __init__(
        self,
        sock: socket.socket,
        path: Path,
        *,
        answer: Answer,
        too_long: TooLong,
        limit: int,
        timeout: float,
    ) -> None:
        self._listener = sock
        self._path = path
        self._answer = answer
        self._too_long = too_long
        self._limit = limit
        self._timeout = timeout
        self._clients: dict[socket.socket, _Client] = {}
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.settimeout(0.0)  # non-blocking
        self._closing = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Serve on a daemon thread."""
        self._selector.register(self._listener, selectors.EVENT_READ)
        self._selector.register(self._wake_r, selectors.EVENT_READ)
        self._thread = threading.Thread(target=self._serve, name="control-server", daemon=True)
        self._thread.start()

    def close(self, timeout: float = 3.0) -> None:
        """Stop: replies already made are sent (briefly), the socket is removed."""
        self._closing.set()
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        self._listener.close()
        self._path.unlink(missing_ok=True)
        self._wake_r.close()
        self._wake_w.close()
        self._selector.close()

    def _serve(self) -> None:
        try:
            while not self._closing.is_set():
                for key, mask in self._selector.select(self._wait()):
                    try:
                        self._event(key.fileobj, mask)
                    except Exception:  # one request's failure must not end the serving
                        log.exception("control: a request failed")
                        for client in list(self._clients.values()):
                            if client.sock is key.fileobj:
                                self._drop(client)
                self._expire()
        except Exception:
            log.exception("control: the server stopped")
        finally:
            for client in list(self._clients.values()):
                self._flush_and_drop(client)

    def _wait(self) -> float | None:
        if not self._clients:
            return None
        soonest = min(client.deadline for client in self._clients.values())
        return max(0.0, soonest - time.monotonic())

    def _event(self, fileobj: object, mask: int) -> None:
        if fileobj is self._listener:
            self._accept()
        elif fileobj is self._wake_r:
            with contextlib.suppress(OSError):
                self._wake_r.recv(64)
        elif isinstance(fileobj, socket.socket) and fileobj in self._clients:
            client = self._clients[fileobj]
            if mask & selectors.EVENT_READ:
                self._receive(client)
            elif mask & selectors.EVENT_WRITE:
                self._send(client)

    def _accept(self) -> None:
        while True:
            try:
                sock, _ = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as error:  # out of file descriptors: try again on the next event
                log.warning("control: accept failed: %s", error)
                return
            uid = peer_uid(sock)
            if uid is not None and uid != os.getuid():
                log.warning("control: refused a connection from uid %d", uid)
                sock.close()
                continue
            if len(self._clients) >= MAX_CLIENTS:
                oldest = min(self._clients.values(), key=lambda c: c.deadline)
                log.warning("control: %d clients at once; dropped the oldest", MAX_CLIENTS)
                self._drop(oldest)
            sock.settimeout(0.0)  # non-blocking
            self._clients[sock] = _Client(sock, time.monotonic() + self._timeout)
            self._selector.register(sock, selectors.EVENT_READ)

    def _receive(self, client: _Client) -> None:
        try:
            chunk = client.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._drop(client)
            return
        if not chunk:
            self._drop(client)
            return
        client.inbox += chunk
        try:
            request = client.request(self._limit)
        except _TooLongError:
            reply = self._too_long()
        else:
            if request is None:
                return
            reply = self._answer(request)
        client.outbox = HEADER.pack(len(reply)) + reply
        self._selector.modify(client.sock, selectors.EVENT_WRITE)
        self._send(client)

    def _send(self, client: _Client) -> None:
        try:
            sent = client.sock.send(client.outbox)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._drop(client)
            return
        client.outbox = client.outbox[sent:]
        if not client.outbox:
            self._drop(client)

    def _expire(self) -> None:
        now = time.monotonic()
        for client in [c for c in self._clients.values() if c.deadline <= now]:
            what = "its reply" if client.outbox else "a whole request"
            log.info("control: dropped a client that took over %g s for %s", self._timeout, what)
            self._drop(client)

    def _flush_and_drop(self, client: _Client) -> None:
        if client.outbox:  # e.g. the reply to "quit", which led to this close
            with contextlib.suppress(OSError):
                client.sock.settimeout(0.5)
                client.sock.sendall(client.outbox)
        self._drop(client)

    def _drop(self, client: _Client) -> None:
        self._clients.pop(client.sock, None)
        with contextlib.suppress(KeyError, ValueError):
            self._selector.unregister(client.sock)
        client.sock.close()
