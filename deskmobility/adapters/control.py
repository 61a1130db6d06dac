r"""The control channel: one running deskmobility, driven by ``deskmobility pause`` and friends.

Frames are multiprocessing.connection's length-prefixed bytes (``send_bytes``/``recv_bytes``
with a ``maxlength``; never ``send``/``recv``, which unpickle). One JSON request per
connection, one JSON reply. The address is an AF_UNIX socket at ``<runtime_dir>/control.sock``,
or on Windows the named pipe ``\\.\pipe\deskmobility-<user>``.

Who may talk to it:

* POSIX: the folder is ours and 0700, the socket 0600 (bound under umask 0177, so it is never
  wider), and the peer's uid is asked of the kernel (SO_PEERCRED on Linux, LOCAL_PEERCRED on
  macOS). No authkey there: the kernel already says who the peer is, and a key file would sit
  behind the same permissions as the socket, adding a secret to manage and nothing else.
* Windows: pipe names are global, so any user could open ours or create it first. With a key
  file (``key_file_for``: 32 random bytes in the per-user state folder) both ends prove they
  know the key by HMAC over fresh nonces, in each direction. multiprocessing's ``authkey``
  does the same, but inside ``Listener.accept()`` with no timeout: a client that connects and
  stays silent would wedge the server. Ours reads only after ``poll``. It runs on any OS when
  a key file is given, which is how the tests exercise it on Linux.

The OS-specific pieces (peer credentials, bounded socket I/O, the instance lock, the key
handshake's frames) live in ``_control_os``.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import logging
import os
import re
import stat
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from multiprocessing.connection import Client, Listener
from pathlib import Path
from typing import Protocol, Self

from deskmobility.adapters._control_os import (
    MAC_SIZE,
    NONCE_SIZE,
    InstanceLock,
    limit_io,
    new_key,
    new_nonce,
    open_reply,
    open_request,
    peer_uid,
    seal_reply,
    seal_request,
)

log = logging.getLogger(__name__)

MAX_MESSAGE = 64 * 1024
CLIENT_TIMEOUT = 2.0
COMMANDS = ("break", "pause", "resume", "status", "quit", "ping")
MAX_PAUSE_SECONDS = 366 * 24 * 3600
SOCKET_NAME = "control.sock"
LOCK_NAME = "instance.lock"
KEY_NAME = "control.key"

_BACKLOG = 16


class ControlError(Exception):
    """The control channel failed; the message says how."""


class NotRunning(ControlError):  # noqa: N818  # the name says it: `except NotRunning`
    """Nothing answers at the control address."""

    def __init__(self, message: str = "deskmobility is not running") -> None:
        super().__init__(message)


@dataclass(frozen=True)
class AlreadyRunning:
    """Another deskmobility holds the control channel (``pid`` when it answered a ping)."""

    message: str
    pid: int | None = None

    def __str__(self) -> str:
        return self.message


class ControlHandler(Protocol):
    """Carries out one validated request; returns a JSON-able reply with ``ok`` and ``message``."""

    def handle(self, request: Mapping[str, object]) -> dict[str, object]:
        """Carry out ``request`` (its ``command`` is one of COMMANDS, never ``ping``)."""
        ...


class _Conn(Protocol):
    """The part of multiprocessing's Connection (and Windows PipeConnection) used here."""

    def fileno(self) -> int: ...
    def poll(self, timeout: float | None = ...) -> bool: ...
    def send_bytes(self, buf: bytes) -> None: ...
    def recv_bytes(self, maxlength: int | None = ...) -> bytes: ...
    def close(self) -> None: ...


def key_file_for(state_dir: Path, platform: str = sys.platform) -> Path | None:
    """Where the channel's key lives: a file on Windows; None elsewhere (the kernel vouches)."""
    return state_dir / KEY_NAME if platform == "win32" else None


def address_for(runtime_dir: Path, platform: str = sys.platform) -> tuple[str, str]:
    """The listening address and its multiprocessing family for this user."""
    if platform == "win32":
        user = re.sub(r"[^A-Za-z0-9._-]", "_", getpass.getuser())
        return rf"\\.\pipe\deskmobility-{user}", "AF_PIPE"
    return str(runtime_dir / SOCKET_NAME), "AF_UNIX"


