"""Soak: the real app with one-second reminders for a long while; does anything leak?

Run from the repository root with the project's Python (not a test; the CI version is
tests/e2e/test_soak_short.py, one minute long)::

    python -m bench.soak [--minutes 10] [--warmup 60] [--every 10] [--json FILE]

It brings up a private desktop with the e2e harness of ``tests/e2e/desktop.py`` (Xvfb, a
private session bus, dunst, trayer), starts ``deskmobility run`` with a fresh HOME and a
config that makes all three reminders due every second (a notification a second, each
one through the do-not-disturb check, the history database and a tray refresh), moves
the pointer at every sample (someone at the desk: no natural break), and samples the
app's process tree from /proc every ``--every`` seconds:

- RSS (``VmRSS``) and PSS (``/proc/PID/smaps_rollup``), summed over the tree;
- threads (``/proc/PID/task``) and open file descriptors (``/proc/PID/fd``).

Time 0 is when the app's log says its tray icon is up.

It reports the RSS growth after the warm-up (last sample minus the first one after the
warm-up, and the least-squares slope over every sample after it), threads and fds at the
start, after the warm-up and at the end, and how many notifications reached the server.
The app is then stopped with SIGTERM; a clean exit (status 0) is part of the result.
"""

from __future__ import annotations

import argparse
import importlib
import json
import signal
import subprocess
import sys
import tempfile
import time
import types
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tests.e2e.tray_screen import user_env

REPO = Path(__file__).resolve().parent.parent
E2E = REPO / "tests" / "e2e"
CONFIG = """\
# bench/soak.py: every reminder due every second
[reminders.posture]
every = "1s"
[reminders.head]
every = "1s"
[reminders.stretch]
every = "1s"
"""


@dataclass(frozen=True)
class Sample:
    """One reading of the app's process tree."""

    t: float  # seconds since the app was started
    rss_kb: int
    pss_kb: int
    threads: int
    fds: int
    processes: int


@dataclass
class Report:
    """What a soak found; ``samples`` holds every reading."""

    seconds: float
    warmup: float
    samples: list[Sample] = field(default_factory=list)
    notifications: int = 0
    exit_status: int | None = None
    tray: str = ""

    @property
    def after_warmup(self) -> list[Sample]:
        return [s for s in self.samples if s.t >= self.warmup]

    @property
    def rss_growth_kb(self) -> int:
        measured = self.after_warmup
        return measured[-1].rss_kb - measured[0].rss_kb

    @property
    def rss_slope_kb_per_min(self) -> float:
        """Least-squares slope of RSS over the samples after the warm-up."""
        measured = self.after_warmup
        n = len(measured)
        mean_t = sum(s.t for s in measured) / n
        mean_r = sum(s.rss_kb for s in measured) / n
        var = sum((s.t - mean_t) ** 2 for s in measured)
        cov = sum((s.t - mean_t) * (s.rss_kb - mean_r) for s in measured)
        return 60 * cov / var if var else 0.0

    def table(self) -> str:
        first, warm, last = self.samples[0], self.after_warmup[0], self.samples[-1]
        rows = [
            ("RSS, MB", *(f"{s.rss_kb / 1024:.1f}" for s in (first, warm, last))),
            ("PSS, MB", *(f"{s.pss_kb / 1024:.1f}" for s in (first, warm, last))),
            ("threads", *(str(s.threads) for s in (first, warm, last))),
            ("open fds", *(str(s.fds) for s in (first, warm, last))),
            ("processes", *(str(s.processes) for s in (first, warm, last))),
        ]
        head = (
            f"| | start ({first.t:.0f} s) | after warm-up ({warm.t:.0f} s) | end ({last.t:.0f} s) |"
        )
        lines = [head, "| --- | --- | --- | --- |"]
        lines += [f"| {' | '.join(row)} |" for row in rows]
        lines.append("")
        lines.append(
            f"RSS growth after the warm-up: {self.rss_growth_kb / 1024:+.2f} MB "
            f"(slope {self.rss_slope_kb_per_min:+.1f} kB/min over {len(self.after_warmup)} "
            f"samples); {self.notifications} notifications in {self.seconds:.0f} s; "
            f"tray: {self.tray or 'unknown'}; exit status {self.exit_status}"
        )
        return "\n".join(lines)


# --- /proc ---------------------------------------------------------------------------------


