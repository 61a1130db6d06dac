"""Notice edits to the config file without waking up while nothing changes.

On Linux we block on inotify (through ctypes; no dependency) watching the file's folder,
so that editors that save by writing a new file and renaming it are seen too. Elsewhere
we compare the file's stat every few seconds: cheap, and only there.
"""

from __future__ import annotations

import ctypes
import logging
import os
import struct
import sys
import threading
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

POLL_SECONDS = 3.0
SETTLE_SECONDS = 0.3  # editors write in bursts; wait for the burst to end before reloading

_IN_CLOSE_WRITE = 0x008
_IN_MOVED_TO = 0x080
_IN_CREATE = 0x100
_IN_DELETE = 0x200
_IN_MOVED_FROM = 0x040
_IN_DELETE_SELF = 0x400
_IN_MOVE_SELF = 0x800
_MASK = (
    _IN_CLOSE_WRITE
    | _IN_MOVED_TO
    | _IN_CREATE
    | _IN_DELETE
    | _IN_MOVED_FROM
    | _IN_DELETE_SELF
    | _IN_MOVE_SELF
)
_EVENT = struct.Struct("iIII")


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


class ConfigWatcher:
    """Calls ``on_change`` (on the watcher's thread) after the config file changes."""

    def __init__(self, path: Path, on_change: Callable[[], None]) -> None:
        self.path = path
        self._on_change = on_change
        self._stop = threading.Event()
        self._last = _signature(path)
        self.method = "inotify" if sys.platform.startswith("linux") and _libc() else "polling"
        self._thread = threading.Thread(target=self._run, name="config-watch", daemon=True)

    def start(self) -> None:
        """Start watching."""
        self._thread.start()

    def stop(self) -> None:
        """Stop watching (the inotify thread ends with the process; it holds nothing)."""
        self._stop.set()

    def _changed(self) -> None:
        current = _signature(self.path)
        if current != self._last:
            self._last = current
            try:
                self._on_change()
            except Exception:
                # One edit that breaks the reload must not end the watching: the next
                # edit (the fix) has to be seen.
                log.exception("applying the edited config failed; still watching it")

    def _run(self) -> None:
        try:
            if self.method == "inotify":
                self._run_inotify()
            else:
                self._run_polling()
        except Exception:
            log.exception("config watcher stopped; edits are picked up after a restart")

    def _run_polling(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            self._changed()

    def _run_inotify(self) -> None:
        libc = _libc()
        assert libc is not None  # noqa: S101  # checked when choosing the method
        fd = libc.inotify_init1(os.O_CLOEXEC)
        if fd < 0:
            log.warning("inotify unavailable; polling the config every %s s", POLL_SECONDS)
            self.method = "polling"
            self._run_polling()
            return
        try:
            while not self._stop.is_set():
                folder = _nearest_existing(self.path.parent)
                wd = libc.inotify_add_watch(fd, os.fsencode(folder), _MASK)
                if wd < 0:
                    self.method = "polling"
                    self._run_polling()
                    return
                self._changed()  # catch anything that happened before the watch was set
                self._wait_events(fd, folder)
                libc.inotify_rm_watch(fd, wd)
        finally:
            os.close(fd)

    def _wait_events(self, fd: int, folder: Path) -> None:
        """Block on inotify until the watched folder goes away or a missing folder appears."""
        import select  # noqa: PLC0415

        while not self._stop.is_set():
            data = os.read(fd, 64 * 1024)
            # Let a burst of writes settle, then drain whatever else arrived.
            while select.select([fd], [], [], SETTLE_SECONDS)[0]:
                data += os.read(fd, 64 * 1024)
            self._changed()
            masks = [_EVENT.unpack_from(data, offset)[1] for offset in _offsets(data)]
            gone = any(mask & (_IN_DELETE_SELF | _IN_MOVE_SELF) for mask in masks)
            if gone or folder != _nearest_existing(self.path.parent):
                return


def _offsets(data: bytes) -> list[int]:
    offsets, offset = [], 0
    while offset + _EVENT.size <= len(data):
        offsets.append(offset)
        offset += _EVENT.size + _EVENT.unpack_from(data, offset)[3]
    return offsets


def _nearest_existing(folder: Path) -> Path:
    while not folder.is_dir() and folder.parent != folder:
        folder = folder.parent
    return folder


def _libc() -> ctypes.CDLL | None:
    # CDLL(None) is the running process, which has libc loaded; ctypes.util.find_library
    # would spawn ldconfig to find the same thing.
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    return libc if hasattr(libc, "inotify_init1") else None
