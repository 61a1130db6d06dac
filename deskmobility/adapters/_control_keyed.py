r"""The keyed control channel, for Windows named pipes (any user may open one).

With a key file (32 random bytes in the per-user state folder) both ends prove they know
the key by HMAC over fresh nonces, in each direction. A request frame is
``client nonce + MAC + payload``, a reply frame ``MAC + payload``. multiprocessing's
``authkey`` does the same, but inside ``Listener.accept()`` with no timeout: a client that
connects and stays silent would wedge the server. Here each connection gets its own
thread (at most MAX_CLIENTS at once) and one overall deadline, so none holds another.

It runs wherever a key file is given, which is how the tests exercise it on Linux; on
POSIX without a key the plain socket of ``_control_unix`` is used instead.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Client, Listener
from pathlib import Path
from typing import Protocol

from deskmobility.adapters._control_os import limit_io, peer_uid

log = logging.getLogger(__name__)

NONCE_SIZE = 32
MAC_SIZE = 32
MAX_CLIENTS = 16
_REQUEST_TAG = b"deskmobility control request"
_REPLY_TAG = b"deskmobility control reply"


class Conn(Protocol):
    """The part of multiprocessing's Connection (and Windows PipeConnection) used here."""

    def fileno(self) -> int: ...
    def poll(self, timeout: float | None = ...) -> bool: ...
    def send_bytes(self, buf: bytes) -> None: ...
    def recv_bytes(self, maxlength: int | None = ...) -> bytes: ...
    def close(self) -> None: ...


class HandshakeError(Exception):
    """The other end did not prove it knows the key, or broke off."""


def new_nonce() -> bytes:
    """A fresh random nonce."""
    return secrets.token_bytes(NONCE_SIZE)


def new_key(key_file: Path) -> bytes:
    """A fresh key for this run, written 0600 (on Windows the per-user folder's ACL guards it)."""
    key = secrets.token_bytes(NONCE_SIZE)
    key_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temp = key_file.with_name(f".{key_file.name}.{os.getpid()}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    temp.replace(key_file)
    return key


def seal_request(key: bytes, server_nonce: bytes, payload: bytes) -> tuple[bytes, bytes]:
    """The client's nonce and the request frame that proves it knows ``key``."""
    nonce = new_nonce()
    return nonce, nonce + _mac(key, _REQUEST_TAG, server_nonce, nonce, payload) + payload


def open_request(key: bytes, server_nonce: bytes, frame: bytes) -> tuple[bytes, bytes] | None:
    """The client's nonce and the payload of a request frame, or None if its MAC is wrong."""
    nonce = frame[:NONCE_SIZE]
    mac, payload = frame[NONCE_SIZE : NONCE_SIZE + MAC_SIZE], frame[NONCE_SIZE + MAC_SIZE :]
    if len(nonce) < NONCE_SIZE or not hmac.compare_digest(
        mac, _mac(key, _REQUEST_TAG, server_nonce, nonce, payload)
    ):
        return None
    return nonce, payload


def seal_reply(key: bytes, nonce: bytes, server_nonce: bytes, reply: bytes) -> bytes:
    """The reply frame that proves the server knows ``key``."""
    return _mac(key, _REPLY_TAG, nonce, server_nonce, reply) + reply


def open_reply(key: bytes, nonce: bytes, server_nonce: bytes, frame: bytes) -> bytes | None:
    """The payload of a reply frame, or None if its MAC is wrong."""
    if not hmac.compare_digest(
        frame[:MAC_SIZE], _mac(key, _REPLY_TAG, nonce, server_nonce, frame[MAC_SIZE:])
    ):
        return None
    return frame[MAC_SIZE:]


def _mac(key: bytes, tag: bytes, *parts: bytes) -> bytes:
    # Nonces are fixed-length and the payload comes last, so the concatenation is unambiguous.
    return hmac.new(key, tag + b"".join(parts), hashlib.sha256).digest()


def _receive(conn: Conn, deadline: float, limit: int) -> bytes:
    if not conn.poll(max(0.0, deadline - time.monotonic())):
        raise TimeoutError("timed out")
    return conn.recv_bytes(limit)


def exchange(
    address: str, family: str, key: bytes, payload: bytes, *, deadline: float, limit: int
) -> bytes:
    """Send one keyed request and return the proven reply; OSError/EOFError if it fails."""
    conn: Conn = Client(address, family)
    try:
        server_nonce = _receive(conn, deadline, NONCE_SIZE)
        nonce, frame = seal_request(key, server_nonce, payload)
        conn.send_bytes(frame)
        opened = open_reply(key, nonce, server_nonce, _receive(conn, deadline, limit + MAC_SIZE))
        if opened is None:
            raise HandshakeError("the reply did not prove it came from deskmobility")
        return opened
    finally:
        conn.close()


class KeyedServer:
    """Accepts on one thread; each connection is answered on a thread of its own."""

    def __init__(
        self,
        address: tuple[str, str],
        key: bytes,
        *,
        answer: Callable[[bytes], bytes],
        limit: int,
        timeout: float,
    ) -> None:
        self.address, self._family = address
        self._listener = Listener(self.address, self._family, backlog=64)
        self._key = key
        self._answer = answer
        self._limit = limit
        self._timeout = timeout
        self._slots = threading.BoundedSemaphore(MAX_CLIENTS)
        self._closing = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Accept on a daemon thread."""
        self._thread = threading.Thread(target=self._serve, name="control-server", daemon=True)
        self._thread.start()

    def close(self, timeout: float = 3.0) -> None:
        """Stop accepting (after waking accept()), then close the listener."""
        self._closing.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            with contextlib.suppress(OSError):
                Client(self.address, self._family).close()
            thread.join(timeout)
        self._listener.close()

    def _serve(self) -> None:
        while not self._closing.is_set():
            try:
                conn: Conn = self._listener.accept()
            except OSError:
                if self._closing.is_set():
                    return
                log.exception("control: accept failed")
                self._closing.wait(0.5)  # a persistent error (out of fds) must not spin
                continue
            if self._closing.is_set() or not self._slots.acquire(blocking=False):
                if not self._closing.is_set():
                    log.warning("control: %d clients at once; refused one more", MAX_CLIENTS)
                conn.close()
                continue
            threading.Thread(target=self._serve_one, args=(conn,), daemon=True).start()

    def _serve_one(self, conn: Conn) -> None:
        try:
            self._exchange(conn)
        except (OSError, EOFError, TimeoutError) as error:
            log.info("control: dropped a client: %s", error or type(error).__name__)
        except Exception:
            log.exception("control: request failed")
        finally:
            conn.close()
            self._slots.release()

    def _exchange(self, conn: Conn) -> None:
        uid = peer_uid(conn) if self._family == "AF_UNIX" else None
        if uid is not None and uid != os.getuid():
            log.warning("control: refused a connection from uid %d", uid)
            return
        deadline = time.monotonic() + self._timeout
        limit_io(conn, self._timeout)
        server_nonce = new_nonce()
        conn.send_bytes(server_nonce)
        frame = _receive(conn, deadline, self._limit + NONCE_SIZE + MAC_SIZE)
        opened = open_request(self._key, server_nonce, frame)
        if opened is None:
            log.warning("control: refused a request that did not prove it knows the key")
            return
        nonce, payload = opened
        conn.send_bytes(seal_reply(self._key, nonce, server_nonce, self._answer(payload)))