def tree(pid: int) -> list[int]:
    """``pid`` and every descendant still running."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            tasks = list(Path(f"/proc/{current}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                queue += [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                continue
    return found


def _status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def _pss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def _count(folder: str) -> int:
    return sum(1 for _ in Path(folder).iterdir())


def sample(pid: int, t: float) -> Sample:
    """Read the process tree of ``pid`` now."""
    rss = pss = threads = fds = processes = 0
    for member in tree(pid):
        try:
            rss += _status_kb(member, "VmRSS")
            pss += _pss_kb(member)
            threads += _count(f"/proc/{member}/task")
            fds += _count(f"/proc/{member}/fd")
            processes += 1
        except OSError:  # it ended between the listing and the reading
            continue
    return Sample(round(t, 1), rss, pss, threads, fds, processes)


# --- the run -------------------------------------------------------------------------------


def soak(
    desktop: Any,  # noqa: ANN401  # tests/e2e/desktop.py's Desktop, loaded by path
    home: Path,
    seconds: float,
    warmup: float,
    *,
    every: float = 10.0,
    progress: bool = False,
    extra_args: tuple[str, ...] = (),
    extra_env: dict[str, str] | None = None,
    config_text: str = CONFIG,
) -> Report:
    """Run the app on ``desktop`` for ``seconds``, sampling every ``every`` s; stop it."""
    env = {**user_env(home), **(extra_env or {})}
    config = home / "config.toml"
    config.write_text(config_text, encoding="utf-8")
    mark = desktop.mark()
    app = desktop.spawn(
        [sys.executable, "-m", "deskmobility", "run", "--config", str(config), *extra_args],
        name="deskmobility",
        env=env,
    )
    report = Report(seconds=seconds, warmup=warmup)
    log = Path(desktop.artifacts) / "deskmobility.log"
    _wait_ready(app, log)
    started = time.monotonic()
    try:
        while True:
            elapsed = time.monotonic() - started
            if app.poll() is not None:
                raise RuntimeError(f"deskmobility exited {app.returncode} after {elapsed:.0f} s")
            report.samples.append(sample(app.pid, elapsed))
            # Someone at the desk: without input the app would (rightly) see a natural
            # break after five minutes and stop reminding.
            desktop.xdotool("mousemove", str(200 + len(report.samples) % 2), "300")
            if progress:
                print(f"  {report.samples[-1]}", file=sys.stderr, flush=True)
            if elapsed >= seconds:
                break
            time.sleep(max(0.0, min(every * len(report.samples), seconds) - elapsed))
    finally:
        if app.poll() is None:
            report.exit_status = desktop.stop_process(app, signal.SIGTERM)
        else:
            report.exit_status = app.returncode
    report.notifications = sum(
        1 for note in desktop.notifications(since=mark) if note.app_name == "deskmobility"
    )
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if " tray: " in line:
            report.tray = line.split(" tray: ", 1)[1]
    return report


def _wait_ready(app: subprocess.Popen[bytes], log: Path, timeout: float = 30.0) -> None:
    """Wait until the app says its tray is up (or that it runs without one)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.poll() is not None:
            raise RuntimeError(f"deskmobility exited {app.returncode} while starting")
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        if "tray icon is up" in text or "running without a tray" in text:
            return
        time.sleep(0.1)
    raise RuntimeError(f"deskmobility was not up after {timeout:g} s; see {log}")


def load_desktop_class() -> Any:  # noqa: ANN401
    """tests/e2e/desktop.py's Desktop, imported as a package of its own (it has no __init__)."""
    name = "_soak_e2e"
    if name not in sys.modules:
        package = types.ModuleType(name)
        package.__path__ = [str(E2E)]
        sys.modules[name] = package
    return importlib.import_module(f"{name}.desktop").Desktop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--minutes", type=float, default=10.0, help="how long (default 10)")
    parser.add_argument("--warmup", type=float, default=60.0, help="seconds (default 60)")
    parser.add_argument("--every", type=float, default=10.0, help="sample period, s (10)")
    parser.add_argument("--json", type=Path, help="also write the samples and results here")
    parser.add_argument("--no-tray", action="store_true", help="run the app without its tray")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="soak-"))
    desktop = load_desktop_class()(work / "desktop", work / "logs")
    print(f"soak: {args.minutes:g} min, work folder {work}", file=sys.stderr, flush=True)
    try:
        desktop.start()
        report = soak(
            desktop,
            work / "home",
            args.minutes * 60,
            args.warmup,
            every=args.every,
            progress=True,
            extra_args=("--no-tray",) if args.no_tray else (),
        )
    except (OSError, RuntimeError, subprocess.SubprocessError, AssertionError) as error:
        print(f"soak failed: {error}", file=sys.stderr)
        return 1
    finally:
        desktop.stop()
    print(report.table())
    if args.json is not None:
        result = {
            **asdict(report),
            "rss_growth_kb": report.rss_growth_kb,
            "rss_slope_kb_per_min": report.rss_slope_kb_per_min,
        }
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if report.exit_status == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
