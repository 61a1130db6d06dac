from __future__ import annotations

import tomllib

import pytest
import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from deskmobility.core.toml_lines import KeyLines, KeyPath


def lines_of(text: str, *paths: KeyPath) -> list[int | None]:
    tomllib.loads(text)  # every document here is valid TOML: the scanner never sees broken text
    found = KeyLines(text)
    return [found.line_of(path) for path in paths]


def test_tables_and_their_keys_are_found_on_their_lines() -> None:
    text = """\
# a comment
top = 1

[reminders.head]
enabled = true
every = "20m"
[breaks]
natural_break = "5m"
"""
    assert lines_of(
        text,
        ("top",),
        ("reminders", "head"),
        ("reminders", "head", "enabled"),
        ("reminders", "head", "every"),
        ("breaks",),
        ("breaks", "natural_break"),
    ) == [2, 4, 5, 6, 7, 8]


def test_a_missing_key_points_at_its_nearest_table() -> None:
    text = '[breaks]\nnatural_break = "5m"\n\n[reminders.head]\nenabled = true\n'
    assert lines_of(text, ("reminders", "head", "every"), ("breaks", "other")) == [4, 1]


def test_a_key_in_no_table_that_is_not_there_has_no_line() -> None:
    assert lines_of("a = 1\n", ("nowhere",), ("nowhere", "deeper")) == [None, None]


def test_dotted_keys_are_found_whole_and_by_prefix() -> None:
    text = '[reminders]\nhead.every = "20m"\nstretch . enabled = false\n'
    assert lines_of(
        text,
        ("reminders", "head", "every"),
        ("reminders", "head"),
        ("reminders", "stretch", "enabled"),
    ) == [2, 2, 3]


def test_dotted_table_headers_with_spaces_and_comments() -> None:
    text = '[ reminders . posture ]  # mine\nevery = "30m"\n'
    assert lines_of(text, ("reminders", "posture"), ("reminders", "posture", "every")) == [1, 2]


def test_quoted_keys_lose_their_quotes() -> None:
    text = """\
"quoted.key" = 1
'literal key' = 2
["my table".'sub']
"every" = "20m"
"""
    assert lines_of(
        text,
        ("quoted.key",),
        ("literal key",),
        ("my table", "sub"),
        ("my table", "sub", "every"),
    ) == [1, 2, 3, 4]


def test_escapes_in_quoted_keys_read_as_toml_reads_them() -> None:
    text = '"caf\\u00e9" = 1\n"say \\"hi\\"" = 2\n\'no \\escape\' = 3\n'
    assert lines_of(text, ("caf\u00e9",), ('say "hi"',), ("no \\escape",)) == [1, 2, 3]


def test_arrays_of_tables_are_numbered_from_zero() -> None:
    text = """\
[exercises]
floor_space = true

[[exercises.custom]]
name = "One"
reps = 8

[[exercises.custom]]
name = "Two"
reps = 0
"""
    assert lines_of(
        text,
        ("exercises", "custom", 0),
        ("exercises", "custom", 0, "reps"),
        ("exercises", "custom", 1),
        ("exercises", "custom", 1, "reps"),
        ("exercises", "custom", 1, "takes"),  # missing: its [[entry]] header
    ) == [4, 6, 8, 10, 8]


def test_tables_nested_in_an_array_of_tables_belong_to_its_latest_entry() -> None:
    text = """\
[[fruit]]
name = "apple"
[[fruit]]
name = "pear"
[fruit.taste]
sweet = true
[[fruit.variety]]
name = "conference"
[[fruit.variety]]
name = "williams"
"""
    assert lines_of(
        text,
        ("fruit", 1, "taste", "sweet"),
        ("fruit", 1, "variety", 0, "name"),
        ("fruit", 1, "variety", 1, "name"),
    ) == [6, 8, 10]


def test_keys_after_a_multi_line_array_are_found() -> None:
    text = """\
[exercise]
steps = [
  "Sit tall.",   # a comment with a ] in it
  "name = not a key",
  ["nested", "]"],
  { inline = "table" },
]
takes = "1m"
equipment = [ "band",
  "bench" ]
caution = "Careful."
"""
    assert lines_of(
        text,
        ("exercise", "steps"),
        ("exercise", "name"),
        ("exercise", "takes"),
        ("exercise", "equipment"),
        ("exercise", "caution"),
    ) == [2, 1, 8, 9, 11]


