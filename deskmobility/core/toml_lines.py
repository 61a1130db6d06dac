"""Find the line a TOML key was written on, so errors can point at it.

tomllib reports line numbers for syntax errors only. For a value that parses but is
wrong (a bad duration, an unknown key) we scan the text once and remember where each
table header and each ``key =`` starts. The scanner understands the shapes people
write by hand: ``[table]``, ``[[array]]``, dotted and quoted keys, and values that run
over several lines (arrays, triple-quoted strings), whose inner lines it skips.
"""

from __future__ import annotations

import re
import tomllib

KeyPath = tuple[str | int, ...]

_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"|\'[^\']*\''
_KEY = rf"(?:{_BARE}|{_QUOTED})(?:\s*\.\s*(?:{_BARE}|{_QUOTED}))*"
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_KEY})\s*\]\]?")
_ASSIGN = re.compile(rf"^\s*({_KEY})\s*=")
_PART = re.compile(rf"{_BARE}|{_QUOTED}")


def _split_key(text: str) -> tuple[str, ...]:
    return tuple(_unquote(raw) for raw in _PART.findall(text))


def _unquote(raw: str) -> str:
    if raw.startswith('"'):  # escapes (\", \u00e9) read as tomllib reads them
        try:
            return str(tomllib.loads(f"k = {raw}")["k"])
        except tomllib.TOMLDecodeError:
            return raw[1:-1]
    return raw[1:-1] if raw.startswith("'") else raw


def _string_end(text: str, start: int, fence: str) -> int:
    """Index just past the ``fence`` that closes a string opened before ``start``; -1 if none."""
    index = start
    while index < len(text):
        if text.startswith(fence, index):
            end = index + len(fence)
            if len(fence) > 1:  # """a"""" ends with a quote: up to two more belong to the string
                while end < min(len(text), index + 5) and text[end] == fence[0]:
                    end += 1
            return end
        index += 2 if text[index] == "\\" and fence[0] == '"' else 1
    return -1


def _scan_value(value: str) -> tuple[int, str]:
    """Net bracket depth of (part of) a value, and the fence of a multi-line string left open.

    Brackets inside strings do not count, and a comment ends the value.
    """
    depth = 0
    index = 0
    while index < len(value):
        char = value[index]
        if char in "\"'":
            fence = value[index : index + 3]
            if fence not in ('"""', "'''"):
                fence = char
            end = _string_end(value, index + len(fence), fence)
            if end < 0:
                return depth, fence if len(fence) > 1 else ""
            index = end
            continue
        if char == "#":
            break
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        index += 1
    return depth, ""


def _table_path(header: re.Match[str], counts: dict[KeyPath, int]) -> KeyPath:
    """The path of a ``[table]``, or of the next element of an ``[[array]]`` of tables.

    A header below an array of tables (``[[fruit]]`` then ``[fruit.taste]``) belongs to
    the array's latest element, so the path gets that element's index.
    """
    names = _split_key(header.group(2))
    path: KeyPath = ()
    for name in names[:-1]:
        path = (*path, name)
        if path in counts:
            path = (*path, counts[path])
    path = (*path, *names[-1:])
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
        counts: dict[KeyPath, int] = {}
        depth = 0
        fence = ""
        # Only "\n" ends a line in TOML (and in tomllib's error positions); splitlines()
        # would also split at characters a comment may hold, such as U+2028.
        for number, line in enumerate(text.split("\n"), start=1):
            value = line
            if fence:  # inside a multi-line string: skip to where it ends
                end = _string_end(line, 0, fence)
                if end < 0:
                    continue
                value = line[end:]
            elif depth <= 0:
                header = _HEADER.match(line)
                if header:
                    table = _table_path(header, counts)
                    # [a.b] defines a too when a has no header of its own: place both.
                    for end in range(1, len(table) + 1):
                        self._lines.setdefault(table[:end], number)
                    continue
                value = self._assignment(line, table, number)
                depth = 0
            opened, fence = _scan_value(value)
            depth += opened

    def _assignment(self, line: str, table: KeyPath, number: int) -> str:
        """Record the key of a ``key = value`` line and return the value text ("" if none)."""
        assign = _ASSIGN.match(line)
        if not assign:
            return ""
        key = _split_key(assign.group(1))
        for end in range(1, len(key) + 1):  # "head.every" also places "head"
            self._lines.setdefault((*table, *key[:end]), number)
        return line[assign.end() :]

    def line_of(self, path: KeyPath) -> int | None:
        """Return the line of ``path`` or of its nearest enclosing table; None if not found."""
        for end in range(len(path), 0, -1):
            found = self._lines.get(path[:end])
            if found is not None:
                return found
        return None
