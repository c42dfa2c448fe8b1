"""Progress events a build streams to its caller (a cell's display, a CLI bar, a panel job)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ProgressEvent:
    """One thing that happened.

    ``phase`` is one of ``resolve`` (locking packages, downloading wheels), ``context``,
    ``build``, ``tag``, ``push``, ``reuse``, ``verify``. ``log`` events are raw lines of the
    engine's output (for a collapsible log); the others are one-line status messages.
    ``step``/``total`` are the current build step (1-based) and the number of steps.
    """

    phase: str
    message: str
    step: int | None = None
    total: int | None = None
    log: bool = False


ProgressCallback = Callable[[ProgressEvent], None]


def ignore(_event: ProgressEvent) -> None:
    """The default callback: progress goes nowhere."""
