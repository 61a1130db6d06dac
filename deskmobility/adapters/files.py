"""Where files live on each OS, reading the config, and writing files atomically."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    # At run time only where a config is read: `status` and `break` need Paths alone.
    from deskmobility.core.config import ConfigError, Settings

APP = "deskmobility"
CONFIG_NAME = "config.toml"
HISTORY_NAME = "history.sqlite3"


# A config file is a page or two of text; this is far beyond any real one, and small
# enough that /dev/zero or a runaway generator cannot fill memory.
MAX_CONFIG_BYTES = 1024 * 1024


class Paths(NamedTuple):
    """The per-user folders, from platformdirs (XDG on Linux).

    A NamedTuple, not a dataclass: the control verbs import this module, and dataclasses
    (with inspect) would be a tenth of their start-up.

    ``runtime_dirs`` are the folders the control socket may live in, best first; the
    server takes the first it can use and clients look in each (see adapters/control.py).
    """

    config_file: Path
    state_dir: Path
    data_dir: Path
    log_dir: Path
    runtime_dirs: tuple[Path, ...]

    @property
    def runtime_dir(self) -> Path:
        """The preferred runtime folder."""
        return self.runtime_dirs[0]

    @classmethod
    def for_user(cls, env: Mapping[str, str] | None = None, platform: str = sys.platform) -> Paths:
        """Resolve the platform's per-user folders (imports platformdirs only when called)."""
        import platformdirs  # noqa: PLC0415  # keeps `--version` and `check-config` light

        state = platformdirs.user_state_path(APP)
        return cls(
            config_file=platformdirs.user_config_path(APP) / CONFIG_NAME,
            state_dir=state,
            data_dir=platformdirs.user_data_path(APP),
            log_dir=platformdirs.user_log_path(APP),
            runtime_dirs=runtime_dirs(state, os.environ if env is None else env, platform),
        )

    def make_private(self) -> None:
        """Make the state, data and log folders 0700 and their files 0600 (POSIX).

        Called when the app starts, before it writes anything: new files are made private
        by the umask set here, and ones left wider by older versions are tightened.
        """
        if os.name != "posix":
            return  # Windows: the per-user profile's ACL already keeps other users out
        os.umask(0o077)
        for folder in {self.state_dir, self.data_dir, self.log_dir}:
            private_folder(folder)


def runtime_dirs(state_dir: Path, env: Mapping[str, str], platform: str) -> tuple[Path, ...]:
    """Where the control socket may go, best first; never a shared folder such as /tmp.

    ``$XDG_RUNTIME_DIR/deskmobility`` when the variable names an absolute folder (POSIX),
    or platformdirs' runtime folder (Windows, macOS); then ``<state>/run`` in the user's
    own state folder, which works when the first cannot be used (unset, another user's,
    read-only, a path too long for a socket). A name in /tmp, platformdirs' fallback,
    can be taken first by another user.
    """
    found: list[Path] = []
    if platform in {"win32", "darwin"}:
        import platformdirs  # noqa: PLC0415

        with contextlib.suppress(OSError):
            found.append(platformdirs.user_runtime_path(APP))
    else:
        xdg = env.get("XDG_RUNTIME_DIR", "")
        if xdg and Path(xdg).is_absolute():
            found.append(Path(xdg) / APP)
    found.append(state_dir / "run")
    return tuple(found)


