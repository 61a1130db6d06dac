"""The shared selection shape, and the notifier's pure helpers (escaping, capabilities)."""

from __future__ import annotations

from deskmobility.adapters.notify._server import ServerInfo, close_reason, escape_markup
from deskmobility.adapters.selection import PassedOver, Selection
from deskmobility.core.events import CloseReason


def test_reason_lists_what_was_passed_over_on_one_line() -> None:
    selection = Selection(
        "x", "x11-sync", "x11-sync: SYNC alarms", (PassedOver("mutter", "not\n  GNOME"),)
    )
    assert selection.reason == "x11-sync: SYNC alarms; passed over: mutter: not GNOME"
    assert Selection("x", "x", "why").reason == "why"


def test_a_selection_unpacks_as_backend_and_reason_for_the_old_call_sites() -> None:
    backend, reason = Selection(42, "n", "why", (PassedOver("a", "b"),))
    assert (backend, reason) == (42, "why; passed over: a: b")


def test_only_ampersand_and_angle_brackets_are_escaped_for_markup_servers() -> None:
    assert escape_markup("<span size=\"90000\">A & B</span> 'q'") == (
        "&lt;span size=\"90000\"&gt;A &amp; B&lt;/span&gt; 'q'"
    )


def test_capabilities_name_what_the_notifier_may_use() -> None:
    dunst = ServerInfo("dunst", "1.9.0", frozenset({"actions", "body", "body-markup"}))
    assert dunst.has_actions
    assert dunst.body_markup
    assert not dunst.persistence
    bare = ServerInfo("x", "1", frozenset({"body"}))
    assert (bare.has_actions, bare.body_markup, bare.persistence) == (False, False, False)


def test_close_reasons_map_the_spec_numbers_onto_the_cores() -> None:
    assert [close_reason(n) for n in (1, 2, 3, 4, 99)] == [
        CloseReason.EXPIRED,
        CloseReason.DISMISSED,
        CloseReason.CLOSED,
        CloseReason.UNDEFINED,
        CloseReason.UNDEFINED,
    ]
