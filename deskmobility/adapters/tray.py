"""The tray icon and its menu; the only module that imports pystray.

The app implements :class:`TrayActions`; :class:`Tray` turns clicks into calls on it and
asks it for a :class:`TrayView` snapshot whenever it redraws. :func:`select_tray_backend`
(in :mod:`deskmobility.adapters.tray_select`, re-exported here) decides which pystray
backend to use and says why; nothing is chosen at import time.

pystray facts this module is built around (pystray 0.19.5 source, and its issue tracker):

- Every backend with a menu builds the native menu only in ``update_menu()`` (GTK,
  AppIndicator, win32, darwin alike), so item texts are *not* recomputed when the menu
  opens (moses-palmer/pystray#35). :meth:`Tray.refresh` therefore rebuilds the menu when
  the view changed, and only then: a rebuild may close an open AppIndicator menu on some
  hosts (#59). (Seen under Xvfb: an open GTK menu stays open and works; an open menu in
  gtk-sni-tray updates in place.)
- GTK and AppIndicator marshal ``update_menu``/icon changes onto the GLib loop themselves
  (#59), so calling them from other threads is safe. darwin is not (#60): AppKit calls are
  sent to the main thread with ``PyObjCTools.AppHelper.callAfter``. win32 has the same
  open issue (#60) and no public way to post to its loop; its menu is rebuilt directly.
- AppIndicator has no default (left-click) action: the host opens the menu instead
  (``HAS_DEFAULT_ACTION = False``), so "Start micro-break" is also the first menu item.
  darwin also opens the menu on click. The xorg backend has no menu at all.
- ``Icon.stop()`` does nothing before the loop is ready and joins the ``setup`` thread for
  up to five seconds, so the setup function returns at once and an early stop is replayed.
  If the loop fails to start, pystray's non-daemon setup thread waits forever; it is freed.
- The GTK backends talk to org.freedesktop.Notifications on start and on quit, which kills
  the tray when that service is broken or missing; their notifier is switched off (the
  app notifies through its own notify adapter).
- Two private parts of pystray are used because no public way exists (pyproject caps
  pystray at 0.19.x for that reason): Icon's setup queue (freeing the setup thread after a
  failed start) and ``pystray._util.notify_dbus`` (switching its notifier off).
"""

from __future__ import annotations

import functools
import importlib
import logging
import os
import threading
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol

from deskmobility.adapters.icon import icon_look, render_icon
from deskmobility.adapters.tray_select import TrayBackend, select_tray_backend

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = [
    "ChecklistEntry",
    "Tray",
    "TrayActions",
    "TrayBackend",
    "TrayError",
    "TrayView",
    "select_tray_backend",
]

log = logging.getLogger(__name__)

ICON_SIZE = 64  # hosts scale the image to their own size; 64 px downsamples cleanly to 16-32
_NAME = "deskmobility"


@dataclass(frozen=True)
class ChecklistEntry:
    """One ergonomic checklist item as the menu shows it."""

    id: str
    label: str
    target: str
    checked: bool


@dataclass(frozen=True)
class TrayView:
    """A snapshot of what the tray shows; the app builds one on demand. Pure data."""

    paused: bool
    next_line: str  # "Next: stretch break at 14:05" or "Paused until 14:30"
    checklist: tuple[ChecklistEntry, ...]
    break_progress: float | None  # 0..1 toward the next stretch break
    held_reason: str | None = None  # "Held: do not disturb"; a disabled line when set
    today_line: str | None = None  # "Today: 3 breaks"; a disabled line when set
    break_running: bool = False
    waiting: str | None = None  # the title of a reminder not yet answered


class TrayActions(Protocol):
    """What the tray's menu items do; implemented by the app."""

    def start_micro_break(self) -> None: ...  # noqa: D102
    def done(self) -> None: ...  # noqa: D102
    def later(self) -> None: ...  # noqa: D102
    def toggle_checklist_item(self, item_id: str) -> None: ...  # noqa: D102
    def reset_checklist(self) -> None: ...  # noqa: D102
    def pause_for(self, span: timedelta) -> None: ...  # noqa: D102
    def pause_until_tomorrow(self) -> None: ...  # noqa: D102
    def resume(self) -> None: ...  # noqa: D102
    def open_config(self) -> None: ...  # noqa: D102
    def quit(self) -> None: ...  # noqa: D102
    def tray_view(self) -> TrayView: ...  # noqa: D102


class TrayError(RuntimeError):
    """The tray icon cannot be created with the chosen backend; the message says why."""


