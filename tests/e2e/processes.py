"""Child processes for the e2e desktop: each in its own process group, each stopped by its id.

``ProcessGroup`` remembers every process it started (its label, log file and owner) so that
teardown ends exactly those, newest first: SIGTERM to the process group, then SIGKILL if it
has not gone after a few seconds. Nothing is ever looked up or killed by name.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from pathlib import Path

STOP_TIMEOUT = 5.0
_LOG_TAIL = 1500


class DesktopError(AssertionError):
    """The desktop, or something on it, did not do what a test waited for."""


@dataclass
class _Child:
    label: str
    popen: subprocess.Popen[bytes]
    log: Path
    owner: str | None


class ProcessGroup:
    """The processes one desktop started; ``owner`` ties a process to the test that started it."""

    def __init__(self) -> None:
        self._children: list[_Child] = []

    def start(
        self,
        label: str,
        argv: Sequence[str],
        *,
        env: dict[str, str],
        log: Path,
        owner: str | None = None,
        stdout: Path | None = None,
        pass_fds: Sequence[int] = (),
    ) -> subprocess.Popen[bytes]:
        """Start ``argv`` in a new session (so a new process group), stderr appended to ``log``.

        stdout goes to ``stdout`` (truncated) when given, else to ``log`` too.
        """
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as err, (stdout or log).open("wb" if stdout else "ab") as out:
            err.write(f"--- {time.strftime('%H:%M:%S')} starting: {' '.join(argv)}\n".encode())
            err.flush()
            popen = subprocess.Popen(
                list(argv),
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,
                pass_fds=tuple(pass_fds),
            )
        self._children.append(_Child(label, popen, log, owner))
        return popen

    def stop(self, popen: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> int:
        """Signal ``popen``'s process group, wait for it (SIGKILL after a while), forget it."""
        for child in list(self._children):
            if child.popen is popen:
                self._children.remove(child)
        return _stop(popen, sig)

    def stop_owned_by(self, owner: str | None) -> None:
        """Stop every process started for ``owner`` (a test), newest first."""
        if owner is not None:
            self._stop_each([c for c in self._children if c.owner == owner])

    def stop_all(self) -> None:
        """Stop every process still remembered, newest first."""
        self._stop_each(list(self._children))

    def _stop_each(self, children: list[_Child]) -> None:
        errors = []
        for child in reversed(children):
            try:
                self.stop(child.popen)
            except OSError as error:  # keep going: every other process must still be ended
                errors.append(f"{child.label} (pid {child.popen.pid}): {error}")
        if errors:
            raise DesktopError("could not stop: " + "; ".join(errors))

    def check_alive(self, labels: Iterable[str]) -> None:
        """Raise DesktopError (with logs) if a process with one of ``labels`` has exited."""
        wanted = set(labels)
        dead = [c for c in self._children if c.label in wanted and c.popen.poll() is not None]
        if dead:
            names = ", ".join(f"{c.label} (exit {c.popen.returncode})" for c in dead)
            raise DesktopError(f"desktop process died: {names}\n{self.describe()}")

    def describe(self, owner: str | None = None) -> str:
        """Processes (all, or ``owner``'s) with state and the end of their logs, for errors."""
        parts = []
        for child in self._children:
            if owner is not None and child.owner != owner:
                continue
            code = child.popen.poll()
            state = "running" if code is None else f"exited {code}"
            tail = _tail(child.log)
            parts.append(
                f"--- {child.label} (pid {child.popen.pid}, {state}), {child.log}:\n{tail}"
            )
        return "\n".join(parts)


def _stop(popen: subprocess.Popen[bytes], sig: int) -> int:
    # start_new_session=True made the child a process group leader: its pid is the group id.
    # The group is signalled even when the leader has exited, to reach what it left behind.
    for signum in (sig, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(popen.pid, signum)
        try:
            return popen.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            continue
    return popen.wait()


def _tail(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        return f"(no log: {error})"
    return data[-_LOG_TAIL:].decode("utf-8", "replace")


def wait_until(
    condition: Callable[[], bool],
    timeout: float,
    what: str,
    diagnose: Callable[[], str] | None = None,
    step: float = 0.05,
) -> None:
    """Poll ``condition`` every ``step`` s until it is true; DesktopError after ``timeout`` s.

    An exception from ``condition`` counts as "not yet" (a socket not there yet, a file
    half-written) and the last one is reported if time runs out; a DesktopError from it
    (such as "the process died") ends the wait at once.
    """
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            if condition():
                return
        except DesktopError:
            raise
        except Exception as error:  # noqa: BLE001 - any failure to probe means "not ready yet"
            last_error = error
        if time.monotonic() >= deadline:
            break
        time.sleep(step)
    message = f"timed out after {timeout:g} s waiting for {what}"
    if last_error is not None:
        message += f"\nlast error: {last_error!r}"
    if diagnose is not None:
        message += "\n" + diagnose()
    raise DesktopError(message)


def read_line(fd: int, timeout: float, what: str, diagnose: Callable[[], str]) -> str:
    """Read one line from a pipe (then close it), DesktopError after ``timeout`` s or at EOF."""
    deadline = time.monotonic() + timeout
    data = b""
    try:
        while b"\n" not in data:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise DesktopError(
                    f"timed out after {timeout:g} s waiting for {what}\n{diagnose()}"
                )
            chunk = os.read(fd, 4096)
            if not chunk:
                raise DesktopError(f"pipe closed while waiting for {what}\n{diagnose()}")
            data += chunk
    finally:
        os.close(fd)
    return data.split(b"\n", 1)[0].decode().strip()
