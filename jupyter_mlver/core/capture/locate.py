"""Finding the notebook of a kernel that no frontend told about: papermill, nbconvert,
nbclient or a plain ``jupyter_client`` script started it.

The notebook is the file whose code cells hold every cell the kernel executed. Candidates
are the ``.ipynb`` files named on the command line of the process that started the kernel
(papermill's input and output, nbconvert's input), then those in the kernel's working
directory, newest first. The search is bounded (a few files, each read once) because it
runs on every snapshot of such a kernel; the kernel session remembers the hit so that
later snapshots check one file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: How the notebook was found (the record's ``notebook.source``).
PAPERMILL = "papermill"  # papermill's output notebook, being executed
COMMAND_LINE = "command-line"  # named on the command line of the kernel's parent process
WORKING_DIRECTORY = "working-directory"  # in the kernel's working directory

MAX_CANDIDATES = 12
MAX_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class Located:
    path: Path
    source: str


def normalize(source: str | list[str]) -> str:
    """A cell's code as compared: joined, trailing spaces and blank edges dropped."""
    text = "".join(source) if isinstance(source, list) else source
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def launcher_notebooks(pid: int | None = None, proc: Path = Path("/proc")) -> list[Path]:
    """``.ipynb`` paths on the command line of process ``pid`` (default: this process's
    parent), resolved against its working directory. Empty where ``/proc`` is absent."""
    pid = os.getppid() if pid is None else pid
    try:
        argv = (proc / str(pid) / "cmdline").read_bytes().split(b"\0")
        cwd = Path(os.readlink(proc / str(pid) / "cwd"))
    except OSError:
        return []
    out: list[Path] = []
    for raw in argv:
        arg = os.fsdecode(raw)
        # ``--output=out.ipynb`` as well as ``out.ipynb``
        value = arg.split("=", 1)[1] if arg.startswith("-") and "=" in arg else arg
        if value.endswith(".ipynb"):
            path = Path(os.path.normpath(cwd / value))
            if path not in out:
                out.append(path)
    return out


def _directory_notebooks(directory: Path) -> list[Path]:
    found: list[tuple[float, str]] = []
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.name.endswith(".ipynb") and entry.is_file():
                    found.append((entry.stat().st_mtime, entry.path))
    except OSError:
        return []
    found.sort(reverse=True)
    return [Path(p) for _, p in found[:MAX_CANDIDATES]]


def _load(path: Path) -> dict[str, Any] | None:
    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        doc = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and isinstance(doc.get("cells"), list) else None


def _code_sources(doc: dict[str, Any]) -> set[str]:
    return {
        normalize(c.get("source", ""))
        for c in doc["cells"]
        if isinstance(c, dict) and c.get("cell_type") == "code"
    }


def _papermill_running(doc: dict[str, Any]) -> bool:
    meta = (doc.get("metadata") or {}).get("papermill")
    return isinstance(meta, dict) and bool(meta.get("start_time")) and not meta.get("end_time")


def locate_notebook(
    executed: Iterable[str],
    cwd: Path,
    named: Sequence[Path] | None = None,
    hint: Located | None = None,
) -> Located | None:
    """The notebook whose code cells contain every executed source, or None.

    Among several that do: papermill's output notebook while papermill runs it (it alone
    holds the injected parameters as they ran), then a file named on the launcher's
    command line, then the most recently written one. ``hint`` (the previous hit) is
    tried first and kept when it still matches. ``named`` defaults to the notebooks on
    this process's parent's command line.
    """
    wanted = {s for s in map(normalize, executed) if s}
    if not wanted:
        return None
    named_set: set[Path] = set()

    def verdict(path: Path) -> tuple[tuple[bool, bool, float], str] | None:
        doc = _load(path)
        if doc is None or not wanted <= _code_sources(doc):
            return None
        running = _papermill_running(doc)
        source = (
            PAPERMILL
            if "papermill" in (doc.get("metadata") or {})
            else COMMAND_LINE
            if path in named_set
            else WORKING_DIRECTORY
        )
        try:
            mtime = path.stat().st_mtime
        except OSError:
            mtime = 0.0
        return (running, path in named_set, mtime), source

    if hint is not None and verdict(hint.path) is not None:
        return hint
    named = launcher_notebooks() if named is None else named
    named_set.update(named)
    candidates: list[Path] = []
    for path in [*named, *_directory_notebooks(cwd)]:
        path = path.absolute()
        if path not in candidates and (hint is None or path != hint.path):
            candidates.append(path)
    best: tuple[tuple[bool, bool, float], Located] | None = None
    for path in candidates[:MAX_CANDIDATES]:
        result = verdict(path)
        if result is not None and (best is None or result[0] > best[0]):
            best = (result[0], Located(path, result[1]))
    return best[1] if best else None
