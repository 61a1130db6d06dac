"""What every ``select_*`` function returns: the backend chosen, why, and what was passed over.

One shape for the tray, the notifier, the idle source, the interruption checks and the
control channel, so the launcher logs them all the same way and decides on fields, never on
the wording of a message. Pure data: nothing here imports a backend.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class PassedOver:
    """A candidate that was not chosen, and why.

    ``turned_off``: the person switched it off (config or environment), as opposed to it
    not working here; a launcher logs the second kind and stays quiet about the first.
    """

    name: str
    reason: str
    turned_off: bool = False

    def line(self) -> str:
        """``name: reason`` on one line, for the log."""
        return f"{self.name}: {' '.join(self.reason.split())}"


@dataclass(frozen=True)
class Selection(Generic[T]):
    """The chosen ``backend`` (named ``name``), ``why`` it was chosen, and the rest.

    ``available`` is False when nothing worked and ``backend`` is the named stand-in that
    says so (``UnavailableNotifier``, ``UnavailableIdleMonitor``, an empty list of checks,
    the tray's "none").
    """

    backend: T
    name: str
    why: str
    passed_over: tuple[PassedOver, ...] = ()
    available: bool = True

    @property
    def reason(self) -> str:
        """One line for the log: why, then what was passed over and why.

        When nothing was available, the passed-over reasons are the explanation itself:
        "cannot tell idle time: mutter: ...; kde: ...".
        """
        rejected = "; ".join(item.line() for item in self.passed_over)
        if not rejected:
            return self.why
        return (
            f"{self.why}: {rejected}"
            if not self.available
            else f"{self.why}; passed over: {rejected}"
        )

    def __iter__(self) -> Iterator[Any]:
        """Unpack as ``(backend, reason)``: what most callers want, in one line."""
        yield self.backend
        yield self.reason
