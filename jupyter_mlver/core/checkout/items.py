"""What a checkout is about: each file of the snapshot (its item, with a status), the
files chosen by path, and the directories the hash cache says are as recorded."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..capture.data import cached_tree_id
from ..errors import InvalidInput
from ..records import SnapshotRecord
from ..store.datarefs import data_files, is_tree_entry
from ..store.store import Store

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


def items_of(store: Store, record: SnapshotRecord, with_notebook: bool) -> list[CheckoutItem]:
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
    path = nb.get("path") if nb else None
    if with_notebook and nb and path:
        items.append(CheckoutItem(path, "notebook", nb["hash"], None))
    return items


def unchanged_trees(store: Store, record: SnapshotRecord) -> list[str]:
    """Directories of the snapshot that are, by the hash cache, exactly as recorded: their
    files need no look (prefixes ending in ``/``)."""
    out = []
    for entry in record.get("data") or []:
        if is_tree_entry(entry):
            current = cached_tree_id(store.state, target_path(store, entry["path"]))
            if current == entry["hash"]:
                out.append(entry["path"].rstrip("/") + "/")
    return out


def select(
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


def target_path(store: Store, path: str) -> str:
    """The absolute path of a recorded path (relative to the store's root)."""
    return os.path.join(store.root, path)
