"""Issue 11 end to end: three notifications as a person sees them, from the real app.

A posture check, a merged reminder led by a stretch, and the first step of a guided
micro-break (the caution with it).

The app runs on the private desktop (Xvfb, dunst, trayer) with second-long intervals; the
Notify recorder gives the text exactly as sent, and a screenshot shows how dunst draws it.
``DESKMOBILITY_UPDATE_SCREENSHOTS=1`` also writes the README's
``docs/screenshots/content-*.png`` from these runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PIL import Image

from deskmobility.core.budgets import REMINDER_BODY_MAX, STEP_MAX, TITLE_MAX
from deskmobility.core.exercises import ExerciseCatalog, Gear
from deskmobility.core.guided import guided_steps
from deskmobility.core.kinds import ReminderKind
from deskmobility.core.messages import CUES, step_message, welcome_message

from .test_tray_app import (
    SCREENSHOTS,
    UPDATE_SCREENSHOTS,
    RunningApp,
    _app,
    _drawn_box,
    _every,
    _from_app,
    desk_stretches_on_the_floor,
)

if TYPE_CHECKING:
    from .desktop import Desktop, Notification

pytestmark = pytest.mark.e2e

BUILTIN = ExerciseCatalog.builtin()
NAMES = {exercise.name: exercise for exercise in BUILTIN.exercises}
REGION = (0, 24, 420, 400)  # dunstrc: notifications open top left, 380 px wide
WELCOME = welcome_message().title


def _photograph(desktop: Desktop, note: Notification, name: str) -> Path:
    """Screenshot the screen with ``note`` drawn; crop it; return the crop's path."""
    shot = desktop.screenshot(f"{name}-screen.png")
    box = _drawn_box(desktop, REGION)
    crop = desktop.artifacts / f"{name}.png"
    with Image.open(shot) as image:
        drawn = image.convert("RGB").crop(box)
    assert drawn.width > 200, f"{name}: hardly anything drawn for {note.summary!r}"
    drawn.save(crop, optimize=True)
    if UPDATE_SCREENSHOTS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        drawn.save(SCREENSHOTS / f"{name}.png", optimize=True)
    return crop


def _start(desktop: Desktop, tmp_path: Path, config: str) -> RunningApp:
    """Start the app; once its first-start note is up, clear the screen for the photo."""
    app = _app(desktop, tmp_path, config)
    desktop.wait_for_notifications(lambda n: _from_app(n) and n.summary == WELCOME)
    desktop.run(["dunstctl", "close-all"])
    return app


def _suggested(note: Notification) -> str:
    return note.body.split("\nTry: ", 1)[1].split(" (", 1)[0]


def test_a_posture_check_is_a_ten_second_reset(desktop: Desktop, tmp_path: Path) -> None:
    app = _start(desktop, tmp_path, _every(posture="8s"))
    [note] = desktop.wait_for_notifications(lambda n: _from_app(n) and n.summary == "Posture check")
    app.stop()
    lines = note.body.splitlines()
    assert lines[0] == CUES[ReminderKind.POSTURE]
    reset = NAMES[_suggested(note)]
    assert ReminderKind.POSTURE in reset.kinds
    assert reset.takes.total_seconds() <= 10
    assert len(note.body) <= REMINDER_BODY_MAX
    _photograph(desktop, note, "content-posture")


def test_merged_reminders_lead_with_the_stretch_and_agree_with_it(
    desktop: Desktop, tmp_path: Path
) -> None:
    app = _start(desktop, tmp_path, _every(posture="8s", head="8s", stretch="8s"))
    [note] = desktop.wait_for_notifications(
        lambda n: _from_app(n) and n.summary == "Posture + head + stretch"
    )
    app.stop()
    stretch = NAMES[_suggested(note)]
    assert stretch in BUILTIN.eligible(ReminderKind.STRETCH, Gear())
    cue, _, after = note.body.splitlines()
    standing = "get out of the chair" in cue
    assert standing == (stretch.position.value == "standing")
    assert after == "After: sit tall; head over your shoulders."
    assert len(note.summary) <= TITLE_MAX
    assert len(note.body) <= REMINDER_BODY_MAX
    _photograph(desktop, note, "content-merged")


def test_a_micro_break_starts_with_the_caution(desktop: Desktop, tmp_path: Path) -> None:
    # Every other desk stretch is re-declared as floor work (not offered without floor
    # space), so the micro-break is the seated twist, with its swivel-chair caution.
    twist = BUILTIN.get("seated-thoracic-rotation")
    assert twist is not None
    lines = [_every(), *desk_stretches_on_the_floor(keep=twist.id)]
    app = _start(desktop, tmp_path, "\n".join(lines) + "\n")
    assert app.cli("break").returncode == 0
    [note] = desktop.wait_for_notifications(
        lambda n: _from_app(n) and n.summary.startswith("Step 1 of ")
    )
    app.stop()
    first = guided_steps(twist)[0]
    expected = step_message(twist, first)
    assert (note.summary, note.body) == (expected.title, expected.body)
    assert note.summary == "Step 1 of 3: Seated Twist"
    assert note.body.splitlines() == [
        "Sit forward, feet wide.",
        "5 reps per side, 2 s holds · 5 s",
        "Careful: Swivel chair? Hold the desk so it stays put.",
    ]
    assert len(note.summary) <= TITLE_MAX
    assert len(note.body) <= STEP_MAX
    _photograph(desktop, note, "content-micro-break")