def private_folder(folder: Path) -> None:
    """Create ``folder`` 0700, or make it so, and its files 0600 (only ours; never raises)."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.lstat()
        if info.st_uid != os.getuid() or stat.S_ISLNK(info.st_mode):
            return
        if stat.S_IMODE(info.st_mode) & 0o077:
            folder.chmod(0o700)
        for entry in folder.iterdir():
            entry_info = entry.lstat()
            wide = stat.S_IMODE(entry_info.st_mode) & 0o077
            if wide and entry_info.st_uid == os.getuid() and stat.S_ISREG(entry_info.st_mode):
                entry.chmod(0o600)
            elif wide and stat.S_ISDIR(entry_info.st_mode):
                private_folder(entry)
    except OSError as error:
        import logging  # noqa: PLC0415  # check-config reads files and has no log

        logging.getLogger(__name__).warning(
            "cannot make %s private: %s", folder, error.strerror or error
        )


def load_config(path: Path) -> Settings | None:
    """Read and validate the config file; None when there is none (defaults apply).

    Raises ConfigError naming the file for anything else that stops it being read.
    """
    data = read_config_bytes(path)
    if data is None:
        return None
    from deskmobility.core.config import parse_settings_bytes  # noqa: PLC0415

    return parse_settings_bytes(data, str(path))


def read_config_bytes(path: Path) -> bytes | None:
    """The config file's bytes; None when there is none. Never blocks, never reads without end.

    Only a regular file of at most MAX_CONFIG_BYTES is read: a FIFO would block the
    reader until someone writes to it, and a device such as /dev/zero never ends.
    Raises ConfigError naming the file otherwise.
    """
    fd = _open_config(path)
    if fd is None:
        return None
    info = os.fstat(fd)
    if stat.S_ISDIR(info.st_mode):
        os.close(fd)
        raise _unreadable(path, "is a folder, not a config file")
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(info.st_mode):
            kind = _file_kind(info.st_mode)
            raise _unreadable(path, f"is {kind}, not a regular file; not reading it")
        if info.st_size > MAX_CONFIG_BYTES:
            raise _unreadable(path, _too_big(info.st_size))
        try:
            data = handle.read(MAX_CONFIG_BYTES + 1)
        except OSError as error:
            raise _unreadable(path, f"cannot be read: {error.strerror}") from None
    if len(data) > MAX_CONFIG_BYTES:  # it grew while being read
        raise _unreadable(path, _too_big(len(data)))
    return data


def _open_config(path: Path) -> int | None:
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        # O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting.
        return os.open(path, flags)
    except FileNotFoundError:
        if path.is_symlink():  # a dangling link is a mistake to report, not "no config"
            message = f"is a link to {path.readlink()}, which does not exist"
            raise _unreadable(path, message) from None
        return None
    except IsADirectoryError:
        raise _unreadable(path, "is a folder, not a config file") from None
    except PermissionError:
        raise _unreadable(path, "cannot be read: permission denied") from None
    except OSError as error:
        raise _unreadable(path, f"cannot be read: {error.strerror}") from None
    except ValueError:  # a NUL in the name; the path as the person typed it
        raise _unreadable(path, "is not a usable file name") from None


def _unreadable(path: Path, message: str) -> ConfigError:
    from deskmobility.core.config import ConfigError, Problem  # noqa: PLC0415

    return ConfigError([Problem(str(path), None, "", message)])


def _too_big(size: int) -> str:
    return f"is {size:,} bytes; a config file can be at most {MAX_CONFIG_BYTES:,} bytes"


def _file_kind(mode: int) -> str:
    kinds = {
        stat.S_ISFIFO: "a named pipe (FIFO)",
        stat.S_ISCHR: "a character device",
        stat.S_ISBLK: "a block device",
        stat.S_ISSOCK: "a socket",
    }
    return next((name for test, name in kinds.items() if test(mode)), "not a plain file")


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves the old or the new file, never half."""
    import tempfile  # noqa: PLC0415  # not needed to read a config (check-config)

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable (POSIX only)
        dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _package_dir() -> Path:
    from importlib import resources  # noqa: PLC0415  # only the running app needs it

    return Path(str(resources.files("deskmobility")))


def asset_path(name: str) -> Path:
    """A file from assets/: inside the installed package, or at the top of a source checkout."""
    packaged = _package_dir() / "assets" / name
    if packaged.exists():
        return packaged
    return Path(__file__).resolve().parents[2] / "assets" / name


def example_config() -> bytes:
    """The commented example config (shipped in the wheel next to the assets)."""
    packaged = _package_dir() / "config.example.toml"
    if packaged.exists():
        return packaged.read_bytes()
    return (Path(__file__).resolve().parents[2] / "config.example.toml").read_bytes()