class Tray:
    """A pystray icon whose menu drives :class:`TrayActions`.

    Create it and call :meth:`run` on the main thread (macOS requires it; GTK prefers it).
    :meth:`refresh` and :meth:`stop` may be called from any thread.
    """

    def __init__(self, actions: TrayActions, backend: TrayBackend) -> None:
        self._actions = actions
        self._backend = backend
        self._lock = threading.Lock()
        self._view: TrayView | None = None
        self._look: object = None
        self._requests = self._applied = 0  # newest refresh wins when threads race
        self._stop_requested = threading.Event()
        self._ready = False
        self._failed = False
        self._pystray: Any = None
        if not backend.available:  # the launcher runs without a Tray then
            raise TrayError(f"no tray to show an icon in: {backend.reason}")
        self._icon: Any = self._create_icon(backend)

    @property
    def backend(self) -> TrayBackend:
        """The backend this tray runs on, with the reason it was chosen."""
        return self._backend

    @property
    def has_menu(self) -> bool:
        """Whether users can open a menu (False on xorg and with no tray)."""
        return self._backend.has_menu

    @property
    def has_default_action(self) -> bool:
        """Whether a click on the icon starts a micro-break directly."""
        return self._backend.has_default_action

    def run(self, on_ready: Callable[[], None]) -> None:
        """Show the icon and handle events until :meth:`stop`; blocks the calling thread.

        ``on_ready`` runs once on a helper thread when the icon is up; it must return quickly.
        """
        if self._stop_requested.is_set():
            return
        self._update(rebuild_menu=False)

        def setup(icon: Any) -> None:  # noqa: ANN401  (pystray is untyped)
            if self._failed:
                return
            icon.visible = True
            self._ready = True
            if self._stop_requested.is_set():  # stop() came while the loop was starting
                icon.stop()
                return
            _call_logged(on_ready, "on_ready")

        try:
            self._icon.run(setup=setup)
        finally:
            if not self._ready:
                self._release_setup_thread()

    def refresh(self) -> None:
        """Re-read the app's view; redraw the icon and rebuild the menu only if they changed."""
        self._update(rebuild_menu=True)

    def stop(self) -> None:
        """End :meth:`run`. Safe from any thread, a menu callback, or before the loop starts."""
        self._stop_requested.set()
        if self._ready:
            self._on_ui_thread(self._icon.stop)

    def _release_setup_thread(self) -> None:
        """After a failed start, let pystray's (non-daemon) setup thread end.

        pystray starts the setup thread before its loop and only lets it go once the loop is
        ready; if the loop fails first, that thread waits forever and the process never exits.
        """
        self._failed = True
        queue = getattr(self._icon, "_Icon__queue", None)  # pystray 0.19 private attribute
        if queue is not None:
            queue.put("failed")
        else:
            log.warning("tray: pystray's setup thread may keep the process alive")

    # --- building the menu -------------------------------------------------------------

    def _create_icon(self, backend: TrayBackend) -> Any:  # noqa: ANN401
        # pystray picks its backend when first imported; tell it ours, and keep GTK off GL.
        os.environ["PYSTRAY_BACKEND"] = backend.name
        if backend.name in {"gtk", "appindicator"}:
            os.environ.setdefault("GDK_GL", "disable")
        try:
            self._pystray = importlib.import_module("pystray")
            # If pystray was imported earlier with another backend, take ours explicitly.
            module = importlib.import_module(f"pystray._{backend.name}")
        except (ImportError, ValueError) as error:
            raise TrayError(f"pystray cannot use the {backend.name} backend: {error}") from error
        if backend.name in {"gtk", "appindicator"}:
            _switch_off_pystray_notifications()
        menu = self._pystray.Menu(self._menu_items)
        return module.Icon(_NAME, icon=render_icon(ICON_SIZE), title=_NAME, menu=menu)

    def _menu_items(self) -> Iterator[Any]:
        """Yield the menu for the current view; pystray calls this on every rebuild."""
        item, separator = self._pystray.MenuItem, self._pystray.Menu.SEPARATOR
        view = self._view or _EMPTY_VIEW
        start = self._do("start_micro_break", self._actions.start_micro_break)
        done = self._do("done", self._actions.done)
        if view.break_running:
            yield item("Micro-break running…", start, default=True, enabled=False)
            yield item("Done with the micro-break", done)
        else:
            yield item("Start micro-break", start, default=True)
        if view.waiting and not view.break_running:
            # Where notifications take no answers (Windows, macOS, some servers) this is
            # the way to say it; elsewhere it is one more.
            yield item(f"Done: {view.waiting}", done)
            yield item("Later", self._do("later", self._actions.later))
        ticked = sum(entry.checked for entry in view.checklist)
        yield item(
            f"Ergonomic checklist ({ticked}/{len(view.checklist)})",
            self._pystray.Menu(lambda: self._checklist_items(view)),
        )
        yield separator
        yield item(view.next_line, None, enabled=False)
        for line in (view.held_reason, view.today_line):
            if line:
                yield item(line, None, enabled=False)
        yield separator
        if view.paused:
            yield item("Resume reminders", self._do("resume", self._actions.resume))
        else:
            yield item("Pause reminders", self._pystray.Menu(*self._pause_items()))
        yield item("Open config file", self._do("open_config", self._actions.open_config))
        yield separator
        yield item("Quit deskmobility", self._do("quit", self._actions.quit, refresh=False))

    def _pause_items(self) -> Iterator[Any]:
        item, pause = self._pystray.MenuItem, self._actions.pause_for
        for text, span in (
            ("For 15 minutes", timedelta(minutes=15)),
            ("For 1 hour", timedelta(hours=1)),
        ):
            yield item(text, self._do(f"pause_for({text})", functools.partial(pause, span)))
        yield item(
            "Until tomorrow", self._do("pause_until_tomorrow", self._actions.pause_until_tomorrow)
        )

    def _checklist_items(self, view: TrayView) -> Iterator[Any]:
        item = self._pystray.MenuItem
        for entry in view.checklist:
            toggle = self._do(
                f"toggle_checklist_item({entry.id})",
                functools.partial(self._actions.toggle_checklist_item, entry.id),
            )
            yield item(entry.label, toggle, checked=_constant(entry.checked))
            yield item(f"      {entry.target}", None, enabled=False)
        yield self._pystray.Menu.SEPARATOR
        yield item("Reset checklist", self._do("reset_checklist", self._actions.reset_checklist))

    def _do(
        self, name: str, action: Callable[[], None], *, refresh: bool = True
    ) -> Callable[[], None]:
        """Wrap a menu action: log its errors instead of raising into pystray, then refresh."""

        def callback() -> None:
            _call_logged(action, name)
            if refresh and not self._stop_requested.is_set():
                # pystray rebuilds the menu right after this callback returns.
                self._update(rebuild_menu=False)

        return callback

    # --- updating ----------------------------------------------------------------------

    def _update(self, *, rebuild_menu: bool) -> None:
        if self._stop_requested.is_set():
            return
        with self._lock:
            self._requests += 1
            request = self._requests
        try:  # outside the lock: the app may take its own lock, and may be calling us
            view = self._actions.tray_view()
        except Exception:
            log.exception("tray_view() failed; the tray keeps showing the last view")
            return
        with self._lock:
            if request < self._applied:  # a later refresh got in first; its view is newer
                return
            self._applied = request
            old, self._view = self._view, view
            look = icon_look(paused=view.paused, progress=view.break_progress)
            if look != self._look:
                self._look = look
                image = render_icon(ICON_SIZE, paused=view.paused, progress=view.break_progress)
                self._on_ui_thread(lambda: setattr(self._icon, "icon", image))
            if old is None or view.next_line != old.next_line:
                title = f"{_NAME}: {view.next_line}"
                self._on_ui_thread(lambda: setattr(self._icon, "title", title))
            if rebuild_menu and self.has_menu and _menu_changed(old, view):
                self._on_ui_thread(self._icon.update_menu)

    def _on_ui_thread(self, call: Callable[[], object]) -> None:
        """Run a pystray call where its backend needs it (see the module docstring)."""
        if self._backend.name == "darwin":
            # AppKit must be touched from the main thread only (pystray #60).
            importlib.import_module("PyObjCTools.AppHelper").callAfter(call)
        else:
            call()