def test_keys_after_triple_quoted_strings_are_found() -> None:
    text = """\
a = \"\"\"
every = "fake"
[fake]
\"\"\"
b = '''
c = 1 \"\"\" not the end
'''
d = \"\"\"all on one line\"\"\"
e = \"\"\"ends on the next line
\"\"\"
every = "20m"
"""
    assert lines_of(text, ("a",), ("b",), ("d",), ("e",), ("every",), ("fake",), ("c",)) == [
        1,
        5,
        8,
        9,
        11,
        None,
        None,
    ]


def test_a_triple_quoted_string_inside_a_multi_line_array() -> None:
    text = """\
[exercise]
steps = [
  \"\"\"A step that
runs over [two] lines.\"\"\",
  "second",
]
takes = "1m"
"""
    assert lines_of(text, ("exercise", "takes")) == [7]


@pytest.mark.parametrize(
    "comment",
    ['# write text over several lines with """', "# don't use ''' here", "# [ or {"],
)
def test_quotes_and_brackets_in_a_trailing_comment_do_not_hide_later_keys(comment: str) -> None:
    text = f'[reminders.head]\nenabled = true  {comment}\nevery = "20m"\n'
    assert lines_of(text, ("reminders", "head", "every")) == [3]


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_only_newlines_end_lines_as_in_toml(separator: str) -> None:
    # TOML allows these characters in comments; Python's splitlines() would count them.
    text = f'# note{separator}more\n[reminders.head]\nevery = "20m"\n'
    assert lines_of(text, ("reminders", "head", "every")) == [3]


def test_windows_line_endings_count_once() -> None:
    text = '[reminders.head]\r\nenabled = true\r\n\r\nevery = "20m"\r\n'
    assert lines_of(text, ("reminders", "head", "every")) == [4]


def test_the_first_place_a_key_appears_wins() -> None:
    text = "[a]\nx = 1\n[b]\nx = 2\n"
    assert lines_of(text, ("a", "x"), ("b", "x")) == [2, 4]


def test_a_multi_line_string_may_end_in_quotes() -> None:
    text = 'steps = ["""one\ntwo""""", "[",\n  "three"]\nafter = 1\n'
    assert lines_of(text, ("after",)) == [4]


_NAMES = st.text("abcxyz_-", min_size=1, max_size=6) | st.text(min_size=1, max_size=6)
_TEXT = st.text(st.sampled_from("ab #[]{}\"'\\\n=\u2028"), max_size=12)
_VALUES = st.recursive(
    st.integers() | st.booleans() | _TEXT,
    lambda inner: st.lists(inner, max_size=4),
    max_leaves=8,
)
_TABLES = st.lists(
    st.tuples(_NAMES, st.booleans(), st.dictionaries(_NAMES, _VALUES, max_size=4)),
    max_size=4,
    unique_by=lambda table: table[0],
)


@settings(max_examples=200, deadline=None)
@given(_TABLES, st.sampled_from(["", "  # a comment with \"\"\" ''' [ {"]))
def test_every_key_of_a_generated_document_is_found_on_its_line(
    tables: list[tuple[str, bool, dict[str, object]]], comment: str
) -> None:
    """Documents as tomli_w writes them: escapes, multi-line strings and arrays, odd keys."""
    out: list[str] = []
    expected: dict[KeyPath, int] = {}
    for name, is_array, keys in tables:
        table: KeyPath = (name, 0) if is_array else (name,)
        header = tomli_w.dumps({name: 0}).split(" = ")[0]
        out.append(f"[[{header}]]" if is_array else f"[{header}]")
        expected[table] = len(out)
        for key, value in keys.items():
            expected[(*table, key)] = len(out) + 1
            written = tomli_w.dumps({key: value}, multiline_strings=True).rstrip("\n")
            out.extend((written + comment).split("\n"))
    text = "\n".join(out) + "\n"
    assert lines_of(text, *expected) == list(expected.values())
