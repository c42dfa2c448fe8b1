"""Restore a snapshot's data files and notebook into the work tree, from the store.

Safety rule (like ``git checkout``): a file is overwritten only when its current content is
recorded for that path in some snapshot, so nothing that was never snapshotted is lost.
Otherwise the whole checkout is refused and the files are named, unless ``force``.
Each file is written to a temporary file in its own directory, verified by hash, made
durable and renamed over the target, so a crash leaves either the old or the new file.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import records
from .capture.data import cached_tree_id
from .errors import InvalidInput, StoreError
from .hashing import hash_file
from .records import Record
from .store.datarefs import data_files, is_tree_entry
from .store.state import matches, stat_key
from .store.store import Store

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
            current = cached_tree_id(store.state, str(_target(store, entry["path"])))
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


def _target(store: Store, path: str) -> Path:
    candidate = Path(path)
    return candidate if candidate.is_absolute() else store.root / candidate


def _current_hash(store: Store, target: Path, st: os.stat_result) -> str:
    """The file's hash, from the hash cache when its stat is unchanged."""
    key = stat_key(st)
    hit = store.state.load_files([str(target)]).get(str(target))
    if hit is not None and matches(hit, key):
        return hit[3]
    digest = hash_file(target, st.st_size)
    store.state.save_files({str(target): (*key, digest, store.objects.exists(digest))})
    return digest


def _plan(store: Store, items: list[CheckoutItem], force: bool) -> None:
    known_checked = False
    present = store.objects.present(i.hash for i in items if i.status != NOT_RESTORABLE)
    for item in items:
        # A file that cannot be restored is still fine if it already has the content.
        if item.status != NOT_RESTORABLE and item.hash not in present:
            item.status = NOT_RESTORABLE
            item.reason = "the store has no copy (gc'd or not pulled): `jupyter mlver pull`"
        target = _target(store, item.path)
        try:
            st = os.stat(target)
        except FileNotFoundError:
            if item.status != NOT_RESTORABLE:
                item.status = RESTORED
                item.reason = "was missing"
            continue
        if not os.path.isfile(target):
            item.status, item.reason = REFUSED, "a directory or special file is in the way"
            continue
        current = _current_hash(store, target, st)
        if current == item.hash:
            item.status, item.reason = UNCHANGED, None
            continue
        if item.status == NOT_RESTORABLE:
            continue
        if not known_checked:
            store.index_data_entries()
            known_checked = True
        if current in store.index.recorded_hashes(item.path):
            item.status, item.reason = RESTORED, "replaces content kept in another snapshot"
        elif force:
            item.status, item.reason, item.forced = (
                RESTORED,
                "had changes not in any snapshot",
                True,
            )
        else:
            item.status, item.reason = REFUSED, "has changes not in any snapshot"


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def restore_file(store: Store, digest: str, target: Path) -> None:
    """Write object ``digest`` to ``target`` atomically, verified, keeping the old mode."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StoreError(f"cannot create {target.parent}: {e.strerror}") from None
    # The temporary file lives next to the target: same filesystem, so the rename is atomic.
    tmp = target.parent / f".{target.name}.mlver-{uuid.uuid4().hex[:12]}.tmp"
    try:
        try:
            mode = os.stat(target).st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
        store.objects.copy_to(digest, tmp)
        os.chmod(tmp, mode)
        written = hash_file(tmp)
        if written != digest:
            raise StoreError(
                f"restoring {target}: wrote content {written[:12]}, expected {digest[:12]}",
                "the store's copy is damaged; run `jupyter mlver fsck`",
            )
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except OSError as e:
        raise StoreError(f"cannot restore {target}: {e.strerror}") from None
    finally:
        tmp.unlink(missing_ok=True)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def checkout(
    store: Store,
    snapshot_id: str,
    paths: Sequence[str | os.PathLike[str]] = (),
    *,
    force: bool = False,
    notebook: bool = True,
    dry_run: bool = False,
) -> CheckoutResult:
    """Restore the snapshot's files (only those at or under ``paths`` when given).

    When any file would lose changes that are in no snapshot, nothing is written and those
    files come back ``refused`` (the rest say what would have happened), unless ``force``.
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
    _plan(store, [i for i in items if not (same and i.path.startswith(same))], force)
    if dry_run:
        return result
    if result.with_status(REFUSED):
        for item in result.with_status(RESTORED):
            item.status, item.reason = SKIPPED, "another file was refused"
        return result
    for item in result.with_status(RESTORED):
        restore_file(store, item.hash, _target(store, item.path))
    return result
