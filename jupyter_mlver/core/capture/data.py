"""Data files: expand tracked paths, hash them (cached by stat), keep copies in the store."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

from ..errors import InvalidInput, StoreError
from ..hashing import MMAP_THRESHOLD, hash_file
from ..objects import ObjectWriter
from ..state import Entry, StateCache, StatKey, matches, stat_key
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


class _File:
    __slots__ = ("digest", "key", "path", "role")

    def __init__(self, path: str, role: str, key: StatKey) -> None:
        self.path = path  # absolute
        self.role = role
        self.key = key
        self.digest: str | None = None


def _walk(top: str, out: list[tuple[str, StatKey]]) -> None:
    try:
        entries = list(os.scandir(top))
    except OSError as e:
        raise InvalidInput(f"cannot read directory {top}: {e.strerror}") from None
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if entry.name not in SKIP_DIRS:
                _walk(entry.path, out)
        elif entry.is_file():
            st = entry.stat()
            out.append((entry.path, (st.st_ino, st.st_size, st.st_mtime_ns)))


def expand(paths: Iterable[tuple[str, str]]) -> list[_File]:
    """Files under the given (absolute path, role) pairs; the most telling role wins."""
    files: dict[str, _File] = {}
    for path, role in paths:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            raise InvalidInput(
                f"data path {path!r} does not exist",
                "check the path; it is relative to the current directory",
            ) from None
        found: list[tuple[str, StatKey]]
        if os.path.isdir(path):
            found = []
            _walk(path, found)
        else:
            found = [(path, stat_key(st))]
        rank = ROLE_RANK[role]
        for file_path, key in found:
            prev = files.get(file_path)
            if prev is None or rank > ROLE_RANK[prev.role]:
                files[file_path] = _File(file_path, role, key)
    return list(files.values())


def _hash_all(todo: list[_File], progress: ProgressFactory | None) -> None:
    total = sum(f.key[1] for f in todo)
    bar = (
        progress(total=total, desc="hashing", unit="B", unit_scale=True)
        if progress and total >= PROGRESS_BYTES
        else None
    )

    def one(f: _File) -> None:
        f.digest = hash_file(f.path, f.key[1])
        if bar is not None:
            bar.update(f.key[1])

    try:
        # Large files already use every core inside blake3; small ones overlap their I/O here.
        for f in (f for f in todo if f.key[1] >= MMAP_THRESHOLD):
            one(f)
        small = [f for f in todo if f.key[1] < MMAP_THRESHOLD]
        if len(small) > 8:
            with ThreadPoolExecutor(max_workers=min(16, 4 * (os.cpu_count() or 1))) as pool:
                list(pool.map(one, small))
        else:
            for f in small:
                one(f)
    finally:
        if bar is not None:
            bar.close()


def _remember(
    state: StateCache,
    files: list[_File],
    stored: dict[str, bool],
    cached: dict[str, Entry],
    cached_trees: dict[str, dict[str, Entry]],
    singles: list[str],
) -> None:
    """Write back what changed: single files as rows, each walked directory as one blob."""
    current: dict[str, Entry] = {f.path: (*f.key, f.digest or "", stored[f.path]) for f in files}
    state.save_files(
        {p: current[p] for p in singles if p in current and current[p] != cached.get(p)}
    )
    for tree, before in cached_trees.items():
        prefix = tree + os.sep
        now = {p: e for p, e in current.items() if p.startswith(prefix)}
        if now != before:
            state.save_tree(tree, now)


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
    files that look like credentials, which keep their hash only. The hash cache learns
    that a copy is stored only when the writer commits: a kill before that leaves the
    cache claiming nothing the store does not hold.
    """
    roots = [(os.path.abspath(p), role) for p, role in paths]
    trees = list(dict.fromkeys(p for p, _ in roots if os.path.isdir(p)))
    singles = [p for p, _ in roots if p not in trees]
    files = expand(roots)
    if not files:
        return []
    cached_trees = {tree: state.load_tree(tree) for tree in trees}
    cached = state.load_files(singles)
    for tree_entries in cached_trees.values():
        cached.update(tree_entries)
    todo = []
    stored: dict[str, bool] = {}
    for f in files:
        hit = cached.get(f.path)
        if hit is not None and matches(hit, f.key):
            f.digest = hit[3]
            if hit[4] and writer is not None:
                stored[f.path] = True
        else:
            todo.append(f)
    _hash_all(todo, progress)
    for f in files:
        assert f.digest is not None
        if f.path in stored:
            continue
        keep = writer is not None and not is_secret_file(f.path)
        if keep and writer is not None and writer.add_file(f.path, f.digest):
            try:
                changed = stat_key(os.stat(f.path)) != f.key
            except FileNotFoundError:
                changed = True
            if changed:
                raise StoreError(
                    f"{f.path} changed while it was being snapshotted",
                    "snapshot again once it is written",
                )
        stored[f.path] = keep
    remember = functools.partial(_remember, state, files, stored, cached, cached_trees, singles)
    if writer is None:
        remember()
    else:
        writer.after_commit(remember)
    prefix = str(root) + os.sep
    entries = []
    for f in sorted(files, key=lambda f: f.path):
        rel = f.path[len(prefix) :] if f.path.startswith(prefix) else f.path
        entries.append(
            {
                "path": rel if os.sep == "/" else Path(rel).as_posix(),
                "role": f.role,
                "hash": f.digest,
                "size": f.key[1],
                "stored": stored[f.path],
            }
        )
    return entries
