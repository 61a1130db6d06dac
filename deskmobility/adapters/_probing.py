"""Trying candidate backends in turn: shared by the idle and the interruption selections.

A candidate is a name and a function that builds the backend, probes it for real, and
returns it working, or raises :class:`NotHere` with the reason (closing what it opened).
A candidate that crashes instead is passed over with the crash as its reason: a backend bug
must not stop the app.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TypeVar

from deskmobility.adapters.selection import PassedOver

log = logging.getLogger(__name__)

T = TypeVar("T")
Candidate = tuple[str, Callable[[], T]]


class NotHere(Exception):  # noqa: N818 - a verdict, not an error: the candidate does not work here
    """The candidate does not work here; the message says why, for people."""


def probed(backend: T, problem: str | None, close: Callable[[], None]) -> T:
    """``backend`` if its probe found no ``problem``; else close it and raise NotHere."""
    if problem is None:
        return backend
    close()
    raise NotHere(problem)


def first_working(
    candidates: Iterable[Candidate[T]],
) -> tuple[tuple[str, T] | None, list[PassedOver]]:
    """The first candidate that works (name, backend), and why each one before it did not."""
    passed: list[PassedOver] = []
    for name, make in candidates:
        result = _attempt(name, make)
        if isinstance(result, PassedOver):
            passed.append(result)
        else:
            return (name, result), passed
    return None, passed


def all_working(candidates: Iterable[Candidate[T]]) -> tuple[list[T], list[PassedOver]]:
    """Every candidate that works, in order, and why each other one does not."""
    working: list[T] = []
    passed: list[PassedOver] = []
    for name, make in candidates:
        result = _attempt(name, make)
        if isinstance(result, PassedOver):
            passed.append(result)
        else:
            working.append(result)
    return working, passed


def _attempt(name: str, make: Callable[[], T]) -> T | PassedOver:
    try:
        return make()
    except NotHere as reason:
        return PassedOver(name, str(reason))
    except Exception as error:  # a backend bug must not stop the app; the reason says it
        log.debug("backend %s crashed in its probe", name, exc_info=True)
        return PassedOver(name, f"probe crashed: {error!r}")
