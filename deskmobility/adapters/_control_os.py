"""What the control channel asks of the operating system.

* Peer credentials: the uid at the other end of a Unix socket, from SO_PEERCRED on Linux and
  LOCAL_PEERCRED on macOS; elsewhere the OS cannot say.
* Bounded socket I/O for the keyed channel's connections: SO_RCVTIMEO/SO_SNDTIMEO on POSIX.
* The instance lock: ``flock`` on POSIX, ``msvcrt.locking`` on Windows.
* The folders: ours, private, not a link; and the channel's errors.
"""

from __future__ import annotations

import os
import socket
import stat
import struct
import sys
from pathlib import Path
from typing import Protocol, Self

# macOS <sys/un.h> and <sys/ucred.h>; Python's socket module does not name them.
_SOL_LOCAL = 0
_LOCAL_PEERCRED = 1
_XUCRED_SIZE = 76


class _HasFileno(Protocol):
    def fileno(self) -> int: ...


# --- sockets ------------------------------------------------------------------------------


def peer_uid(conn: _HasFileno) -> int | None:
    """The uid of the process at the other end, or None where the OS cannot say."""
    if sys.platform not in ("linux", "darwin"):
        return None  # Windows: the HMAC key decides; other POSIX: the 0700 folder and 0600 socket
    if isinstance(conn, socket.socket):
        return _peer_uid(conn)
    with socket.fromfd(conn.fileno(), socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        return _peer_uid(sock)


def _peer_uid(sock: socket.socket) -> int | None:
    if sys.platform == "linux":
        raw = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("iII"))
        return int(struct.unpack("iII", raw)[1])
    else:  # noqa: RET505  # macOS, struct xucred: cr_version, cr_uid, ...
        raw = sock.getsockopt(_SOL_LOCAL, _LOCAL_PEERCRED, _XUCRED_SIZE)
        version, uid = struct.unpack_from("=II", raw)
        return int(uid) if version == 0 else None


def limit_io(conn: _HasFileno, seconds: float) -> None:
    """Bound each read and write, so a client that stalls mid-message is dropped too."""
    if os.name != "posix":
        return  # Windows pipes: poll() bounds the wait for a request; replies are small
    timeval = struct.pack("@ll", int(seconds), int(seconds % 1 * 1_000_000))
    with socket.fromfd(conn.fileno(), socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeval)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeval)


# --- one instance per user ----------------------------------------------------------------


class InstanceLock:
    """An exclusive lock on ``instance.lock``, held for the life of the process that claims."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    @classmethod
    def try_acquire(cls, path: Path) -> Self | None:
        """The lock, or None when another process holds it; OSError if ``path`` cannot be opened."""
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if sys.platform == "win32":
                import msvcrt  # noqa: PLC0415

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl  # noqa: PLC0415

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return None
        return cls(fd)

    def release(self) -> None:
        """Let go of the lock; releasing twice is fine."""
        if self._fd < 0:
            return
        if sys.platform == "win32":
            import msvcrt  # noqa: PLC0415

            os.lseek(self._fd, 0, os.SEEK_SET)
            msvcrt.locking(self._fd, msvcrt.LK_UNLCK, 1)
        os.close(self._fd)  # on POSIX closing drops the flock
        self._fd = -1


# --- folders, keys and errors -----------------------------------------------------------


class ControlError(Exception):
    """The control channel failed; the message says how."""


class NotRunning(ControlError):  # noqa: N818  # the name says it: `except NotRunning`
    """Nothing answers at the control address."""

    def __init__(self, message: str = "deskmobility is not running") -> None:
        super().__init__(message)


class PassedOverError(ControlError):
    """A folder that cannot be the one our app uses (another user's)."""


def private_folder(folder: Path) -> None:
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if os.name == "posix":
            if folder.is_symlink():
                raise ControlError(f"{folder} is a symbolic link; not using it")
            check_owner(folder)
            if stat.S_IMODE(folder.stat().st_mode) != 0o700:  # noqa: PLR2004
                folder.chmod(0o700)
    except OSError as error:
        raise ControlError(f"cannot use {folder}: {error.strerror or error}") from None


def check_owner(folder: Path) -> None:
    """Refuse a folder another user made (e.g. a squatted /tmp fallback runtime dir)."""
    try:
        info = folder.lstat()
    except FileNotFoundError:
        raise NotRunning from None
    if info.st_uid != os.getuid():
        raise PassedOverError(f"{folder} belongs to another user; not using it")


def lock_instance(path: Path) -> InstanceLock | None:
    try:
        return InstanceLock.try_acquire(path)
    except OSError as error:
        raise ControlError(f"cannot open the instance lock {path}: {error.strerror}") from None


def read_key(key_file: Path) -> bytes:
    try:
        key = key_file.read_bytes()
    except FileNotFoundError:
        raise NotRunning from None  # the server writes it when it starts
    except OSError as error:
        raise ControlError(f"cannot read the control key {key_file}: {error}") from None
    if len(key) < 32:  # noqa: PLR2004  # the key is 32 random bytes
        raise ControlError(f"the control key {key_file} is damaged; restart deskmobility")
    return key
