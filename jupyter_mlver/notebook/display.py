"""How ``%mlver`` shows things in a notebook: a result as a rich display object, progress
bars, and an image build's live progress. The views themselves are in ``views/``."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..views import markup
from ..views.images import html as image_html

if TYPE_CHECKING:
    from ..commands import Command
    from ..core.images.progress import ProgressCallback, ProgressEvent


def progress_bar(**kwargs: Any) -> Any:
    """A tqdm bar for long work: a widget in a notebook, text elsewhere. Imported only when
    there is long work, so short snapshots never load it."""
    from tqdm.auto import tqdm

    return tqdm(**kwargs)


class Rich:
    """A command's result as the notebook shows it: ``text/plain`` and themed HTML."""

    def __init__(self, command: Command[Any], result: Any) -> None:
        self.command = command
        self.result = result

    def text(self) -> str:
        return self.command.text(self.result)

    def html(self) -> str:
        if self.command.html is None:
            return markup.message(self.text())
        return self.command.html(self.result)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/plain": self.text(), "text/html": markup.CSS + self.html()}

    def __repr__(self) -> str:
        return self.text()


class LiveProgress:
    """A build's progress in the cell: the current step, the last line of its output, and
    the engine's log folded away (open with ``--verbose``). A failure's message is not
    repeated here: the error that follows says it, once.

    Updates replace one display (``display_id``) at most a few times a second, so a build
    that prints thousands of lines does not flood the notebook.
    """

    INTERVAL_S = 0.25
    LOG_LINES = 400

    def __init__(self, title: str, verbose: bool = False) -> None:
        self.title = title
        self.verbose = verbose
        self.status = "starting"
        self.step: tuple[int, int] | None = None
        self.latest = ""  # the last line of output, so a long step shows it is working
        self.log: list[str] = []
        self.failed = False
        self._shown_at = 0.0
        self._handle: Any = None

    def start(self) -> LiveProgress:
        from IPython.display import display

        self._handle = display(self, display_id=True)  # type: ignore[no-untyped-call]
        self._shown_at = time.monotonic()
        return self

    def event(self, event: ProgressEvent) -> None:
        if event.log:
            lines = event.message.splitlines() or [""]
            self.log.extend(lines)
            del self.log[: -self.LOG_LINES]
            self.latest = next((ln.strip() for ln in reversed(lines) if ln.strip()), self.latest)
        else:
            self.status = event.message
            self.latest = ""
        if event.step is not None and event.total:
            self.step = (event.step, event.total)
        if self._handle is not None and time.monotonic() - self._shown_at >= self.INTERVAL_S:
            self.refresh()

    def refresh(self) -> None:
        if self._handle is not None:
            self._handle.update(self)
            self._shown_at = time.monotonic()

    def finish(self, status: str, failed: bool = False, log: list[str] | None = None) -> None:
        self.status = status
        self.failed = failed
        self.latest = ""
        if log is not None:
            self.log = log[-self.LOG_LINES :]
        self.refresh()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        step = f"[step {self.step[0]}/{self.step[1]}] " if self.step else ""
        body = image_html.build_progress(
            self.title, self.status, self.step, self.log, self.failed, self.verbose, self.latest
        )
        return {
            "text/plain": f"{self.title}: {step}{self.status}",
            "text/html": markup.CSS + body,
        }


@contextlib.contextmanager
def live_build(title: str, verbose: bool) -> Iterator[ProgressCallback]:
    """Show a build's progress in the cell while the block runs; a failure stays shown
    with its last log lines."""
    from ..core.errors import MlverError
    from ..core.images import BuildStepFailed

    live = LiveProgress(title, verbose).start()
    try:
        yield live.event
    except BuildStepFailed as e:
        live.finish("failed: the step's last lines are below", failed=True, log=list(e.tail))
        raise
    except MlverError:
        live.finish("failed", failed=True)
        raise
    live.finish("done")
