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


class OneCount:
    """Several builds shown as one: each build's steps continue the count of the builds
    before it, so a display never goes back (23 steps of an environment image, then the
    serving layers' 10 as steps 24 to 33, not 1 to 10 again)."""

    def __init__(self, progress: ProgressCallback) -> None:
        self.progress = progress
        self.offset = 0
        self.seen = 0  # the highest step total of the current build

    def __call__(self, event: ProgressEvent) -> None:
        if event.step is None or event.total is None:
            self.progress(event)
            return
        if event.step == 0 and self.seen:  # another build starts
            self.offset += self.seen
            self.seen = 0
        self.seen = max(self.seen, event.total)
        self.progress(
            ProgressEvent(
                event.phase,
                event.message,
                step=self.offset + event.step,
                total=self.offset + event.total,
                log=event.log,
            )
        )
