"""Restore a snapshot's data files and notebook into the work tree, from the store.

Safety rule (like ``git checkout``): a file is overwritten only when its current content is
recorded for that path in some snapshot, so nothing that was never snapshotted is lost.
Otherwise the whole checkout is refused and the files are named, unless ``force``.
Each file is checked against its recorded hash from the bytes written, written to a
temporary name in its own directory and renamed over the target, so a kill leaves either
the old or the new file; the checkout is made durable at once (``store/filewriter.py``)
before it reports success.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import records
from .capture.data import cached_tree_id
from .errors import InvalidInput, StoreError
from .hashing import hash_file
from .records import Record
from .store.datarefs import data_files, is_tree_entry
from .store.filewriter import FileWriter, Placed, Placement
from .store.state import Entry, matches, stat_key
from .store.store import Store

if TYPE_CHECKING:
    from .capture.files import ProgressFactory

# Item statuses.
RESTORED = "restored"  # written (or would be, with dry_run)
UNCHANGED = "unchanged"  # already has the recorded content
REFUSED = "refused"  # has changes not in any snapshot; --force overwrites
SKIPPED = "skipped"  # would be restored, but another file was refused, so nothing was written
NOT_RESTORABLE = "not_restorable"  # hash-only, or the store lost the copy


@dataclass
class CheckoutItem:
    path: str  # as recorded: relative to the store root, POSIX style
    kind: str  # "data" | "notebook"
    hash: str
    size: int | None
    status: str = UNCHANGED
    reason: str | None = None
    forced: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "hash": self.hash,
            "size": self.size,
            "status": self.status,
            "reason": self.reason,
            "forced": self.forced,
        }


@dataclass
class CheckoutResult:
    snapshot: str
    dry_run: bool
    items: list[CheckoutItem] = field(default_factory=list)

    def with_status(self, status: str) -> list[CheckoutItem]:
        return [i for i in self.items if i.status == status]

    @property
    def ok(self) -> bool:
        """Every selected file now has (or would have) the snapshot's content."""
        return all(i.status in (RESTORED, UNCHANGED) for i in self.items)

    def to_json(self) -> dict[str, Any]:
        statuses = (RESTORED, UNCHANGED, REFUSED, SKIPPED, NOT_RESTORABLE)
        counts = {s: len(self.with_status(s)) for s in statuses}
        return {
            "snapshot": self.snapshot,
            "dry_run": self.dry_run,
            "ok": self.ok,
            "counts": counts,
            "items": [i.to_json() for i in self.items],
        }


def _items(store: Store, record: Record, with_notebook: bool) -> list[CheckoutItem]:
    items = [
        CheckoutItem(
            d["path"],
            "data",
            d["hash"],
            d.get("size"),
            status=UNCHANGED if d.get("stored") else NOT_RESTORABLE,
            reason=None if d.get("stored") else "recorded with --hash-only: no copy in the store",
        )
        for d in data_files(store.objects.get_bytes, record)
    ]
    nb = record.get("notebook")
    if with_notebook and nb and nb.get("path"):
        items.append(CheckoutItem(nb["path"], "notebook", nb["hash"], None))
    return items


def _unchanged_trees(store: Store, record: Record) -> list[str]:
    """Directories of the snapshot that are, by the hash cache, exactly as recorded: their
    files need no look (prefixes ending in ``/``)."""
    out = []
    for entry in record.get("data") or []:
        if is_tree_entry(entry):
            current = cached_tree_id(store.state, _target(store, entry["path"]))
            if current == entry["hash"]:
                out.append(entry["path"].rstrip("/") + "/")
    return out


def _select(
    store: Store,
    snapshot_id: str,
    items: list[CheckoutItem],
    paths: Sequence[str | os.PathLike[str]],
) -> list[CheckoutItem]:
    """Items at or under the given paths (relative to the current directory)."""
    if not paths:
        return items
    chosen: dict[int, CheckoutItem] = {}
    for p in paths:
        rel = store.relpath(p)
        prefix = "" if rel in (".", "") else rel.rstrip("/") + "/"
        found = [i for i in items if not prefix or i.path == rel or i.path.startswith(prefix)]
        if not found:
            raise InvalidInput(
                f"{p} is not in snapshot {snapshot_id[:12]}",
                "see the snapshot's files with `jupyter mlver show REF`",
            )
        chosen.update((id(i), i) for i in found)
    return [i for i in items if id(i) in chosen]


