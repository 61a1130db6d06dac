"""Find the line a TOML key was written on, so errors can point at it.

tomllib reports line numbers for syntax errors only. For a value that parses but is
wrong (a bad duration, an unknown key) we scan the text once and remember where each
table header and each ``key =`` starts. The scanner understands the shapes people
write by hand: ``[table]``, ``[[array]]``, dotted and quoted keys, and values that run
over several lines (arrays, triple-quoted strings), whose inner lines it skips.
"""

from __future__ import annotations

import re

KeyPath = tuple[str | int, ...]

_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"|\'[^\']*\''
_KEY = rf"(?:{_BARE}|{_QUOTED})(?:\s*\.\s*(?:{_BARE}|{_QUOTED}))*"
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_KEY})\s*\]\]?")
_ASSIGN = re.compile(rf"^\s*({_KEY})\s*=")
_PART = re.compile(rf"{_BARE}|{_QUOTED}")


def _split_key(text: str) -> tuple[str, ...]:
    return tuple(raw[1:-1] if raw[:1] in "\"'" else raw for raw in _PART.findall(text))


def _open_brackets(value: str) -> int:
    """Net bracket depth of a value, ignoring brackets inside strings and comments."""
    depth = 0
    quote = ""
    escaped = False
    for char in value:
        if quote:
            if escaped:
                escaped = False
            elif char == "\\" and quote == '"':
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#":
            break
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
    return depth


def _table_path(header: re.Match[str], counts: dict[tuple[str, ...], int]) -> KeyPath:
    """The path of a ``[table]``, or of the next element of an ``[[array]]`` of tables."""
    path = _split_key(header.group(2))
    if header.group(1) != "[[":
        return path
    index = counts.get(path, -1) + 1
    counts[path] = index
    return (*path, index)


class KeyLines:
    """Map from a key path (``("reminders", "head", "every")``) to its 1-based line."""

    def __init__(self, text: str) -> None:
        self._lines: dict[KeyPath, int] = {}
        self._scan(text)

    def _scan(self, text: str) -> None:
        table: KeyPath = ()
        counts: dict[tuple[str, ...], int] = {}
        depth = 0
        in_multiline = ""
        for number, line in enumerate(text.splitlines(), start=1):
            if in_multiline:
                if line.count(in_multiline) % 2 == 1:
                    in_multiline = ""
                continue
            if depth > 0:
                depth += _open_brackets(line)
                continue
            header = _HEADER.match(line)
            if header:
                table = _table_path(header, counts)
                self._lines.setdefault(table, number)
                continue
            assign = _ASSIGN.match(line)
            if assign:
                self._lines.setdefault((*table, *_split_key(assign.group(1))), number)
                value = line[assign.end() :]
                for fence in ('"""', "'''"):
                    if value.count(fence) % 2 == 1:
                        in_multiline = fence
                if not in_multiline:
                    depth = max(0, _open_brackets(value))

    def line_of(self, path: KeyPath) -> int | None:
        """Return the line of ``path`` or of its nearest enclosing table; None if not found."""
        for end in range(len(path), 0, -1):
            found = self._lines.get(path[:end])
            if found is not None:
                return found
        return None