class _NoNotifier:
    """Replaces pystray's D-Bus notifier; deskmobility notifies through its own adapter."""

    def notify(self, *_args: object) -> None:
        """Refuse loudly: nothing in deskmobility should notify through pystray."""
        log.warning("tray: pystray notifications are switched off; use the notify adapter")

    def hide(self) -> None:
        """Do nothing: no notification was ever shown."""


def _switch_off_pystray_notifications() -> None:
    """Stop pystray's GTK backends from talking to org.freedesktop.Notifications.

    In pystray 0.19.5 their ``run()`` opens a proxy to the notification service before the
    loop starts (D-Bus-activating the daemon; if a registered daemon fails to start, ``run()``
    raises and no icon appears) and calls ``CloseNotification`` when the loop ends (which
    raises GLib.Error out of ``run()`` when no notification service exists). The app sends
    its notifications through its own adapter, so pystray's notifier is replaced by a stand-in.
    """
    notify_dbus: Any = importlib.import_module("pystray._util.notify_dbus")
    notify_dbus.Notifier = _NoNotifier


_EMPTY_VIEW = TrayView(paused=False, next_line="Starting…", checklist=(), break_progress=None)


def _menu_changed(old: TrayView | None, new: TrayView) -> bool:
    """Whether the menu shows anything different; break_progress only affects the icon."""
    return old is None or replace(old, break_progress=None) != replace(new, break_progress=None)


def _constant(value: bool) -> Callable[[object], bool]:
    """A pystray ``checked`` callable; pystray calls it with the menu item."""
    return lambda _item: value


def _call_logged(call: Callable[[], object], what: str) -> None:
    try:
        call()
    except Exception:
        log.exception("tray: %s failed", what)