def _target(store: Store, path: str) -> str:
    """The absolute path of a recorded path (relative to the store's root)."""
    return os.path.join(store.root, path)


def _stat_targets(targets: Iterable[str]) -> dict[str, os.stat_result]:
    """The stat of each target that exists; a directory that is gone is looked at once,
    not once per file in it."""
    out: dict[str, os.stat_result] = {}
    dirs: dict[str, bool] = {}
    for target in targets:
        parent = os.path.dirname(target)
        exists = dirs.get(parent)
        if exists is None:
            exists = dirs[parent] = os.path.isdir(parent)
        if exists:
            with contextlib.suppress(FileNotFoundError, NotADirectoryError):
                out[target] = os.stat(target)
    return out


def _cached(store: Store, record: Record, found: dict[str, os.stat_result]) -> dict[str, Entry]:
    """What the hash cache knows of the targets that exist: files named alone are rows, the
    files of a ``--data`` directory are that directory's entry."""
    known = store.state.load_files(found)
    for entry in record.get("data") or []:
        if is_tree_entry(entry):
            root = _target(store, entry["path"])
            if any(t.startswith(root + os.sep) for t in found):
                known.update(store.state.load_tree_files(root))
    return known


class _Planner:
    """Decides, file by file, whether a target is unchanged, restored or refused."""

    def __init__(self, store: Store, record: Record, items: list[CheckoutItem], force: bool):
        self.store = store
        self.items = items
        self.force = force
        root = os.fspath(store.root)
        self.targets = {i.path: os.path.join(root, i.path) for i in items}
        self.found = _stat_targets(self.targets.values())
        self.known = _cached(store, record, self.found)
        self.hashed: dict[str, Entry] = {}
        self.index_checked = False
        wanted = {i.hash for i in items if i.status != NOT_RESTORABLE}
        self.located = store.objects.packs.locations(wanted)
        self.present = set(self.located) | store.objects.present(wanted - self.located.keys())

    def current_hash(self, target: str, st: os.stat_result, item: CheckoutItem) -> str:
        """The target's hash: the cache's, when its stat is unchanged and its size is the
        one recorded (a cheap check that the entry is about this content); else read."""
        key = stat_key(st)
        hit = self.known.get(target)
        if hit is not None and matches(hit, key):
            sized = item.size is None or st.st_size == item.size
            if hit[3] != item.hash or sized:
                return hit[3]
        digest = hash_file(target, st.st_size)
        self.hashed[target] = (*key, digest, digest in self.present)
        return digest

    def judge(self, item: CheckoutItem) -> None:
        if item.status != NOT_RESTORABLE and item.hash not in self.present:
            item.status = NOT_RESTORABLE
            item.reason = "the store has no copy (gc'd or not pulled): `jupyter mlver pull`"
        target = self.targets[item.path]
        st = self.found.get(target)
        if st is None:
            if item.status != NOT_RESTORABLE:
                item.status, item.reason = RESTORED, "was missing"
            return
        if not stat.S_ISREG(st.st_mode):
            item.status, item.reason = REFUSED, "a directory or special file is in the way"
            return
        if self.current_hash(target, st, item) == item.hash:
            item.status, item.reason = UNCHANGED, None
        elif item.status != NOT_RESTORABLE:
            self.replace(item, target)

    def replace(self, item: CheckoutItem, target: str) -> None:
        if not self.index_checked:
            self.store.index_data_entries()
            self.index_checked = True
        current = self.hashed[target][3] if target in self.hashed else self.known[target][3]
        if current in self.store.index.recorded_hashes(item.path):
            item.status, item.reason = RESTORED, "replaces content kept in another snapshot"
        elif self.force:
            item.status, item.reason, item.forced = (
                RESTORED,
                "had changes not in any snapshot",
                True,
            )
        else:
            item.status, item.reason = REFUSED, "has changes not in any snapshot"

    def mode(self, item: CheckoutItem) -> int | None:
        """The mode of the file a restored one replaces (None for a new file)."""
        st = self.found.get(self.targets[item.path])
        return None if st is None else stat.S_IMODE(st.st_mode)


