"""X11 connections: XCB over ctypes, and python-xlib's Display as the fallback.

XCB serves the fullscreen check and the tray probe; python-xlib serves the polled idle
counter (used only where the SYNC alarms cannot run) and the checks where libxcb is missing.

Nothing X11 is loaded until a connection is opened, so importing this module needs no X
server, no libxcb and no python-xlib. Failures raise X11Error, which each caller turns
into its own error type (IdleReadError, CheckError) with the message unchanged.
"""

from __future__ import annotations

import ctypes
import traceback
import warnings
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import logging

XLIB_HELP = "pip install 'deskmobility[linux]' (or the python3-xlib package)"


class X11Error(Exception):
    """The display could not be opened; the message says why, for people."""


def open_display(display_name: str | None) -> Any:  # noqa: ANN401 - python-xlib ships no types
    """A new Display connection to ``display_name`` (such as ``":0"``, from DISPLAY)."""
    if not display_name:
        raise X11Error("DISPLAY is not set")
    try:
        from Xlib import display as xdisplay  # noqa: PLC0415 - only when X11 is used
    except ImportError as error:
        raise X11Error(f"python-xlib is missing: {XLIB_HELP}") from error
    try:
        return xdisplay.Display(display_name)
    except Exception as error:
        # DisplayNameError, DisplayConnectionError, or OSError from the socket.
        message = f"cannot open X11 display {display_name!r}: {error}"
        _release_sockets(error)
        raise X11Error(message) from error


def close_display(display: Any, log: logging.Logger, name: str) -> None:  # noqa: ANN401
    """Close ``display`` if there is one; a failure is logged at debug level as ``name``'s."""
    if display is None:
        return
    try:
        display.close()
    except Exception as error:  # noqa: BLE001 - a dead connection may fail to close any way
        log.debug("%s: closing the display: %s", name, error)


