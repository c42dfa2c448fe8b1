"""The plan of a checkout: which files are as recorded (by the hash cache, confirmed by
their size), which are restored, and which are refused because their content is in no
snapshot."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable

from ..hashing import hash_file
from ..records import SnapshotRecord
from ..store.datarefs import is_tree_entry
from ..store.state import Entry, matches, stat_key
from ..store.store import Store
from .items import NOT_RESTORABLE, REFUSED, RESTORED, UNCHANGED, CheckoutItem, target_path


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


def _cached(
    store: Store, record: SnapshotRecord, found: dict[str, os.stat_result]
) -> dict[str, Entry]:
    """What the hash cache knows of the targets that exist: files named alone are rows, the
    files of a ``--data`` directory are that directory's entry."""
    known = store.state.load_files(found)
    for entry in record.get("data") or []:
        if is_tree_entry(entry):
            root = target_path(store, entry["path"])
            if any(t.startswith(root + os.sep) for t in found):
                known.update(store.state.load_tree_files(root))
    return known


class Planner:
    """Decides, file by file, whether a target is unchanged, restored or refused."""

    def __init__(
        self, store: Store, record: SnapshotRecord, items: list[CheckoutItem], force: bool
    ):
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
