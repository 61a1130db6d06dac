"""What the control channel asks of the operating system, and the key handshake for Windows.

* Peer credentials: the uid at the other end of a Unix socket, from SO_PEERCRED on Linux and
  LOCAL_PEERCRED on macOS; elsewhere the OS cannot say.
* Bounded socket I/O: SO_RCVTIMEO/SO_SNDTIMEO on POSIX, so a client that stalls mid-message
  is dropped.
* The instance lock: ``flock`` on POSIX, ``msvcrt.locking`` on Windows.
* The key handshake, for Windows named pipes (any user may open one): both ends prove they
  know the key by HMAC over fresh nonces, in each direction. A request frame is
  ``client nonce + MAC + payload``, a reply frame ``MAC + payload``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import socket
import struct
import sys
from typing import TYPE_CHECKING, Protocol, Self

if TYPE_CHECKING:
    from pathlib import Path

NONCE_SIZE = 32
MAC_SIZE = 32
_REQUEST_TAG = b"deskmobility control request"
_REPLY_TAG = b"deskmobility control reply"
# macOS <sys/un.h> and <sys/ucred.h>; Python's socket module does not name them.
_SOL_LOCAL = 0
_LOCAL_PEERCRED = 1
_XUCRED_SIZE = 76


class _HasFileno(Protocol):
    def fileno(self) -> int: ...


# --- the key handshake ------------------------------------------------------------------


def new_nonce() -> bytes:
    """A fresh random nonce."""
    return secrets.token_bytes(NONCE_SIZE)


def new_key(key_file: Path) -> bytes:
    """A fresh key for this run, written 0600 (on Windows the per-user folder's ACL guards it)."""
    key = secrets.token_bytes(NONCE_SIZE)
    key_file.parent.mkdir(parents=True, exist_ok=True)
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


# --- sockets ------------------------------------------------------------------------------


def peer_uid(conn: _HasFileno) -> int | None:
    """The uid of the process at the other end, or None where the OS cannot say."""
    if sys.platform == "linux":
        with socket.fromfd(conn.fileno(), socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            raw = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("iII"))
        return int(struct.unpack("iII", raw)[1])
    elif sys.platform == "darwin":  # noqa: RET505  # struct xucred: cr_version, cr_uid, ...
        with socket.fromfd(conn.fileno(), socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            raw = sock.getsockopt(_SOL_LOCAL, _LOCAL_PEERCRED, _XUCRED_SIZE)
        version, uid = struct.unpack_from("=II", raw)
        return int(uid) if version == 0 else None
    else:
        return None  # Windows: the HMAC key decides; other POSIX: the 0700 folder and 0600 socket


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
