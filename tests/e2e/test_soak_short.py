"""Issue 6, soak (the CI cut): the real app, every reminder due every second, for a minute.

``bench/soak.py`` does the sampling (``python -m bench.soak --minutes 10`` is the long run,
with its numbers in docs/reliability.md). Here: a 20 s warm-up, then 40 s more; RSS may grow
by less than 2 MB after the warm-up, and no thread, file descriptor or child process may be
left over from a notification. The app goes through everything it does on a reminder once
a second: the do-not-disturb check, the history database, the notifier, the tray refresh.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .desktop import Desktop

SOAK = Path(__file__).resolve().parents[2] / "bench" / "soak.py"
SECONDS, WARMUP, EVERY = 60.0, 20.0, 5.0
MAX_GROWTH_KB = 2 * 1024


def _bench_soak() -> Any:  # the module, loaded from its file
    name = "_bench_soak"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, SOAK)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while being made
        spec.loader.exec_module(module)
    return sys.modules[name]


def test_a_minute_of_reminders_every_second_leaks_nothing(desktop: Desktop, tmp_path: Path) -> None:
    report = _bench_soak().soak(desktop, tmp_path / "user", SECONDS, WARMUP, every=EVERY)
    (desktop.artifacts / "soak.md").write_text(report.table() + "\n", encoding="utf-8")
    warm, last = report.after_warmup[0], report.samples[-1]

    assert report.exit_status == 0, report.table()
    assert report.notifications >= SECONDS * 0.8, report.table()
    assert report.rss_growth_kb < MAX_GROWTH_KB, report.table()
    assert last.threads <= warm.threads, report.table()
    assert last.fds <= warm.fds, report.table()
    assert last.processes == warm.processes == 1, report.table()
