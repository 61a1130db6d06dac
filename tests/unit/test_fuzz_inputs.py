"""Bad input never gets past its own error: hypothesis on the command line and control channel.

- any argv to ``deskmobility.cli.main`` returns an exit status or exits through argparse
  (0 for --help/--version, 2 for a usage error), never with another exception. ``run``
  is replaced by a stub (the launcher has its own tests) and the runtime folder is the
  test's own empty one, so the control verbs find nothing running and say so;
- any JSON value or bytes sent to a real ControlServer over its real socket, served by an
  AppControlHandler on a real App, gets a JSON object with a boolean "ok", and the server
  and the App are fine afterwards; anything ``check_request`` accepts is carried out by
  the handler with such a reply;
- any bytes as the config file and as its last-good copy give settings to run on.

Config text and bytes through the parser are already covered in test_config.py, and any
bytes as the history database in test_store.py. Each property is bounded to a couple of
seconds (``max_examples``); examples share one App and one server, as a long run would.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Client
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskmobility import cli
from deskmobility.adapters.control import COMMANDS, ControlServer, check_request
from deskmobility.adapters.files import HISTORY_NAME, Paths
from deskmobility.adapters.store import HistoryEvent, Store
from deskmobility.app import App
from deskmobility.control_handler import AppControlHandler
from deskmobility.core.config import Settings
from deskmobility.core.history import HistoryKind
from deskmobility.start_files import read_settings
from tests.conftest import FakeClock
from tests.doubles import HandFiredTimer, build_app

from .test_app import settings as app_settings

SHARED = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# -- the command line --------------------------------------------------------------------------

VERBS = [
    *("run", "check-config", "exercises", "checklist", "stats", "break", "pause", "resume"),
    *("status", "quit", "autostart"),
]
DURATIONS = ["1h", "30m", "1h30m", "90s", "1s", "0", "-5", "3661", "1e9", "9" * 20, "5 parsecs"]
NUMBERS = ["7", "1", "0", "-1", "3660", "3661", "1e3", "9" * 20, "seven"]
JUNK = ["--", "-", "", "=", "--config=", "--version", "-h", "--help", "--json", "--days=0"]


@pytest.fixture
def cli_files(tmp_path: Path) -> list[str]:
    """Paths an argv may name: a good config, a bad one, garbage, a folder, nothing."""
    good = tmp_path / "good.toml"
    good.write_text('[reminders.head]\nevery = "15m"\n', encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text('[reminders.head]\nevery = "15 parsecs"\nx = [\n', encoding="utf-8")
    junk = tmp_path / "junk.toml"
    junk.write_bytes(b"\xff\xfe\x00garbage\x00")
    return [str(p) for p in (good, bad, junk, tmp_path, tmp_path / "missing.toml")]


@st.composite
def command_lines(draw: st.DrawFn, paths: list[str]) -> list[str]:
    """A well-formed command (see ``deskmobility --help``), often with one word spoiled."""
    path = st.sampled_from(paths)

    def maybe(*words: str | st.SearchStrategy[str]) -> list[str]:
        if not draw(st.booleans()):
            return []
        return [w if isinstance(w, str) else draw(w) for w in words]

    verb = draw(st.sampled_from(VERBS))
    args = {
        "run": lambda: [*maybe("--config", path), *maybe("--no-tray")],
        "check-config": lambda: maybe(path),
        "exercises": lambda: [*maybe("--json"), *maybe("--config", path)],
        "stats": lambda: [
            *maybe("--days", st.sampled_from(NUMBERS)),
            *maybe("--json"),
            *maybe("--chart", st.sampled_from(["chart.png", "no/such/dir/c.png", *paths])),
        ],
        "pause": lambda: maybe(st.sampled_from(DURATIONS) | st.text(max_size=8)),
        "status": lambda: maybe("--json"),
        "autostart": lambda: [draw(st.sampled_from(["on", "off", "status", "maybe"]))],
    }.get(verb, list)()
    line = [*maybe("--no-tray"), verb, *args]
    if draw(st.integers(0, 3)) == 0:  # spoil it: one word in, one word out, or one changed
        at = draw(st.integers(0, len(line)))
        junk = draw(st.sampled_from(JUNK) | st.text(max_size=10))
        how = draw(st.sampled_from(["insert", "drop", "replace"]))
        if how == "insert" or at == len(line):
            line.insert(at, junk)
        elif how == "drop":
            del line[at]
        else:
            line[at] = junk
    return line


def argv_lists(paths: list[str]) -> st.SearchStrategy[list[str]]:
    anything = st.sampled_from(VERBS) | st.sampled_from(JUNK + DURATIONS) | st.text()
    lines = command_lines(paths)
    return st.one_of(lines, lines, lines, st.lists(anything, max_size=6))


def test_any_command_line_exits_with_a_status_or_a_usage_error(
    cli_files: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    launched: list[tuple[object, bool]] = []

    def fake_launch(config: object, no_tray: bool) -> int:
        launched.append((config, no_tray))
        return 0

    monkeypatch.setattr("deskmobility.launch.launch", fake_launch)
    monkeypatch.chdir(tmp_path)  # a relative --chart or --config lands in the test's folder
    paths = Paths.for_user()
    assert not paths.runtime_dir.exists() or not any(paths.runtime_dir.iterdir())
    history, _ = Store.open(paths.data_dir / HISTORY_NAME)  # so that stats has days to show
    with contextlib.closing(history):
        history.record(
            HistoryEvent(datetime.now(UTC), HistoryKind.NATURAL_BREAK, None, None, "600s")
        )

    @settings(SHARED, max_examples=250)
    @given(argv_lists(cli_files))
    def exits_cleanly(argv: list[str]) -> None:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status: object = cli.main(argv)
            except SystemExit as exited:  # argparse: --help, --version, a usage error
                status = ("exit", exited.code)
        assert status in (0, 1, 3, ("exit", 0), ("exit", 2)), (argv, status, err.getvalue())
        assert "Traceback" not in err.getvalue()

    exits_cleanly()
    assert launched, "no example reached the run command: the strategy is off"


# -- the control channel -----------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
durations = (
    st.integers(min_value=-(2**70), max_value=2**70)
    | st.integers(min_value=1, max_value=366 * 86400)
    | st.floats()
    | st.booleans()
    | st.text(max_size=10)
    | st.none()
)
valid_requests = st.sampled_from([c for c in COMMANDS if c != "pause"]).map(
    lambda command: {"command": command}
) | st.integers(min_value=1, max_value=366 * 86400).map(
    lambda seconds: {"command": "pause", "duration_seconds": seconds}
)
requests = st.one_of(
    valid_requests,
    valid_requests,
    json_values,
    st.fixed_dictionaries(
        {"command": st.sampled_from([*COMMANDS, "", "reboot", "PAUSE"]) | st.text(max_size=8)},
        optional={"duration_seconds": durations, "extra": json_values},
    ),
)


def _encode(value: object) -> bytes:
    return json.dumps(value).encode()  # NaN and Infinity included, as json.loads reads them


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened, _ = Store.open(tmp_path / "history.sqlite3")
    yield opened
    opened.close()


@pytest.fixture
def app(clock: FakeClock, store: Store) -> App:
    made, _ = build_app(clock, store, HandFiredTimer(clock), app_settings())
    return made


@pytest.fixture
def quits() -> list[int]:
    return []


@pytest.fixture
def handler(app: App, quits: list[int]) -> AppControlHandler:
    return AppControlHandler(app, quit=lambda: quits.append(1))


@pytest.fixture
def server(tmp_path: Path, handler: AppControlHandler) -> Iterator[ControlServer]:
    runtime = tmp_path / "run"
    claimed = ControlServer.claim(runtime)
    assert isinstance(claimed, ControlServer)
    claimed.start(handler)
    try:
        yield claimed
    finally:
        claimed.close()


def _ask(server: ControlServer, payload: bytes) -> dict[str, object]:
    conn = Client(server.address, "AF_UNIX")
    try:
        conn.send_bytes(payload)
        assert conn.poll(5.0), "no reply within 5 s"
        reply = json.loads(conn.recv_bytes())
    finally:
        conn.close()
    assert isinstance(reply, dict), reply
    assert isinstance(reply.get("ok"), bool), reply
    assert isinstance(reply.get("message"), str), reply
    return reply


def _is_valid_reply(reply: object) -> bool:
    return (
        isinstance(reply, dict)
        and isinstance(reply.get("ok"), bool)
        and isinstance(reply.get("message"), str)
    )


@settings(SHARED, max_examples=300)
@given(requests)
def test_check_request_says_what_is_wrong_or_accepts_never_raises(request: object) -> None:
    problem = check_request(request)
    assert problem is None or (isinstance(problem, str) and problem)
    if problem is None:
        assert isinstance(request, dict)
        assert request["command"] in COMMANDS


def test_whatever_check_request_accepts_the_handler_carries_out(
    handler: AppControlHandler, app: App, quits: list[int]
) -> None:
    @settings(SHARED, max_examples=300)
    @given(requests)
    def carried_out(request: object) -> None:
        if check_request(request) is not None or not isinstance(request, dict):
            return
        if request["command"] == "ping":  # answered by the server itself
            return
        reply = handler.handle(request)
        assert _is_valid_reply(reply), reply
        json.dumps(reply)  # it goes back over the wire as JSON

    carried_out()
    assert app.status().next_due or app.status().paused_until


def test_any_bytes_on_the_socket_get_a_json_reply_and_the_app_carries_on(
    server: ControlServer, app: App, quits: list[int]
) -> None:
    @settings(SHARED, max_examples=300)
    @given(requests.map(_encode) | st.binary(max_size=200))
    def answered(payload: bytes) -> None:
        reply = _ask(server, payload)
        try:
            request = json.loads(payload)
        except (ValueError, RecursionError):
            assert reply["ok"] is False
            return
        if check_request(request) is not None:
            assert reply["ok"] is False

    answered()
    assert _ask(server, b'{"command": "ping"}')["ok"] is True
    status = _ask(server, b'{"command": "status"}')
    assert status["ok"] is True
    assert isinstance(status["next_due"], dict)
    # The socket's answer is the app's own state: nothing the fuzzing sent broke the two apart.
    assert status["break_running"] is app.status().break_running
    assert status["message"] == app.next_line()


# -- the config file and its last-good copy ------------------------------------------------------


def test_any_config_and_last_good_bytes_give_settings_to_run_on(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    state = tmp_path / "state"
    state.mkdir()
    last_good = state / "last-good-config.toml"

    @settings(SHARED, max_examples=300)
    @given(st.binary(max_size=300) | st.none(), st.binary(max_size=300) | st.none())
    def starts(config_bytes: bytes | None, last_good_bytes: bytes | None) -> None:
        for path, data in ((config, config_bytes), (last_good, last_good_bytes)):
            if data is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(data)
        found, error = read_settings(config, state)
        assert isinstance(found, Settings)
        for kind in found.reminders:
            every = found.interval(kind)
            assert every is None or every.total_seconds() > 0
        if error is not None:
            assert str(config) in str(error)
        assert found.natural_break > timedelta(0)  # an absence can be told from a pause

    starts()
