r"""The control channel: one running deskmobility, driven by ``deskmobility pause`` and friends.

One JSON request per connection, one JSON reply, each framed by a 4-byte length. The
address is an AF_UNIX socket at ``<runtime folder>/control.sock``, or on Windows the named
pipe ``\\.\pipe\deskmobility-<user>``. The commands and their checks are the table in
``core/commands.py``.

Who may talk to it:

* POSIX: the folder is ours and 0700, the socket 0600, and the peer's uid is asked of the
  kernel (SO_PEERCRED on Linux, LOCAL_PEERCRED on macOS), by the server of each client and
  by each client of the server. A plain socket (``_control_unix``): no key, no hmac, no
  multiprocessing, and one thread that never waits on a client.
* Windows: pipe names are global, so any user could open ours or create it first. Both ends
  prove they know a per-run key (``_control_keyed``). That path also runs on POSIX when a
  key file is given, which is how the tests exercise it on Linux.

Runtime folders are tried in order (``Paths.runtime_dirs``): a folder that is another
user's, cannot be written, or gives a socket path too long to bind is passed over, with the
reason in the log, for the next. Clients look in the same order.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Self

from deskmobility.adapters._control_client import (
    CLIENT_TIMEOUT,
    KEY_NAME,
    LOCK_NAME,
    MAX_MESSAGE,
    SOCKET_NAME,
    Folders,
    address_for,
    key_file_for,
    send_command,
)
from deskmobility.adapters._control_client import folders as folder_list
from deskmobility.adapters._control_os import (
    ControlError,
    InstanceLock,
    NotRunning,
    lock_instance,
    private_folder,
)
from deskmobility.adapters.selection import PassedOver, Selection
from deskmobility.core.commands import COMMANDS, PING, check_request

log = logging.getLogger(__name__)

__all__ = [
    "CLIENT_TIMEOUT",
    "COMMANDS",
    "KEY_NAME",
    "LOCK_NAME",
    "MAX_MESSAGE",
    "SOCKET_NAME",
    "AlreadyRunning",
    "ControlError",
    "ControlHandler",
    "ControlServer",
    "NotRunning",
    "address_for",
    "check_request",
    "key_file_for",
    "send_command",
]


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


class _Transport(Protocol):
    def start(self) -> None: ...
    def close(self, timeout: float = ...) -> None: ...


class ControlServer:
    """The listening end: claimed once per user, then served on a daemon thread."""

    def __init__(
        self, folder: Path, address: tuple[str, str], lock: InstanceLock, key: bytes | None
    ) -> None:
        self.folder = folder
        self.address, self._family = address
        self._lock = lock
        self._key = key
        self._handler: ControlHandler | None = None
        self._transport = self._make_transport()
        self._started = False
        self._closed = False
        self.selection = self.describe(())

    def describe(self, passed_over: tuple[PassedOver, ...] = ()) -> Selection[str]:
        """The channel in the shape every backend choice has: what, why, what was passed over."""
        if self._key is None:
            why = "a Unix socket only this user can open (the peer's uid checked by the kernel)"
            return Selection(self.address, "unix-socket", why, passed_over)
        why = "a channel where both ends prove they know this run's key (pipe names are global)"
        return Selection(self.address, "keyed", why, passed_over)

    @classmethod
    def claim(
        cls,
        runtime_dirs: Folders,
        *,
        key_file: Path | None = None,
        lock_file: Path | None = None,
    ) -> Self | AlreadyRunning:
        """Become the one running instance, or say which one already is.

        The instance lock (in ``lock_file`` when its folder can hold it, else in a runtime
        folder; held until close) makes two simultaneous starts race-free wherever their
        sockets end up. A socket left by a crash is unlinked once nothing answers a ping on it.
        Raises ControlError, with every folder's reason, when no folder can be used.
        """
        folders = folder_list(runtime_dirs)
        lock = _lock([lock_file] if lock_file else [], folders)
        pong = _ping(folders, key_file)
        if lock is None or pong is not None:
            if lock is not None:  # the lock file was deleted under a running instance
                lock.release()
            pid = pong.get("pid") if pong is not None else None
            if isinstance(pid, int):
                return AlreadyRunning(f"deskmobility is already running (pid {pid})", pid)
            return AlreadyRunning("deskmobility is already running (starting, or not answering)")
        passed_over: list[PassedOver] = []
        try:
            for folder in folders:
                try:
                    server = cls._serve_in(folder, lock, key_file)
                except ControlError as error:
                    passed_over.append(PassedOver(str(folder), str(error)))
                    continue
                server.selection = server.describe(tuple(passed_over))
                if passed_over:
                    log.warning("control channel: %s", server.selection.reason)
                return server
        except BaseException:
            lock.release()
            raise
        lock.release()
        reasons = "; ".join(item.reason for item in passed_over)
        raise ControlError("no folder can hold the control channel: " + reasons)

    @classmethod
    def _serve_in(cls, folder: Path, lock: InstanceLock, key_file: Path | None) -> Self:
        private_folder(folder)
        address = address_for(folder)
        try:
            key = _new_key(key_file) if key_file is not None else None
            server = cls(folder, address, lock, key)
        except OSError as error:
            raise ControlError(f"cannot open the control channel in {folder}: {error}") from None
        log.info("control channel at %s", address[0])
        return server

    def _make_transport(self) -> _Transport:
        if self._key is None and self._family == "AF_UNIX":
            from deskmobility.adapters import _control_unix  # noqa: PLC0415

            path = Path(self.address)
            return _control_unix.UnixServer(
                _control_unix.listen(path),
                path,
                answer=self._answer,
                too_long=self._too_long,
                limit=MAX_MESSAGE,
                timeout=CLIENT_TIMEOUT,
            )
        if self._key is None:
            raise OSError("the control channel needs a key on this system")
        from deskmobility.adapters import _control_keyed  # noqa: PLC0415

        if self._family == "AF_UNIX":
            Path(self.address).unlink(missing_ok=True)  # stale: we hold the lock
        return _control_keyed.KeyedServer(
            (self.address, self._family),
            self._key,
            answer=self._answer,
            limit=MAX_MESSAGE,
            timeout=CLIENT_TIMEOUT,
        )

    def start(self, handler: ControlHandler) -> None:
        """Serve requests with ``handler`` on a daemon thread."""
        if self._started:
            raise RuntimeError("the control server is already serving")
        self._handler = handler
        self._started = True
        self._transport.start()

    def close(self, timeout: float = 3.0) -> None:
        """Stop serving (the reply in hand is still sent), remove the socket, unlock."""
        if self._closed:
            return
        self._closed = True
        self._transport.close(timeout)
        self._lock.release()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _too_long(self) -> bytes:
        return _encode(_error(f"request too long (limit {MAX_MESSAGE} bytes)"))

    def _answer(self, payload: bytes) -> bytes:
        reply = _encode(self._reply(payload))
        if len(reply) > MAX_MESSAGE:
            log.warning("control: a %d-byte reply was too long to send", len(reply))
            return _encode(_error("the reply was too long to send; see the log"))
        return reply

    def _reply(self, payload: bytes) -> dict[str, object]:
        try:
            request = json.loads(payload)
        except (ValueError, RecursionError):
            return _error("the request is not valid JSON")
        problem = check_request(request)
        if problem is not None:
            return _error(problem)
        if request["command"] == PING:
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


def _lock(preferred: list[Path], folders: Sequence[Path]) -> InstanceLock | None:
    """The instance lock (None: another process holds it), in the first folder that can hold it.

    A state folder that cannot be written (read-only, immutable) must not stop the app:
    the lock then goes to a runtime folder, as before it had a place of its own.
    """
    passed_over: list[str] = []
    for path in [*preferred, *(folder / LOCK_NAME for folder in folders)]:
        try:
            private_folder(path.parent)
            lock = lock_instance(path)
        except ControlError as error:
            passed_over.append(str(error))
            continue
        if passed_over:
            log.warning("instance lock in %s; passed over %s", path, "; ".join(passed_over))
        return lock
    raise ControlError("no folder can hold the instance lock: " + "; ".join(passed_over))


def _ping(folders: Sequence[Path], key_file: Path | None) -> dict[str, object] | None:
    try:
        return send_command(folders, {"command": PING}, timeout=1.0, key_file=key_file)
    except ControlError:
        return None


def _error(message: str) -> dict[str, object]:
    return {"ok": False, "message": message}


def _encode(reply: Mapping[str, object]) -> bytes:
    return json.dumps(reply, ensure_ascii=False).encode()


def _new_key(key_file: Path) -> bytes:
    from deskmobility.adapters._control_keyed import new_key  # noqa: PLC0415

    return new_key(key_file)
