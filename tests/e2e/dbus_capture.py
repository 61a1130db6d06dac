"""Read what ``dbus-monitor --pcap`` records: every D-Bus message, exactly.

Why not dbus-monitor's text output: it prints string arguments between double quotes
without escaping anything, so a body such as ``it's "x"`` followed by a newline and
``   string "`` cannot be told apart from the next argument. The ``--pcap`` output is the
D-Bus wire format itself (one pcap record per message), which has lengths and types
for everything, so it is parsed here without guessing. The harness still keeps the
text log next to it for people to read.

Public API: ``read_notifications(path) -> list[Notification]``, ``read_messages(path) ->
list[Message]`` and ``split_signature(sig)``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

_PCAP_MAGIC = 0xA1B2C3D4
_PCAP_HEADER = 24
_RECORD_HEADER = 16
_LINKTYPE_DBUS = 231

# type code -> (struct format, size); the size is also the alignment.
_FIXED = {
    "y": ("B", 1),
    "b": ("I", 4),
    "n": ("h", 2),
    "q": ("H", 2),
    "i": ("i", 4),
    "u": ("I", 4),
    "x": ("q", 8),
    "t": ("Q", 8),
    "d": ("d", 8),
    "h": ("I", 4),
}
_ALIGNMENT = {**{code: size for code, (_, size) in _FIXED.items()}}
_ALIGNMENT.update({"s": 4, "o": 4, "g": 1, "v": 1, "a": 4, "(": 8, "{": 8})
NOTIFY_SIGNATURE = "susssasa{sv}i"
_MESSAGE_TYPES = {1: "method_call", 2: "method_return", 3: "error", 4: "signal"}
_HEADER_FIELDS = {
    1: "path",
    2: "interface",
    3: "member",
    4: "error_name",
    5: "reply_serial",
    6: "destination",
    7: "sender",
    8: "signature",
}


@dataclass(frozen=True)
class Message:
    """One D-Bus message as it crossed the bus.

    ``args`` holds the body decoded into Python values: strings, ints, bools, floats,
    ``bytes`` for ``ay``, ``list`` for other arrays, ``dict`` for ``a{..}``, ``tuple`` for
    structs; a variant is replaced by its value.
    """

    timestamp: float
    type: str
    serial: int
    sender: str | None
    destination: str | None
    path: str | None
    interface: str | None
    member: str | None
    signature: str
    args: tuple[Any, ...]


def split_signature(signature: str) -> list[str]:
    """Split a D-Bus signature into complete types: ``"sa{sv}i"`` -> ``["s", "a{sv}", "i"]``."""
    types = []
    start = 0
    while start < len(signature):
        end = _end_of_type(signature, start)
        types.append(signature[start:end])
        start = end
    return types


def _end_of_type(signature: str, start: int) -> int:
    code = signature[start]
    if code == "a":
        return _end_of_type(signature, start + 1)
    if code in "({":
        close = ")" if code == "(" else "}"
        position = start + 1
        while signature[position] != close:
            position = _end_of_type(signature, position)
        return position + 1
    return start + 1


class _Reader:
    """Unmarshals values from one message; offsets (and so alignment) count from its start."""

    def __init__(self, data: bytes, byte_order: str) -> None:
        self.data = data
        self.byte_order = byte_order
        self.position = 0

    def align(self, size: int) -> None:
        self.position += -self.position % size

    def read(self, signature: str) -> Any:
        code = signature[0]
        if code in _FIXED:
            fmt, size = _FIXED[code]
            self.align(size)
            (value,) = struct.unpack_from(self.byte_order + fmt, self.data, self.position)
            self.position += size
            return bool(value) if code == "b" else value
        if code in "so":
            return self._text(self.read("u"))
        if code == "g":
            return self._text(self.read("y"))
        if code == "v":
            return self.read(self.read("g"))
        if code == "a":
            return self._array(signature[1:])
        if code in "({":
            self.align(8)
            return tuple(self.read(member) for member in split_signature(signature[1:-1]))
        raise ValueError(f"unknown D-Bus type code {code!r} in {signature!r}")

    def _text(self, length: int) -> str:
        text = self.data[self.position : self.position + length].decode("utf-8")
        self.position += length + 1  # and the terminating NUL
        return text

    def _array(self, element: str) -> bytes | list[Any] | dict[Any, Any]:
        length = self.read("u")
        self.align(_ALIGNMENT[element[0]])
        end = self.position + length
        if element == "y":
            raw = self.data[self.position : end]
            self.position = end
            return bytes(raw)
        items = []
        while self.position < end:
            items.append(self.read(element))
        return dict(items) if element[0] == "{" else items


def parse_message(data: bytes, timestamp: float = 0.0) -> Message:
    """Decode one complete D-Bus message (header and body) from its wire bytes."""
    byte_order = {ord("l"): "<", ord("B"): ">"}[data[0]]
    reader = _Reader(data, byte_order)
    (serial,) = struct.unpack_from(byte_order + "I", data, 8)
    reader.position = 12
    fields = {_HEADER_FIELDS.get(code, str(code)): value for code, value in reader.read("a(yv)")}
    reader.align(8)
    signature = fields.get("signature", "")
    args = tuple(reader.read(single) for single in split_signature(signature))
    return Message(
        timestamp=timestamp,
        type=_MESSAGE_TYPES.get(data[1], str(data[1])),
        serial=serial,
        sender=fields.get("sender"),
        destination=fields.get("destination"),
        path=fields.get("path"),
        interface=fields.get("interface"),
        member=fields.get("member"),
        signature=signature,
        args=args,
    )


def read_messages(path: Path) -> list[Message]:
    """Every complete message in a pcap file that dbus-monitor may still be writing.

    A record whose bytes are not all on disk yet is left for the next call.
    """
    data = path.read_bytes() if path.exists() else b""
    if len(data) < _PCAP_HEADER:
        return []
    byte_order = "<" if struct.unpack_from("<I", data)[0] == _PCAP_MAGIC else ">"
    (linktype,) = struct.unpack_from(byte_order + "I", data, 20)
    if linktype != _LINKTYPE_DBUS:
        raise ValueError(f"{path} is not a D-Bus capture (pcap link type {linktype})")
    messages = []
    position = _PCAP_HEADER
    while position + _RECORD_HEADER <= len(data):
        seconds, micros, length, _ = struct.unpack_from(byte_order + "IIII", data, position)
        start = position + _RECORD_HEADER
        if start + length > len(data):
            break
        messages.append(parse_message(data[start : start + length], seconds + micros / 1e6))
        position = start + length
    return messages


@dataclass(frozen=True)
class Notification:
    """One ``org.freedesktop.Notifications.Notify`` call, exactly as the sender made it.

    ``expire_timeout`` is what was asked for, in ms (-1: server default, 0: never); the
    e2e dunst keeps every notification on screen 60 s whatever it says (see dunstrc).
    ``hints`` maps hint names to values (``urgency``, ``image-path``, ...). ``sender`` is
    the sender's unique bus name; ``index`` counts Notify calls from 0 since recording began.
    """

    app_name: str
    replaces_id: int
    app_icon: str
    summary: str
    body: str
    actions: list[str]
    hints: dict[str, Any]
    expire_timeout: int
    sender: str | None = None
    timestamp: float = 0.0
    index: int = field(default=0, compare=False)


def read_notifications(path: Path) -> list[Notification]:
    """Every well-formed Notify method call in a capture, oldest first.

    A call with another signature is left out: the server rejects it too.
    """
    calls = [
        message
        for message in read_messages(path)
        if message.type == "method_call"
        and message.member == "Notify"
        and message.signature == NOTIFY_SIGNATURE
    ]
    return [_notification(call, index) for index, call in enumerate(calls)]


def _notification(call: Message, index: int) -> Notification:
    app_name, replaces_id, app_icon, summary, body, actions, hints, expire_timeout = call.args
    return Notification(
        app_name=app_name,
        replaces_id=replaces_id,
        app_icon=app_icon,
        summary=summary,
        body=body,
        actions=actions,
        hints=hints,
        expire_timeout=expire_timeout,
        sender=call.sender,
        timestamp=call.timestamp,
        index=index,
    )
