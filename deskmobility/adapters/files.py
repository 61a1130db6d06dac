"""Where files live on each OS, reading the config, and writing files atomically."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

from deskmobility.core.config import ConfigError, Problem, Settings, parse_settings_bytes

APP = "deskmobility"
CONFIG_NAME = "config.toml"
HISTORY_NAME = "history.sqlite3"


@dataclass(frozen=True)
class Paths:
    """The per-user folders, from platformdirs (XDG on Linux)."""

    config_file: Path
    state_dir: Path
    data_dir: Path
    log_dir: Path
    runtime_dir: Path

    @classmethod
    def for_user(cls) -> Paths:
        """Resolve the platform's per-user folders (imports platformdirs only when called)."""
        import platformdirs  # noqa: PLC0415  # keeps `--version` and `check-config` light

        with warnings.catch_warnings():
            # Without XDG_RUNTIME_DIR platformdirs warns and uses /tmp/runtime-<uid>, which
            # is what we want; the control socket code makes that folder private itself.
            warnings.simplefilter("ignore")
            runtime = platformdirs.user_runtime_path(APP)
        return cls(
            config_file=platformdirs.user_config_path(APP) / CONFIG_NAME,
            state_dir=platformdirs.user_state_path(APP),
            data_dir=platformdirs.user_data_path(APP),
            log_dir=platformdirs.user_log_path(APP),
            runtime_dir=runtime,
        )


def load_config(path: Path) -> Settings | None:
    """Read and validate the config file; None when there is none (defaults apply).

    Raises ConfigError naming the file for anything else that stops it being read.
    """
    source = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if path.is_symlink():  # a dangling link is a mistake to report, not "no config"
            target = path.readlink()
            message = f"is a link to {target}, which does not exist"
            raise ConfigError([Problem(source, None, "", message)]) from None
        return None
    except IsADirectoryError:
        raise ConfigError([Problem(source, None, "", "is a folder, not a config file")]) from None
    except PermissionError:
        raise ConfigError(
            [Problem(source, None, "", "cannot be read: permission denied")]
        ) from None
    except OSError as error:
        raise ConfigError(
            [Problem(source, None, "", f"cannot be read: {error.strerror}")]
        ) from None
    return parse_settings_bytes(data, source)


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
