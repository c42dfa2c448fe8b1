"""Data files: expand tracked paths, hash them (cached by stat), keep copies in the store."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ..errors import InvalidInput, StoreError
from ..hashing import MMAP_THRESHOLD, hash_file
from ..objects import ObjectWriter
from ..state import StateCache, StatKey
from .secrets import is_secret_file

SKIP_DIRS = frozenset(
    {".mlver", ".git", "__pycache__", ".ipynb_checkpoints", ".dvc", ".hg", ".svn"}
)
#: When one file is in several roles, the most telling one is recorded.
ROLE_RANK = {"tracked": 0, "input": 1, "output": 2}
#: Progress is shown only when there is this much to read.
PROGRESS_BYTES = 256 * 1024 * 1024


class ProgressBar(Protocol):
    def update(self, n: int) -> Any: ...
    def close(self) -> None: ...


ProgressFactory = Callable[..., ProgressBar]


@dataclass
class _File:
    path: str  # absolute
    role: str
    key: StatKey
    digest: str | None = None


def _walk(top: str, out: list[tuple[str, os.stat_result]]) -> None:
    try:
        entries = list(os.scandir(top))
    except OSError as e:
        raise InvalidInput(f"cannot read directory {top}: {e.strerror}") from None
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if entry.name not in SKIP_DIRS:
                _walk(entry.path, out)
        elif entry.is_file():
            out.append((entry.path, entry.stat()))


def expand(paths: Iterable[tuple[str | os.PathLike[str], str]]) -> tuple[list[_File], list[str]]:
    """Files under the given (path, role) pairs, and the directories that were expanded."""
    files: dict[str, _File] = {}
    trees: list[str] = []
    for raw, role in paths:
        path = os.path.abspath(raw)
        try:
            st = os.stat(path)
        except FileNotFoundError:
            raise InvalidInput(
                f"data path {str(raw)!r} does not exist",
                "check the path; it is relative to the current directory",
            ) from None
        found: list[tuple[str, os.stat_result]]
        if os.path.isdir(path):
            found = []
            _walk(path, found)
            trees.append(path)
        else:
            found = [(path, st)]
        for file_path, file_st in found:
            prev = files.get(file_path)
            if prev is None or ROLE_RANK[role] > ROLE_RANK[prev.role]:
                files[file_path] = _File(file_path, role, StatKey.of(file_st))
    return list(files.values()), trees


def _hash_all(todo: list[_File], progress: ProgressFactory | None) -> None:
    total = sum(f.key.size for f in todo)
    bar = (
        progress(total=total, desc="hashing", unit="B", unit_scale=True)
        if progress and total >= PROGRESS_BYTES
        else None
    )

    def one(f: _File) -> None:
        f.digest = hash_file(f.path, f.key.size)
        if bar is not None:
            bar.update(f.key.size)

    try:
        # Large files already use every core inside blake3; small ones overlap their I/O here.
        for f in (f for f in todo if f.key.size >= MMAP_THRESHOLD):
            one(f)
        small = [f for f in todo if f.key.size < MMAP_THRESHOLD]
        if len(small) > 8:
            with ThreadPoolExecutor(max_workers=min(16, 4 * (os.cpu_count() or 1))) as pool:
                list(pool.map(one, small))
        else:
            for f in small:
                one(f)
    finally:
        if bar is not None:
            bar.close()


def capture_data(
    paths: Iterable[tuple[str | os.PathLike[str], str]],
    *,
    root: Path,
    state: StateCache,
    writer: ObjectWriter | None,
    progress: ProgressFactory | None = None,
) -> list[dict[str, Any]]:
    """Data entries ``{path, role, hash, size, stored}`` sorted by path.

    With a ``writer`` each file is also copied into the store (reflink or copy), except
    files that look like credentials, which keep their hash only.
    """
    files, trees = expand(paths)
    if not files:
        return []
    cached = state.load([f.path for f in files], trees)
    todo = []
    for f in files:
        hit = cached.get(f.path)
        if hit is not None and hit[0] == f.key:
            f.digest = hit[1]
        else:
            todo.append(f)
    _hash_all(todo, progress)
    stored: dict[str, bool] = {}
    for f in files:
        assert f.digest is not None
        keep = writer is not None and not is_secret_file(f.path)
        if keep and writer is not None and writer.add_file(Path(f.path), f.digest):
            try:
                changed = StatKey.of(os.stat(f.path)) != f.key
            except FileNotFoundError:
                changed = True
            if changed:
                raise StoreError(
                    f"{f.path} changed while it was being snapshotted",
                    "snapshot again once it is written",
                )
        stored[f.path] = keep
    state.save((f.path, f.key, f.digest) for f in todo if f.digest)
    root_str = str(root)
    entries = []
    for f in sorted(files, key=lambda f: f.path):
        rel = os.path.relpath(f.path, root_str) if f.path.startswith(root_str + os.sep) else f.path
        entries.append(
            {
                "path": Path(rel).as_posix(),
                "role": f.role,
                "hash": f.digest,
                "size": f.key.size,
                "stored": stored[f.path],
            }
        )
    return entries