def send_command(
    runtime_dir: Path,
    request: Mapping[str, object],
    timeout: float = 3.0,
    *,
    key_file: Path | None = None,
) -> dict[str, object]:
    """Send one request to the running app and return its reply.

    Raises NotRunning when nothing listens, ControlError for anything else that goes wrong.
    """
    address, family = address_for(runtime_dir)
    key = _read_key(key_file) if key_file is not None else None
    if family == "AF_UNIX":
        _check_owner(runtime_dir)
    deadline = time.monotonic() + timeout
    try:
        conn: _Conn = Client(address, family)
    except (FileNotFoundError, ConnectionRefusedError):
        raise NotRunning from None
    except OSError as error:
        raise ControlError(f"cannot reach deskmobility at {address}: {error}") from None
    try:
        payload = json.dumps(dict(request)).encode()
        if key is None:
            conn.send_bytes(payload)
            data = _receive(conn, deadline, timeout)
        else:
            server_nonce = _receive(conn, deadline, timeout)
            nonce, frame = seal_request(key, server_nonce, payload)
            conn.send_bytes(frame)
            opened = open_reply(key, nonce, server_nonce, _receive(conn, deadline, timeout))
            if opened is None:
                raise ControlError("the reply did not prove it came from deskmobility")
            data = opened
    except OSError as error:
        raise ControlError(f"the connection to deskmobility failed: {error}") from None
    finally:
        conn.close()
    return _parse_reply(data)


class ControlServer:
    """The listening end: claimed once per user, then served on one daemon thread."""

    def __init__(
        self, listener: Listener, address: tuple[str, str], lock: InstanceLock, key: bytes | None
    ) -> None:
        self._listener = listener
        self.address, self._family = address
        self._lock = lock
        self._key = key
        self._handler: ControlHandler | None = None
        self._thread: threading.Thread | None = None
        self._closing = threading.Event()

    @classmethod
    def claim(
        cls, runtime_dir: Path, *, key_file: Path | None = None
    ) -> ControlServer | AlreadyRunning:
        """Become the one running instance, or say which one already is.

        The instance lock (held until close) makes two simultaneous starts race-free; a
        socket left by a crash is unlinked once nothing answers a ping on it.
        """
        _private_folder(runtime_dir)
        lock = _lock_instance(runtime_dir / LOCK_NAME)
        pong = _ping(runtime_dir, key_file)
        if lock is None or pong is not None:
            if lock is not None:  # the lock file was deleted under a running instance
                lock.release()
            pid = pong.get("pid") if pong is not None else None
            if isinstance(pid, int):
                return AlreadyRunning(f"deskmobility is already running (pid {pid})", pid)
            return AlreadyRunning("deskmobility is already running (starting, or not answering)")
        address = address_for(runtime_dir)
        try:
            key = new_key(key_file) if key_file is not None else None
            listener = _listen(*address)
        except OSError as error:
            lock.release()
            raise ControlError(
                f"cannot open the control channel at {address[0]}: {error}"
            ) from None
        except BaseException:
            lock.release()
            raise
        log.info("control channel at %s", address[0])
        return cls(listener, address, lock, key)

    def start(self, handler: ControlHandler) -> None:
        """Serve requests with ``handler`` on a daemon thread that blocks in accept()."""
        if self._thread is not None:
            raise RuntimeError("the control server is already serving")
        self._handler = handler
        self._thread = threading.Thread(target=self._serve, name="control-server", daemon=True)
        self._thread.start()

    def close(self, timeout: float = 3.0) -> None:
        """Stop serving (after the request in hand is answered), remove the socket, unlock."""
        if self._closing.is_set():
            return
        self._closing.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            with contextlib.suppress(OSError):  # wake accept(); the loop sees _closing and ends
                Client(self.address, self._family).close()
            thread.join(timeout)
        self._listener.close()  # on POSIX this also unlinks the socket
        self._lock.release()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _serve(self) -> None:
        while not self._closing.is_set():
            try:
                conn: _Conn = self._listener.accept()
            except OSError:
                if self._closing.is_set():
                    return
                log.exception("control: accept failed")
                self._closing.wait(0.5)  # a persistent error (out of fds) must not spin
                continue
            try:
                if not self._closing.is_set():
                    self._serve_one(conn)
            except Exception:
                log.exception("control: request failed")
            finally:
                conn.close()

    def _serve_one(self, conn: _Conn) -> None:
        uid = peer_uid(conn)
        if uid is not None and uid != os.getuid():
            log.warning("control: refused a connection from uid %d", uid)
            return
        limit_io(conn, CLIENT_TIMEOUT)
        deadline = time.monotonic() + CLIENT_TIMEOUT
        server_nonce = new_nonce()
        if self._key is not None:
            conn.send_bytes(server_nonce)
        limit = MAX_MESSAGE if self._key is None else MAX_MESSAGE + NONCE_SIZE + MAC_SIZE
        try:
            frame = _receive(conn, deadline, CLIENT_TIMEOUT, limit)
        except _TooLongError:
            if self._key is None:
                conn.send_bytes(_encode(_error(f"request too long (limit {MAX_MESSAGE} bytes)")))
            return
        except ControlError as error:
            log.info("control: dropped a client: %s", error)
            return
        if self._key is None:
            conn.send_bytes(_encode(self._answer(frame)))
            return
        opened = open_request(self._key, server_nonce, frame)
        if opened is None:
            log.warning("control: refused a request that did not prove it knows the key")
            return
        nonce, payload = opened
        reply = _encode(self._answer(payload))
        conn.send_bytes(seal_reply(self._key, nonce, server_nonce, reply))

    def _answer(self, payload: bytes) -> dict[str, object]:
        try:
            request = json.loads(payload)
        except (ValueError, RecursionError):
            return _error("the request is not valid JSON")
        problem = check_request(request)
        if problem is not None:
            return _error(problem)
        if request["command"] == "ping":
            return {"ok": True, "message": "deskmobility is running", "pid": os.getpid()}
        if self._handler is None:
            return _error("deskmobility is still starting")
        try:
            reply = self._handler.handle(request)
            _encode(reply)
        except Exception:
            log.exception("control: %s failed", request["command"])
            return _error(f"{request['command']} failed inside deskmobility; see its log")
        return reply


