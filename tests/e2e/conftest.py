"""Fixtures for end-to-end tests on a real, private Linux desktop (see ``desktop.py``).

Fixtures:
    desktop (module scope): a running ``Desktop``: Xvfb + private session bus + dunst +
        trayer + a recorder of every Notify call. One per test module, so a module's
        tests share it (and can share a module-scoped app fixture built on it).
    artifacts (function scope): an empty folder ``artifacts/e2e/<module>/<test>/`` at the
        repository root for screenshots and logs that people can look at afterwards.
        The desktop's own logs go to ``artifacts/e2e/<module>/desktop/``.

While a test that uses ``desktop`` runs (directly or through another fixture):
    - ``desktop.notifications()`` / ``wait_for_notifications()`` count from the test's
      start (``since=0`` for everything since the desktop started);
    - ``desktop.spawn()``ed processes log into the test's artifacts folder and are
      stopped when the test ends; ``desktop.screenshot("x.png")`` saves there too;
    - at its end, ``final.png`` and ``notifications.json`` are saved there, and dunst is
      started again if the test killed it.

Every test in this folder is marked ``e2e`` automatically (``-m "not e2e"`` skips them).
A missing program fails the test with what to install; it is never skipped.

Example::

    def test_hello(desktop, artifacts):
        desktop.run(["notify-send", "Hello", "it's a body"])
        [note] = desktop.wait_for_notifications(1)
        assert note.body == "it's a body"
        desktop.screenshot("hello.png")  # -> artifacts/e2e/<module>/test_hello/hello.png
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from deskmobility.adapters.glib_loop import GLibLoop

from .desktop import REQUIRED, Desktop, missing_programs
from .gnome import GNOME_REQUIRED, GnomeShell

if TYPE_CHECKING:
    from collections.abc import Iterator

_HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in item.path.parents:
            item.add_marker(pytest.mark.e2e)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_")[:120] or "test"


def _module_dir(request: pytest.FixtureRequest) -> Path:
    root = request.config.rootpath / "artifacts" / "e2e"
    return root / _safe(request.path.stem)


@pytest.fixture(scope="module")
def desktop(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Desktop]:
    """A private running desktop for this test module; every process it started ends after it."""
    problem = missing_programs(REQUIRED)
    if problem:
        pytest.fail(problem, pytrace=False)
    log_dir = _module_dir(request) / "desktop"
    shutil.rmtree(log_dir, ignore_errors=True)
    running = Desktop(tmp_path_factory.mktemp("desktop"), log_dir)
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def gnome(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GnomeShell]:
    """A headless GNOME Shell on private buses for this test module (see ``gnome.py``)."""
    problem = missing_programs(GNOME_REQUIRED)
    if problem:
        pytest.fail(problem, pytrace=False)
    log_dir = _module_dir(request) / "gnome"
    shutil.rmtree(log_dir, ignore_errors=True)
    running = GnomeShell(tmp_path_factory.mktemp("gnome"), log_dir)
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    """An empty per-test folder under ``artifacts/`` for screenshots and logs."""
    folder = _module_dir(request) / _safe(request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture(autouse=True)
def _desktop_per_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """Scope the desktop to the test that is running (see the module docstring)."""
    if "desktop" not in request.fixturenames:
        yield
        return
    running: Desktop = request.getfixturevalue("desktop")
    running.begin_test(request.node.nodeid, request.getfixturevalue("artifacts"))
    try:
        yield
    finally:
        running.end_test()


@pytest.fixture(scope="module")
def glib_loop() -> Iterator[GLibLoop]:
    """GLib's default main context iterated on a thread, as the app runs it without GTK."""
    loop = GLibLoop()
    loop.start()
    try:
        yield loop
    finally:
        loop.stop()