def _release_sockets(error: BaseException) -> None:
    """Close the sockets python-xlib leaves behind when a connection attempt fails.

    Its ``get_socket`` keeps each failed socket (Unix, then the TCP fallback) in the frames
    of the exception it raises; they close only when the garbage collector breaks that
    cycle, at some random later moment, with a ResourceWarning. Clearing the frames closes
    them here and now.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        seen: BaseException | None = error
        while seen is not None:
            traceback.clear_frames(seen.__traceback__)
            seen = seen.__cause__ or seen.__context__


# --- XCB through ctypes: the X11 calls of the fullscreen check and the tray probe -------------
#
# libxcb (which libX11 itself sits on) answers each request with its own reply or error,
# so a window that vanished between two reads is an error value here, not a call to a
# process-wide Xlib error handler (GTK's exits on errors from displays it did not open).
# Loading it costs no Python modules, where python-xlib costs about 2.4 MB of them.


class _Cookie(ctypes.Structure):
    _fields_ = (("sequence", ctypes.c_uint),)


class _Screen(ctypes.Structure):
    _fields_ = (("root", ctypes.c_uint32),)  # the first field of xcb_screen_t is all we read


class _ScreenIterator(ctypes.Structure):
    _fields_ = (
        ("data", ctypes.POINTER(_Screen)),
        ("rem", ctypes.c_int),
        ("index", ctypes.c_int),
    )


class _IdReply(ctypes.Structure):
    """xcb_intern_atom_reply_t and xcb_get_selection_owner_reply_t share this layout."""

    _fields_ = (
        ("response_type", ctypes.c_uint8),
        ("pad0", ctypes.c_uint8),
        ("sequence", ctypes.c_uint16),
        ("length", ctypes.c_uint32),
        ("id", ctypes.c_uint32),
    )


class _PropertyReply(ctypes.Structure):
    _fields_ = (
        ("response_type", ctypes.c_uint8),
        ("format", ctypes.c_uint8),
        ("sequence", ctypes.c_uint16),
        ("length", ctypes.c_uint32),
        ("type", ctypes.c_uint32),
        ("bytes_after", ctypes.c_uint32),
        ("value_len", ctypes.c_uint32),
        ("pad0", ctypes.c_uint8 * 12),
    )


class _Error(ctypes.Structure):
    _fields_ = (("response_type", ctypes.c_uint8), ("error_code", ctypes.c_uint8))


BAD_WINDOW = 3  # the core protocol's BadWindow error code
_ANY_PROPERTY_TYPE = 0
_MAX_LONGS = 1024  # more 32-bit values than any state or atom list holds


class XcbError(X11Error):
    """A request failed; ``code`` is the X error code (BAD_WINDOW: the window is gone)."""

    def __init__(self, message: str, code: int = 0) -> None:
        super().__init__(message)
        self.code = code


def _load_xcb() -> tuple[Any, Any]:
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
        libc = ctypes.CDLL(None)
    except OSError as error:
        raise X11Error(f"libxcb is not installed ({error})") from error
    p, c = ctypes.c_void_p, _Cookie
    for name, argtypes, restype in (
        ("xcb_connect", (ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)), p),
        ("xcb_connection_has_error", (p,), ctypes.c_int),
        ("xcb_disconnect", (p,), None),
        ("xcb_get_setup", (p,), p),
        ("xcb_setup_roots_iterator", (p,), _ScreenIterator),
        ("xcb_screen_next", (ctypes.POINTER(_ScreenIterator),), None),
        ("xcb_intern_atom", (p, ctypes.c_uint8, ctypes.c_uint16, ctypes.c_char_p), c),
        ("xcb_intern_atom_reply", (p, c, p), ctypes.POINTER(_IdReply)),
        ("xcb_get_selection_owner", (p, ctypes.c_uint32), c),
        ("xcb_get_selection_owner_reply", (p, c, p), ctypes.POINTER(_IdReply)),
        ("xcb_get_property", (p, ctypes.c_uint8, ctypes.c_uint32, ctypes.c_uint32,
                              ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint32), c),
        ("xcb_get_property_reply", (p, c, p), ctypes.POINTER(_PropertyReply)),
        ("xcb_get_property_value", (ctypes.POINTER(_PropertyReply),), p),
    ):  # fmt: skip
        function = getattr(xcb, name)
        function.argtypes, function.restype = argtypes, restype
    libc.free.argtypes, libc.free.restype = (p,), None
    return xcb, libc


class XcbConnection:
    """One XCB connection: atoms, the root window, 32-bit properties, selection owners."""

    def __init__(self, display_name: str | None) -> None:
        """Connect to ``display_name`` (such as ``":0"``); X11Error says why not."""
        if not display_name:
            raise X11Error("DISPLAY is not set")
        self._xcb, self._libc = _load_xcb()
        screen = ctypes.c_int()
        self._c = self._xcb.xcb_connect(display_name.encode(), ctypes.byref(screen))
        if self._xcb.xcb_connection_has_error(self._c):
            self._xcb.xcb_disconnect(self._c)
            raise X11Error(f"cannot open X11 display {display_name!r}")
        self.screen = screen.value
        roots = self._xcb.xcb_setup_roots_iterator(self._xcb.xcb_get_setup(self._c))
        for _ in range(self.screen):
            self._xcb.xcb_screen_next(ctypes.byref(roots))
        self.root = int(roots.data.contents.root)
        self._atoms: dict[str, int] = {}

    def atom(self, name: str) -> int:
        """The atom called ``name`` (created if need be)."""
        if name not in self._atoms:
            encoded = name.encode()
            cookie = self._xcb.xcb_intern_atom(self._c, 0, len(encoded), encoded)
            self._atoms[name] = self._reply_id(
                self._xcb.xcb_intern_atom_reply, cookie, f"interning {name}"
            )
        return self._atoms[name]

    def selection_owner(self, selection: str) -> int:
        """The window owning ``selection`` (0: nobody)."""
        cookie = self._xcb.xcb_get_selection_owner(self._c, self.atom(selection))
        return self._reply_id(self._xcb.xcb_get_selection_owner_reply, cookie, selection)

    def property_32(self, window: int, name: str) -> list[int]:
        """The 32-bit values of property ``name`` on ``window`` (empty if unset).

        XcbError on failure; its ``code`` is BAD_WINDOW when the window no longer exists.
        """
        xcb = self._xcb
        cookie = xcb.xcb_get_property(
            self._c, 0, window, self.atom(name), _ANY_PROPERTY_TYPE, 0, _MAX_LONGS
        )
        error = ctypes.POINTER(_Error)()
        reply = xcb.xcb_get_property_reply(self._c, cookie, ctypes.byref(error))
        self._raise_for(error, f"reading {name} of window 0x{window:x}")
        try:
            if reply.contents.format != 32:  # noqa: PLR2004 - X11 property formats are 8/16/32
                return []
            count = int(reply.contents.value_len)
            values = ctypes.cast(xcb.xcb_get_property_value(reply), ctypes.POINTER(ctypes.c_uint32))
            return [int(values[i]) for i in range(count)]
        finally:
            self._libc.free(reply)

    def close(self) -> None:
        """Disconnect (safe to call twice)."""
        if self._c:
            self._xcb.xcb_disconnect(self._c)
            self._c = None

    def _reply_id(self, reply_function: Any, cookie: _Cookie, what: str) -> int:  # noqa: ANN401
        error = ctypes.POINTER(_Error)()
        reply = reply_function(self._c, cookie, ctypes.byref(error))
        self._raise_for(error, what)
        try:
            return int(reply.contents.id)
        finally:
            self._libc.free(reply)

    def _raise_for(self, error: Any, what: str) -> None:  # noqa: ANN401 - a ctypes pointer
        if error:
            code = int(error.contents.error_code)
            self._libc.free(error)
            raise XcbError(f"{what} failed: X error {code}", code)
        if self._xcb.xcb_connection_has_error(self._c):
            raise XcbError(f"{what} failed: the X connection broke")
