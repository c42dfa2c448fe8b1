"""Data files of a snapshot: each ``--data`` directory becomes one tree (a Merkle tree of
objects), each file named on its own (or read and written by the kernel) one entry.

The hash cache makes a warm snapshot cost one stat per file: an unchanged directory gives
back its last tree without reading, copying or writing anything. The cache learns that a
copy or a tree is stored only when the writer commits, so a kill before that leaves it
claiming nothing the store does not hold.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from pathlib import Path

from ..errors import InvalidInput
from ..records import DataEntry
from ..store.objects import ObjectWriter
from ..store.state import Entry, StateCache, StatKey, TreeInfo, listing_digest, matches
from ..store.trees import TreeFile, build
from .files import DataFile, ProgressBar, ProgressFactory, hash_all, store_copies, walk

__all__ = ["ProgressBar", "ProgressFactory", "capture_data"]

#: When one file is in several roles, the most telling one is recorded.
ROLE_RANK = {"tracked": 0, "input": 1, "output": 2}


class _Tree:
    """One ``--data`` directory: its files now, and what the cache knew of them."""

    def __init__(self, root: str, state: StateCache) -> None:
        self.root = root
        self.state = state
        self.found: list[tuple[str, StatKey]] = []
        walk(root, self.found)
        self.info, self.listing = state.load_tree(root)
        self._files: list[DataFile] | None = None
        self._cached: dict[str, Entry] | None = None

    @property
    def cached(self) -> dict[str, Entry]:
        """What the cache knew of each file (loaded only when the directory changed)."""
        if self._cached is None:
            self._cached = self.state.load_tree_files(self.root)
        return self._cached

    @property
    def files(self) -> list[DataFile]:
        if self._files is None:
            self._files = [DataFile(path, "tracked", key) for path, key in self.found]
        return self._files

    def unchanged(self, copies: bool) -> TreeInfo | None:
        """The last tree, if every file is exactly as the cache saw it (and, when copies
        are wanted, the tree was stored with them)."""
        info = self.info
        if info is None or (copies and not info[3]):
            return None
        if self.listing == listing_digest(self.found):
            return info
        cached = self.cached
        if len(self.found) != len(cached):
            return None
        for path, key in self.found:
            hit = cached.get(path)
            if hit is None or not matches(hit, key):
                return None
        return info

    def build(self, writer: ObjectWriter, copies: bool) -> TreeInfo:
        cut = len(self.root) + 1
        relative = [(f.path[cut:].replace(os.sep, "/"), f) for f in self.files]
        root = build(
            (TreeFile(rel, f.digest or "", f.key[1]) for rel, f in relative), writer.add_bytes
        )
        unstored = sorted(rel for rel, f in relative if copies and not f.stored)
        return (root.hash, root.size, root.files, copies, unstored)


def cached_tree_id(state: StateCache, root: str) -> str | None:
    """The tree id of directory ``root`` as it is now, if the hash cache can vouch for
    every file under it without reading one; else None."""
    if not os.path.isdir(root):
        return None
    info = _Tree(root, state).unchanged(copies=False)
    return info[0] if info is not None else None


def _singles(roots: Iterable[tuple[str, str]]) -> dict[str, DataFile]:
    out: dict[str, DataFile] = {}
    for path, role in roots:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            raise InvalidInput(
                f"data path {path!r} does not exist",
                "check the path; it is relative to the current directory",
            ) from None
        prev = out.get(path)
        if prev is None or ROLE_RANK[role] > ROLE_RANK[prev.role]:
            out[path] = DataFile(path, role, (st.st_ino, st.st_size, st.st_mtime_ns))
    return out


def _entry_of(f: DataFile) -> Entry:
    return (*f.key, f.digest or "", f.stored)


def _remember(
    state: StateCache,
    singles: dict[str, DataFile],
    cached: dict[str, Entry],
    trees: list[tuple[_Tree, TreeInfo]],
) -> None:
    """Write back what changed: single files as rows, each directory as one blob."""
    state.save_files({p: e for p, f in singles.items() if (e := _entry_of(f)) != cached.get(p)})
    for tree, info in trees:
        entries = {f.path: _entry_of(f) for f in tree.files}
        state.save_tree(tree.root, entries, info, listing_digest(tree.found))


def _record_path(path: str, root: Path) -> str:
    prefix = str(root) + os.sep
    rel = path[len(prefix) :] if path.startswith(prefix) else path
    return rel if os.sep == "/" else Path(rel).as_posix()


def _file_entry(f: DataFile, roles: set[str], root: Path) -> DataEntry:
    """A file's data entry; ``roles`` are all it was named as."""
    assert f.digest is not None  # every file was hashed (or found in the cache)
    entry: DataEntry = {
        "path": _record_path(f.path, root),
        "role": f.role,
        "hash": f.digest,
        "size": f.key[1],
        "stored": f.stored,
    }
    # The role is the most telling one; these say what else the file was.
    also = roles - {f.role}
    if "input" in also:
        entry["read"] = True
    if "tracked" in also:
        entry["tracked"] = True
    return entry