def check_request(request: object) -> str | None:
    """What is wrong with a decoded request, or None when it can be carried out."""
    if not isinstance(request, dict):
        return "the request must be a JSON object"
    command = request.get("command")
    if not isinstance(command, str):
        return 'the request needs a "command" string'
    if command not in COMMANDS:
        return f"unknown command {command[:40]!r}; expected one of {', '.join(COMMANDS)}"
    seconds = request.get("duration_seconds")
    if command != "pause":
        return None if seconds is None else '"duration_seconds" only goes with "pause"'
    return _check_duration(seconds)


def _check_duration(seconds: object) -> str | None:
    if isinstance(seconds, bool) or not isinstance(seconds, int):
        return '"pause" needs "duration_seconds", a whole number of seconds'
    if not 0 < seconds <= MAX_PAUSE_SECONDS:
        return f'"duration_seconds" must be between 1 and {MAX_PAUSE_SECONDS}'
    return None


class _TooLongError(ControlError):
    pass


def _receive(
    conn: _Conn, deadline: float, timeout: float, limit: int = MAX_MESSAGE + MAC_SIZE
) -> bytes:
    if not conn.poll(max(0.0, deadline - time.monotonic())):
        raise ControlError(f"no answer within {timeout:g} s")
    try:
        return conn.recv_bytes(limit)
    except EOFError:
        raise ControlError("the other end closed the connection without answering") from None
    except (BlockingIOError, TimeoutError, ConnectionError) as error:
        raise ControlError(f"the connection broke off: {error}") from None
    except OSError as error:  # multiprocessing's "bad message length"
        raise _TooLongError(str(error)) from None


def _parse_reply(data: bytes) -> dict[str, object]:
    try:
        reply = json.loads(data)
    except (ValueError, RecursionError):
        reply = None
    if (
        not isinstance(reply, dict)
        or not isinstance(reply.get("ok"), bool)
        or not isinstance(reply.get("message"), str)
    ):
        raise ControlError("deskmobility sent a reply this version cannot read")
    return reply


def _ping(runtime_dir: Path, key_file: Path | None) -> dict[str, object] | None:
    try:
        return send_command(runtime_dir, {"command": "ping"}, timeout=1.0, key_file=key_file)
    except ControlError:
        return None


def _error(message: str) -> dict[str, object]:
    return {"ok": False, "message": message}


def _encode(reply: Mapping[str, object]) -> bytes:
    return json.dumps(reply, ensure_ascii=False).encode()


def _read_key(key_file: Path) -> bytes:
    try:
        key = key_file.read_bytes()
    except FileNotFoundError:
        raise NotRunning from None  # the server writes it when it starts
    except OSError as error:
        raise ControlError(f"cannot read the control key {key_file}: {error}") from None
    if len(key) < NONCE_SIZE:
        raise ControlError(f"the control key {key_file} is damaged; restart deskmobility")
    return key


def _listen(address: str, family: str) -> Listener:
    if family != "AF_UNIX":
        return Listener(address, family, backlog=_BACKLOG)
    Path(address).unlink(missing_ok=True)  # stale: we hold the lock and nothing answered
    # umask is process-wide: claim() belongs at startup, before other threads create files.
    old = os.umask(0o177)
    try:
        listener = Listener(address, family, backlog=_BACKLOG)
    finally:
        os.umask(old)
    Path(address).chmod(0o600)
    return listener


def _private_folder(folder: Path) -> None:
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if os.name == "posix":
            _check_owner(folder)
            if stat.S_IMODE(folder.stat().st_mode) != 0o700:  # noqa: PLR2004
                folder.chmod(0o700)
    except OSError as error:
        raise ControlError(f"cannot prepare {folder}: {error}") from None


def _check_owner(folder: Path) -> None:
    """Refuse a folder another user made (e.g. a squatted /tmp fallback runtime dir)."""
    try:
        owner = folder.stat().st_uid
    except FileNotFoundError:
        raise NotRunning from None
    if owner != os.getuid():
        raise ControlError(f"{folder} belongs to another user; not using it")


def _lock_instance(path: Path) -> InstanceLock | None:
    try:
        return InstanceLock.try_acquire(path)
    except OSError as error:
        raise ControlError(f"cannot open the instance lock {path}: {error}") from None
