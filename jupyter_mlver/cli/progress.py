"""Progress in a terminal: always on stderr, so stdout stays the result (or its JSON)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..core.images.progress import ProgressCallback, ProgressEvent


def terminal_bar(**kwargs: Any) -> Any:
    """A tqdm bar on stderr; none unless stderr is a terminal."""
    from tqdm import tqdm

    return tqdm(disable=None, **kwargs)


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class BuildProgress:
    """Status lines, a bar over the build steps when stderr is a terminal, and the
    engine's raw log with ``--verbose``."""

    def __init__(self, verbose: bool) -> None:
        self.verbose = verbose
        self.bar: Any = None
        self.tty = sys.stderr.isatty()

    def __call__(self, event: ProgressEvent) -> None:
        if event.log:
            if self.verbose:
                self._write(f"  | {event.message}")
            return
        if event.phase == "build" and event.total and self.tty:
            from tqdm import tqdm

            if self.bar is None:
                self.bar = tqdm(total=event.total, unit="step", file=sys.stderr, leave=False)
            self.bar.total = event.total  # grows when a second build continues the count
            self.bar.n = event.step or 0
            self.bar.set_description_str(" ".join(event.message.split())[:60])
            self.bar.refresh()
            return
        message = " ".join(event.message.split()) if event.phase == "build" else event.message
        if event.phase == "build" and event.step:
            message = f"step {event.step}/{event.total}: {message}"
        self._write(message)

    def _write(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text, file=sys.stderr)
        else:
            print(text, file=sys.stderr)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


@contextlib.contextmanager
def terminal_build_display(_title: str, verbose: bool) -> Iterator[ProgressCallback]:
    """A build's progress; a failed step's last lines are printed before the error."""
    from ..core.images import BuildStepFailed

    progress = BuildProgress(verbose)
    try:
        yield progress
    except BuildStepFailed as e:
        progress.close()
        for line in e.tail:
            print(f"  | {line}", file=sys.stderr)
        raise
    finally:
        progress.close()
