"""A notification server that hangs (SIGSTOP) while reminders fall due, for real.

The real app (no tray) reminds every two seconds on the private desktop's dunst. dunst is
stopped for twenty seconds: meanwhile ``deskmobility status`` must answer as quickly as
ever, and when dunst runs again it must get what is current, not a burst of every
reminder that fell due while it hung.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .test_resilience import User, _every, _reminder

if TYPE_CHECKING:
    from .desktop import Desktop

STOPPED_FOR = 20.0  # seconds
# `deskmobility status` is a new Python process each time (about 0.1-0.3 s to start on a
# loaded CI machine); before the fix it took up to 3.1 s while dunst hung.
STATUS_WITHIN = 1.0


def test_a_hanging_notification_server_gets_no_burst_and_status_still_answers(
    desktop: Desktop, tmp_path: Path
) -> None:
    user = User(desktop, tmp_path / "user", _every(posture="2s", head="3s"))
    app = user.start("--no-tray")
    desktop.wait_for_notifications(_reminder, timeout=15)

    desktop.signal_dunst(signal.SIGSTOP)
    stopped = desktop.mark()
    slowest = 0.0
    try:
        end = time.monotonic() + STOPPED_FOR
        while time.monotonic() < end:
            began = time.monotonic()
            answer = user.cli("status")
            slowest = max(slowest, time.monotonic() - began)
            assert answer.returncode == 0, answer.stderr
            time.sleep(0.5)
    finally:
        desktop.signal_dunst(signal.SIGCONT)
    time.sleep(3)
    sent = [n for n in desktop.notifications(since=stopped) if _reminder(n)]
    print(f"slowest status while dunst hung: {slowest:.3f} s; Notify calls since: {len(sent)}")
    assert slowest < STATUS_WITHIN, f"status took {slowest:.2f} s while dunst hung"
    # While it hung: the one call in flight. After: what fell due in those 3 s (posture
    # every 2 s, head every 3 s, merged when close), never the ~17 that fell due meanwhile.
    assert len(sent) <= 5, [n.summary for n in sent]
    assert user.alive(), user.tail()
    assert desktop.stop_process(app, signal.SIGTERM) == 0
