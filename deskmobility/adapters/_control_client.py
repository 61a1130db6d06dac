"""The client end of the control channel: find the running app's socket and ask it.

Runtime folders are tried in order; one that does not exist, has no socket, or is
another user's is passed over. The plain Unix socket's client is here (the command-line
verbs import no server and no logging); the keyed channel (``_control_keyed``) is
imported only when a key is given.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import struct
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from deskmobility.adapters._control_os import (
    ControlError,
    NotRunning,
    PassedOverError,
    check_owner,
    peer_uid,
    read_key,
)

MAX_MESSAGE = 64 * 1024
CLIENT_TIMEOUT = 2.0  # for a whole request, from connect to the last byte
SOCKET_NAME = "control.sock"
LOCK_NAME = "instance.lock"
KEY_NAME = "control.key"

Folders = Path | Sequence[Path]


def key_file_for(state_dir: Path, platform: str = sys.platform) -> Path | None:
    """Where the channel's key lives: a file on Windows; None elsewhere (the kernel vouches)."""
    return state_dir / KEY_NAME if platform == "win32" else None


def address_for(runtime_dir: Path, platform: str = sys.platform) -> tuple[str, str]:
    """The listening address and its multiprocessing family for this user."""
    if platform == "win32":
        import getpass  # noqa: PLC0415

        user = re.sub(r"[^A-Za-z0-9._-]", "_", getpass.getuser())
        return rf"\\.\pipe\deskmobility-{user}", "AF_PIPE"
    return str(runtime_dir / SOCKET_NAME), "AF_UNIX"


def folders(runtime_dirs: Folders) -> list[Path]:
    return [runtime_dirs] if isinstance(runtime_dirs, Path) else list(runtime_dirs)


def send_command(
    runtime_dirs: Folders,
    request: Mapping[str, object],
    timeout: float = 3.0,
    *,
    key_file: Path | None = None,
) -> dict[str, object]:
    """Send one request to the running app and return its reply, within ``timeout`` in all.

    Raises NotRunning when nothing listens, ControlError for anything else that goes wrong.
    """
    payload = json.dumps(dict(request)).encode()
    deadline = time.monotonic() + timeout
    key = read_key(key_file) if key_file is not None else None
    passed_over: list[str] = []
    for folder in folders(runtime_dirs):
        try:
            data = _exchange(folder, payload, deadline, key)
        except NotRunning:
            continue
        except PassedOverError as error:
            passed_over.append(str(error))
            continue
        except TimeoutError:
            raise ControlError(f"no answer within {timeout:g} s") from None
        except EOFError as error:
            raise ControlError(str(error) or "the connection closed without a reply") from None
        except OSError as error:
            raise ControlError(f"the connection to deskmobility failed: {error}") from None
        return parse_reply(data)
    if passed_over:
        raise NotRunning(f"deskmobility is not running ({'; '.join(passed_over)})")
    raise NotRunning


def _exchange(folder: Path, payload: bytes, deadline: float, key: bytes | None) -> bytes:
    address, family = address_for(folder)
    if family == "AF_UNIX":
        check_owner(folder)
    try:
        if key is None and family == "AF_UNIX":
            try:
                return exchange(Path(address), payload, deadline, MAX_MESSAGE)
            except PathTooLongError:
                raise NotRunning from None  # no server can have bound there either
        if key is None:
            raise ControlError("the control channel needs its key on this system")
        from deskmobility.adapters import _control_keyed  # noqa: PLC0415

        try:
            return _control_keyed.exchange(
                address, family, key, payload, deadline=deadline, limit=MAX_MESSAGE
            )
        except _control_keyed.HandshakeError as error:
            raise ControlError(str(error)) from None
    except (FileNotFoundError, ConnectionRefusedError):
        raise NotRunning from None
    except PermissionError as error:
        raise PassedOverError(str(error)) from None


def parse_reply(data: bytes) -> dict[str, object]:
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


# -- the plain Unix socket (the server's side is _control_unix) --------------------------

HEADER = struct.Struct("!i")
# sun_path is 108 bytes on Linux and 104 on macOS and the BSDs, the final NUL included.
MAX_PATH = 107 if sys.platform.startswith("linux") else 103


class PathTooLongError(OSError):
    """A socket path longer than AF_UNIX allows, on a system with no way around it."""


@contextlib.contextmanager
def short_address(path: Path) -> Iterator[str]:
    """An address for ``path`` that fits in AF_UNIX's sun_path.

    A path that is too long is reached on Linux through ``/proc/self/fd/N/``, N being
    its folder held open for the duration; elsewhere PathTooLongError says so.
    """
    if len(os.fsencode(path)) <= MAX_PATH:
        yield str(path)
        return
    if not Path("/proc/self/fd").is_dir():
        raise PathTooLongError(
            f"{path} is {len(os.fsencode(path))} bytes long; a Unix socket path can have "
            f"at most {MAX_PATH}"
        )
    fd = os.open(path.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        yield f"/proc/self/fd/{fd}/{path.name}"
    finally:
        os.close(fd)


def exchange(path: Path, payload: bytes, deadline: float, limit: int) -> bytes:
    """Send one framed request to ``path`` and return the reply, all before ``deadline``.

    Raises FileNotFoundError or ConnectionRefusedError when nothing listens there,
    PermissionError when another user's process does, TimeoutError past the deadline,
    and EOFError when the server hangs up without a reply.
    """
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(_left(deadline))
        with short_address(path) as address:
            sock.connect(address)
        uid = peer_uid(sock)
        if uid is not None and uid != os.getuid():
            raise PermissionError(f"the socket {path} is served by uid {uid}, not by you")
        sock.settimeout(_left(deadline))
        sock.sendall(HEADER.pack(len(payload)) + payload)
        (size,) = HEADER.unpack(_read(sock, HEADER.size, deadline))
        if not 0 <= size <= limit:
            raise EOFError(f"the reply claims {size} bytes; at most {limit} are expected")
        return _read(sock, size, deadline)


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("timed out")
    return left


def _read(sock: socket.socket, size: int, deadline: float) -> bytes:
    data = bytearray()
    while len(data) < size:
        sock.settimeout(_left(deadline))
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise EOFError("the other end closed the connection without answering")
        data += chunk
    return bytes(data)
