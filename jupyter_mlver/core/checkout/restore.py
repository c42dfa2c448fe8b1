"""``checkout()``: plan, then write the restored files through the store's ``FileWriter``
and teach the hash cache what was written."""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, cast

from .. import records
from ..errors import InvalidInput, StoreError
from ..records import SnapshotRecord
from ..store.datarefs import is_tree_entry
from ..store.filewriter import FileWriter, Placed, Placement
from ..store.state import Entry
from ..store.store import Store
from .items import (
    REFUSED,
    RESTORED,
    SKIPPED,
    UNCHANGED,
    CheckoutItem,
    CheckoutResult,
    items_of,
    select,
    unchanged_trees,
)
from .plan import Planner

if TYPE_CHECKING:
    from ..capture.files import ProgressFactory


def _restore(
    store: Store,
    record: SnapshotRecord,
    planner: Planner,
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

    def __init__(self, store: Store, record: SnapshotRecord) -> None:
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


def _remember(store: Store, record: SnapshotRecord, planner: Planner, placed: Placed) -> None:
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
    found = store.get(snapshot_id)
    if found.get("schema") != records.SNAPSHOT:
        raise InvalidInput(f"{snapshot_id[:12]} is not a snapshot")
    record = cast(SnapshotRecord, found)  # its schema checked
    with _collector_paused():
        items = select(store, snapshot_id, items_of(store, record, notebook), paths)
        result = CheckoutResult(snapshot_id, dry_run, items)
        planner = _plan(store, record, items, force)
        if dry_run:
            return result
        if result.with_status(REFUSED):
            for item in result.with_status(RESTORED):
                item.status, item.reason = SKIPPED, "another file was refused"
            return result
        _restore(store, record, planner, result.with_status(RESTORED), jobs, progress)
    return result


def _plan(store: Store, record: SnapshotRecord, items: list[CheckoutItem], force: bool) -> Planner:
    """Judge every item; the files of directories the hash cache vouches for need no look."""
    same = tuple(unchanged_trees(store, record))
    for item in items:
        if same and item.path.startswith(same):
            item.status, item.reason = UNCHANGED, None
    planner = Planner(
        store, record, [i for i in items if not (same and i.path.startswith(same))], force
    )
    for item in planner.items:
        planner.judge(item)
    return planner


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a checkout makes an object or two per file (it
    makes no cycles worth collecting, and a collection walks every object it made)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
