"""Data lineage: which files the kernel opened, through a ``sys.addaudithook`` hook.

An audit hook cannot be removed and runs for every audited event in the process, so it
is installed once, does the least possible work (append a tuple), and everything else —
resolving, filtering, deduplicating — happens at snapshot time.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

_WRITE_MODES = frozenset("wax+")
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
#: Directories whose files are never data: caches, environments, tool state.
SKIP_PARTS = frozenset(
    {
        ".mlver",
        ".git",
        ".ipynb_checkpoints",
        "__pycache__",
        "site-packages",
        "dist-packages",
        ".venv",
        "venv",
        ".cache",
        ".ipython",
        ".jupyter",
        ".local",
        "node_modules",
        ".virtual_documents",
        ".pytest_cache",
        ".mypy_cache",
        ".ruff_cache",
    }
)


class LineageRecorder:
    """Collects ``open`` audit events while ``active``; one per process."""

    def __init__(self) -> None:
        # The raw audit arguments: (path, mode, flags) of an open, or (path,) of a chdir.
        self._events: list[tuple[Any, ...]] = []
        self._cwd = os.getcwd()  # the working directory when the pending events began
        # [active]: a list the hook closes over, cheaper to read than an attribute.
        self._state: list[bool] = [False]
        self._lock = threading.Lock()
        self.hook = self._make_hook()

    def _make_hook(self) -> Callable[[str, tuple[Any, ...]], None]:
        append = self._events.append
        state = self._state

        def hook(event: str, args: tuple[Any, ...]) -> None:
            # Hot path: runs for every audited event of every thread. Appending the tuple
            # the interpreter already built is all it does; _resolve makes sense of it.
            if event == "open":
                if state[0]:
                    append(args)
            elif event == "os.chdir":
                append(args)

        return hook

    @property
    def active(self) -> bool:
        return self._state[0]

    @active.setter
    def active(self, value: bool) -> None:
        self._state[0] = value

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Not recording while jupyter_mlver itself reads and writes files."""
        was = self._state[0]
        self._state[0] = False
        try:
            yield
        finally:
            self._state[0] = was

    def _take(self, forget: bool) -> tuple[list[tuple[Any, ...]], str]:
        with self._lock:
            n = len(self._events)
            taken, cwd = self._events[:n], self._cwd
            if forget:
                del self._events[:n]  # appends racing with us stay for next time
                self._cwd = _replay_chdirs(taken, cwd)
        return taken, cwd

    def drain(self, root: Path) -> list[tuple[Path, str]]:
        """Files under ``root`` opened since the last drain, as (path, "input"|"output")."""
        return _resolve(*self._take(forget=True), root)

    def peek(self, root: Path) -> list[tuple[Path, str]]:
        """What ``drain`` would return, without forgetting it."""
        return _resolve(*self._take(forget=False), root)

    def restore(self, files: list[tuple[Path, str]]) -> None:
        """Put back what a failed snapshot drained (absolute paths), so nothing is lost."""
        writes_first = sorted(files, key=lambda f: f[1] != "output")  # written, then read
        with self._lock:
            self._events[:0] = [
                (str(path), "w" if role == "output" else "r", 0) for path, role in writes_first
            ]


def _decode(path: Any) -> str | None:
    if isinstance(path, bytes):
        return os.fsdecode(path)
    return path if isinstance(path, str) else None  # None: a file descriptor


def _chdir(cwd: str, target: Any) -> str:
    name = _decode(target)
    # A chdir by file descriptor cannot be followed; the current directory is the best guess.
    return os.path.normpath(os.path.join(cwd, name)) if name is not None else os.getcwd()


def _replay_chdirs(events: list[tuple[Any, ...]], cwd: str) -> str:
    for args in events:
        if len(args) == 1:
            cwd = _chdir(cwd, args[0])
    return cwd


def _resolve(events: list[tuple[Any, ...]], cwd: str, root: Path) -> list[tuple[Path, str]]:
    """Each file opened under ``root``: ``output`` when written, ``input`` when read and
    not written since (a file written and then read, as a notebook prepares its training
    data and trains on it, is both)."""
    prefix = str(root) + os.sep
    written: set[str] = set()
    read: dict[str, bool] = {}  # path -> whether it was read after its last write
    for args in events:
        if len(args) == 1:
            cwd = _chdir(cwd, args[0])
            continue
        raw, mode, flags = args
        name = _decode(raw)
        if name is None:
            continue
        path = os.path.normpath(os.path.join(cwd, name))
        if not path.startswith(prefix):
            continue
        if SKIP_PARTS.intersection(path[len(prefix) :].split(os.sep)):
            continue
        if isinstance(mode, str):
            writes = not _WRITE_MODES.isdisjoint(mode)
        else:
            writes = isinstance(flags, int) and bool(flags & _WRITE_FLAGS)
        if writes:
            written.add(path)
            read[path] = False
        else:
            read[path] = True
    roles = [(p, "output") for p in written] + [(p, "input") for p, r in read.items() if r]
    return [(Path(p), role) for p, role in sorted(roles) if os.path.isfile(p)]


_recorder: LineageRecorder | None = None


def recorder() -> LineageRecorder:
    """The process's recorder, installing its audit hook on first use."""
    global _recorder
    if _recorder is None:
        _recorder = LineageRecorder()
        sys.addaudithook(_recorder.hook)
    return _recorder
