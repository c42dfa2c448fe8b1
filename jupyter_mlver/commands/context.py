"""Where a command runs: the settings, the store it finds, whose ``HEAD`` it means, and how
the front door shows progress. The CLI and the magics each make one per command."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.store.index.db import ALL
from ..core.store.store import Store

if TYPE_CHECKING:
    from ..config import Mlver
    from ..core.capture.data import ProgressFactory
    from ..core.images.progress import ProgressCallback
    from ..notebook.session import KernelSession

#: Shows an image build's progress while the block runs: ``(title, verbose)`` -> a callback.
BuildDisplay = Callable[[str, bool], AbstractContextManager["ProgressCallback"]]


def _silent(_line: str) -> None:
    pass


@contextlib.contextmanager
def no_build_display(_title: str, _verbose: bool) -> Iterator[ProgressCallback]:
    from ..core.images.progress import ignore

    yield ignore


@dataclass
class Context:
    """What a command's ``run`` may use besides its arguments.

    ``session`` is the kernel's (None in a terminal); ``store_dir`` is ``--store``;
    ``json`` says the result will be printed as JSON (a command may then gather more);
    ``progress`` makes progress bars for hashing and transfers; ``say`` shows a line of
    progress of long work; ``build_display`` shows an image build as it goes;
    ``create_store``: a kernel's project gets its store on first use, while a terminal
    command that only reads says there is none.
    """

    settings: Mlver
    session: KernelSession | None = None
    store_dir: str | None = None
    json: bool = False
    progress: ProgressFactory | None = None
    say: Callable[[str], None] = _silent
    build_display: BuildDisplay = no_build_display
    create_store: bool = False

    def notebook_path(self) -> Path | None:
        """The notebook the kernel runs (None in a terminal, or when it cannot be found)."""
        return self.session.notebook_path() if self.session is not None else None

    def open_store(self, create: bool = False, near: Path | None = None) -> Store:
        """The store for ``near`` (default: this notebook, else the current directory):
        ``--store``, else ``c.Mlver.store_dir``/``$MLVER_STORE``, else the nearest one."""
        near = near or self.notebook_path()
        start = near.parent if near is not None else Path.cwd()
        explicit = self.store_dir or self.settings.store_dir
        return Store.open(start, explicit=explicit, create=create or self.create_store)

    def scope(self, store: Store) -> object:
        """Whose ``HEAD`` refs mean: this notebook's snapshots in a kernel, else all."""
        notebook = self.notebook_path()
        return store.relpath(notebook) if notebook is not None else ALL

    @property
    def base_default(self) -> str | None:
        return self.settings.base_image or None