def _tree_entry(path: str, info: TreeInfo, root: Path) -> DataEntry:
    """A directory's data entry: its tree object and what the tree holds."""
    entry: DataEntry = {
        "path": _record_path(path, root),
        "role": "tracked",
        "kind": "tree",
        "hash": info[0],
        "size": info[1],
        "files": info[2],
        "stored": info[3],
    }
    if info[4]:
        entry["unstored"] = info[4]
    return entry


def capture_data(
    paths: Iterable[tuple[str | os.PathLike[str], str]],
    *,
    root: Path,
    state: StateCache,
    writer: ObjectWriter,
    copies: bool = True,
    progress: ProgressFactory | None = None,
) -> list[DataEntry]:
    """Data entries sorted by path: ``{path, role, hash, size, stored}`` for a file and
    ``{path, role: "tracked", kind: "tree", hash, size, files, stored[, unstored]}`` for a
    directory (``hash`` names its tree object).

    With ``copies`` each file is also kept in the store (small ones packed, large ones
    reflinked or copied), except files that look like credentials, which keep their hash
    only and are listed under ``unstored``.
    """
    roots = [(os.path.abspath(p), role) for p, role in paths]
    tree_roots = list(dict.fromkeys(p for p, _ in roots if os.path.isdir(p)))
    singles = _singles((p, role) for p, role in roots if p not in tree_roots)
    trees = [_Tree(r, state) for r in tree_roots]
    clean = {t.root: info for t in trees if (info := t.unchanged(copies)) is not None}
    dirty = [t for t in trees if t.root not in clean]
    cached = state.load_files(singles)
    known = dict(cached)
    for t in dirty:
        known.update(t.cached)
    files = [*singles.values(), *(f for t in dirty for f in t.files)]
    first: dict[str, DataFile] = {}  # a file named alone and inside a directory: read once
    todo = []
    new_content = set()  # paths unseen or resized: their content is new
    for f in files:
        hit = known.get(f.path)
        if hit is not None and matches(hit, f.key):
            f.digest = hit[3]
            f.stored = copies and hit[4]
        elif first.setdefault(f.path, f) is f:
            todo.append(f)
            if hit is None or hit[1] != f.key[1]:
                new_content.add(f.path)
    hash_all(todo, progress, writer if copies else None, new_content)
    for f in files:
        f.digest = f.digest or first[f.path].digest
    if copies:
        store_copies(files, writer)
    built = [(t, t.build(writer, copies)) for t in dirty]
    writer.after_commit(functools.partial(_remember, state, singles, cached, built))

    roles: dict[str, set[str]] = {}
    for p, role in roots:
        roles.setdefault(p, set()).add(role)
    entries = [_file_entry(f, roles[f.path], root) for f in singles.values()]
    done = [*((t, clean[t.root]) for t in trees if t.root in clean), *built]
    entries += [_tree_entry(t.root, info, root) for t, info in done]
    return sorted(entries, key=lambda e: e["path"])