def _restore(
    store: Store,
    record: Record,
    planner: _Planner,
    items: list[CheckoutItem],
    jobs: int | None,
    progress: ProgressFactory | None,
) -> None:
    sizes = store.objects.sizes({i.hash for i in items if i.size is None})
    placements = [
        Placement(
            planner.targets[i.path],
            i.hash,
            i.size if i.size is not None else sizes.get(i.hash, 0),
            planner.mode(i),
        )
        for i in items
    ]
    with store.reading(), FileWriter(store.objects, jobs, progress) as writer:
        placed = writer.write(placements, planner.located)
    _remember(store, record, planner, placed)
    for target, digest in placed.corrupt.items():
        raise StoreError(
            f"restoring {target}: the store's copy is damaged (its content hashes to "
            f"{digest[:12]}, not to the recorded hash); the file was not written"
            + _more(len(placed.corrupt) + len(placed.failed)),
            "run `jupyter mlver fsck` to see what else is damaged",
        )
    for target, why in placed.failed.items():
        raise StoreError(f"cannot restore {target}: {why}" + _more(len(placed.failed)))


def _more(n: int) -> str:
    return f" (and {n - 1} more)" if n > 1 else ""


class _Owners:
    """Which ``--data`` directory (absolute) a directory is in, if any; asked once per
    directory, not per file."""

    def __init__(self, store: Store, record: Record) -> None:
        self.top = os.fspath(store.root)
        trees = [e["path"].rstrip("/") for e in record.get("data") or [] if is_tree_entry(e)]
        self.roots = {os.path.join(self.top, path) for path in trees}
        self.known: dict[str, str | None] = {}

    def __call__(self, directory: str) -> str | None:
        if directory not in self.known:
            parent = directory
            while parent not in self.roots and len(parent) > len(self.top):
                parent = os.path.dirname(parent)
            self.known[directory] = parent if parent in self.roots else None
        return self.known[directory]


def _remember(store: Store, record: Record, planner: _Planner, placed: Placed) -> None:
    """Teach the hash cache the restored files (and those read while planning), so the
    next snapshot or checkout does not read them: files of a ``--data`` directory into that
    directory's entry, others as rows."""
    owner = _Owners(store, record)
    singles: dict[str, Entry] = {}
    grouped: dict[str, dict[str, Entry]] = {}

    def bucket(directory: str) -> dict[str, Entry]:
        root = owner(directory)
        return singles if root is None else grouped.setdefault(root, {})

    for target, entry in planner.hashed.items():
        bucket(os.path.dirname(target))[target] = entry
    for directory, rows in placed.written.items():
        into, prefix = bucket(directory), directory + os.sep
        for name, ino, size, mtime, oid in rows:
            into[prefix + name] = (ino, size, mtime, oid, True)
    store.state.save_files(singles)
    for root, fresh in grouped.items():
        store.state.save_tree(root, {**store.state.load_tree_files(root), **fresh}, None, b"")


def checkout(
    store: Store,
    snapshot_id: str,
    paths: Sequence[str | os.PathLike[str]] = (),
    *,
    force: bool = False,
    notebook: bool = True,
    dry_run: bool = False,
    jobs: int | None = None,
    progress: ProgressFactory | None = None,
) -> CheckoutResult:
    """Restore the snapshot's files (only those at or under ``paths`` when given).

    When any file would lose changes that are in no snapshot, nothing is written and those
    files come back ``refused`` (the rest say what would have happened), unless ``force``.
    ``jobs`` bounds the processes writing files (default: one per core); ``progress`` shows
    files and bytes once the writing lasts a second.
    """
    record = store.get(snapshot_id)
    if record.get("schema") != records.SNAPSHOT:
        raise InvalidInput(f"{snapshot_id[:12]} is not a snapshot")
    items = _select(store, snapshot_id, _items(store, record, notebook), paths)
    result = CheckoutResult(snapshot_id, dry_run, items)
    same = tuple(_unchanged_trees(store, record))
    for item in items:
        if same and item.path.startswith(same):
            item.status, item.reason = UNCHANGED, None
    todo = [i for i in items if not (same and i.path.startswith(same))]
    planner = _Planner(store, record, todo, force)
    for item in todo:
        planner.judge(item)
    if dry_run:
        return result
    if result.with_status(REFUSED):
        for item in result.with_status(RESTORED):
            item.status, item.reason = SKIPPED, "another file was refused"
        return result
    _restore(store, record, planner, result.with_status(RESTORED), jobs, progress)
    return result
