"""How fast the running app answers ``status`` while other clients stall the control channel.

Run from the repository root with the project's Python (a measurement, not a test)::

    python -m bench.control_latency [--requests 200] [--silent 18] [--tricklers 2]

It starts ``deskmobility run --no-tray`` with a fresh HOME (no desktop: the control
channel is what is measured), then opens ``--silent`` connections that never send a
byte and ``--tricklers`` clients that claim a 60,000-byte request and send one byte every
0.3 s, reconnecting whenever the server drops them (so the stall never ends). Meanwhile
it sends ``--requests`` status requests one after another, each on a new connection, and
reports the round-trip times: median, 90th and 99th percentile, and worst. The same
requests with no stalled client first give the baseline.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "DBUS", "DISPLAY"))}
    env["HOME"] = str(home)
    runtime = home / "runtime"
    runtime.mkdir(mode=0o700)
    env["XDG_RUNTIME_DIR"] = str(runtime)
    return env


def _status_times(runtime: Path, count: int) -> list[float]:
    from deskmobility.adapters.control import send_command  # noqa: PLC0415

    times = []
    for _ in range(count):
        began = time.perf_counter()
        reply = send_command(runtime, {"command": "status"}, timeout=30)
        times.append(time.perf_counter() - began)
        if not reply["ok"]:
            raise SystemExit(f"status failed: {reply}")
    return times


def _trickle(address: str, stop: threading.Event) -> None:
    while not stop.is_set():
        with socket.socket(socket.AF_UNIX) as sock:
            try:
                sock.connect(address)
                sock.sendall(struct.pack("!i", 60_000))
                while not stop.wait(0.3):
                    sock.sendall(b"x")
            except OSError:
                continue  # dropped by the server: come back at once


def _report(name: str, times: list[float]) -> None:
    ms = sorted(t * 1000 for t in times)
    p90 = ms[int(len(ms) * 0.9) - 1]
    p99 = ms[int(len(ms) * 0.99) - 1]
    print(
        f"{name:<34} median {statistics.median(ms):6.2f} ms   p90 {p90:6.2f} ms   "
        f"p99 {p99:6.2f} ms   worst {ms[-1]:7.2f} ms   (n={len(ms)})"
    )


def main() -> int:
    """Run the measurement; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--silent", type=int, default=18)
    parser.add_argument("--tricklers", type=int, default=2)
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="dm-latency-"))
    env = _env(home)
    runtime = Path(env["XDG_RUNTIME_DIR"]) / "deskmobility"
    os.environ.update(env)
    app = subprocess.Popen(
        [sys.executable, "-m", "deskmobility", "run", "--no-tray"],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    stop = threading.Event()
    silent: list[socket.socket] = []
    try:
        deadline = time.monotonic() + 30
        while not (runtime / "control.sock").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        _status_times(runtime, 5)  # warm up
        _report("no stalled client", _status_times(runtime, args.requests))
        address = str(runtime / "control.sock")
        for _ in range(args.silent):
            sock = socket.socket(socket.AF_UNIX)
            sock.connect(address)
            silent.append(sock)
        for _ in range(args.tricklers):
            threading.Thread(target=_trickle, args=(address, stop), daemon=True).start()
        time.sleep(0.5)
        label = f"{args.silent} silent + {args.tricklers} trickling"
        _report(label, _status_times(runtime, args.requests))
    finally:
        stop.set()
        for sock in silent:
            sock.close()
        app.send_signal(signal.SIGTERM)
        app.wait(timeout=15)
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
