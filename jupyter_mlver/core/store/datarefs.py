"""A record's data once its trees are expanded: the files it names and the objects it needs.

A snapshot names a ``--data`` directory by its tree; the files under it (and whether each
copy is stored) are one tree walk away. Everything that must see files or objects — fsck,
gc, checkout, diff, transfers, ``show --files`` — goes through here, and a walker that has
seen a tree does not enter it again (equal subtrees are skipped by hash).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import records
from ..errors import StoreError
from . import trees

if TYPE_CHECKING:
    pass

Reader = Callable[[str], bytes]


def is_tree_entry(entry: Mapping[str, Any]) -> bool:
    return entry.get("kind") == "tree"


def expand(read: Reader, entry: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The per-file entries of one data entry (itself, for a file)."""
    if not is_tree_entry(entry):
        yield entry
        return
    unstored = set(entry.get("unstored") or ())
    for f in trees.walk(read, entry["hash"]):
        yield {
            "path": f"{entry['path']}/{f.path}",
            "role": entry["role"],
            "hash": f.hash,
            "size": f.size,
            "stored": bool(entry.get("stored")) and f.path not in unstored,
        }


def data_files(read: Reader, record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every data file of a snapshot as ``{path, role, hash, size, stored}``, sorted by path;
    a file both inside a directory and read by the kernel keeps its most telling role."""
    rank = {"tracked": 0, "input": 1, "output": 2}
    out: dict[str, dict[str, Any]] = {}
    for entry in record.get("data") or []:
        for f in expand(read, entry):
            prev = out.get(f["path"])
            if prev is None or rank.get(f["role"], 0) > rank.get(prev["role"], 0):
                out[f["path"]] = f
    return [out[p] for p in sorted(out)]


@dataclass
class Needs:
    """Objects a set of records needs: ``plain`` (records' own objects and trees) and
    ``data`` (stored data copies, with sizes), and trees that could not be read."""

    plain: set[str] = field(default_factory=set)
    data: dict[str, int | None] = field(default_factory=dict)
    unreadable: set[str] = field(default_factory=set)
    trees: set[tuple[str, bool]] = field(default_factory=set)  # (tree, stored) merged in


class Walker:
    """Collects what records need; each tree is read once however many records name it."""

    def __init__(self, read: Reader) -> None:
        self.read = read
        self._expanded: dict[tuple[str, bool], tuple[set[str], dict[str, int], set[str]]] = {}

    def record(self, record: Mapping[str, Any], needs: Needs | None = None) -> Needs:
        """Add what ``record`` needs to ``needs`` (a new one if None)."""
        needs = needs if needs is not None else Needs()
        entries = record.get("data") or [] if record.get("schema") == records.SNAPSHOT else []
        tree_ids = {e["hash"] for e in entries if is_tree_entry(e)}
        files = {e["hash"]: e.get("size") for e in entries if not is_tree_entry(e)}
        for oid in records.references(record):
            if oid not in files and oid not in tree_ids:
                needs.plain.add(oid)
        for e in entries:
            if is_tree_entry(e):
                self._tree(e, needs)
            elif e.get("stored"):
                needs.data[e["hash"]] = e.get("size")
        return needs

    def _tree(self, entry: dict[str, Any], needs: Needs) -> None:
        root, stored = entry["hash"], bool(entry.get("stored"))
        unstored = set(entry.get("unstored") or ())
        needs.plain.add(root)
        if unstored:
            # Some files are kept as hashes only (credentials): walk by path.
            try:
                needs.plain.update(trees.subtrees(self.read, root))
                for f in trees.walk(self.read, root):
                    if stored and f.path not in unstored:
                        needs.data[f.hash] = f.size
            except StoreError:
                needs.unreadable.add(root)
            return
        if (root, stored) in needs.trees:
            return
        plain, data, unreadable = self.expand(root, stored)
        needs.plain |= plain
        needs.data.update(data)
        needs.unreadable |= unreadable
        if not unreadable:
            needs.trees.add((root, stored))

    def expand(self, root: str, stored: bool) -> tuple[set[str], dict[str, int], set[str]]:
        """The subtrees under ``root`` (itself included), the files (if ``stored``), and the
        subtrees that could not be read; remembered unless something was unreadable."""
        key = (root, stored)
        if key in self._expanded:
            return self._expanded[key]
        plain: set[str] = set()
        data: dict[str, int] = {}
        unreadable: set[str] = set()
        todo = [root]
        while todo:
            oid = todo.pop()
            plain.add(oid)
            try:
                entries = trees.decode(self.read(oid))
            except StoreError:
                unreadable.add(oid)
                continue
            for e in entries:
                if e.kind == trees.DIR:
                    if e.hash not in plain:
                        todo.append(e.hash)
                elif stored:
                    data[e.hash] = e.size
        if not unreadable:
            self._expanded[key] = (plain, data, unreadable)
        return plain, data, unreadable


def differing_files(
    read: Reader, a: Mapping[str, Any], b: Mapping[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The data files of snapshots ``a`` and ``b`` that may differ: a directory recorded as
    a tree in both is compared by walking the two trees, skipping equal subtrees by hash;
    everything else is expanded file by file."""
    trees_a = {e["path"]: e for e in a.get("data") or [] if is_tree_entry(e)}
    trees_b = {e["path"]: e for e in b.get("data") or [] if is_tree_entry(e)}
    both = trees_a.keys() & trees_b.keys()
    out_a: list[dict[str, Any]] = []
    out_b: list[dict[str, Any]] = []
    for path in sorted(both):
        ta, tb = trees_a[path], trees_b[path]
        for rel, before, after in trees.diff(read, ta["hash"], tb["hash"]):
            for side, f in ((out_a, before), (out_b, after)):
                if f is not None:
                    side.append({"path": f"{path}/{rel}", "hash": f.hash, "size": f.size})
    for record, out, skip in ((a, out_a, both), (b, out_b, both)):
        for entry in record.get("data") or []:
            if not (is_tree_entry(entry) and entry["path"] in skip):
                out.extend(expand(read, entry))
    return out_a, out_b


def files_page(
    read: Reader, record: Mapping[str, Any], prefix: str = "", offset: int = 0, limit: int = 100
) -> tuple[list[dict[str, Any]], int]:
    """A page of a snapshot's data files (directories expanded) at or under ``prefix``, in
    path order, and how many there are. Only the trees the page falls in are walked; a
    directory wholly inside ``prefix`` is counted from its entry."""
    prefix = prefix.strip("/")
    out: list[dict[str, Any]] = []
    total = 0
    for entry in sorted(record.get("data") or [], key=lambda e: str(e["path"])):
        path = str(entry["path"])
        inside = not prefix or path == prefix or path.startswith(prefix + "/")
        if not is_tree_entry(entry):
            if inside:
                if total >= offset and len(out) < limit:
                    out.append(entry)
                total += 1
            continue
        if not inside and not prefix.startswith(path + "/"):
            continue
        count = int(entry.get("files", 0))
        if inside and (total + count <= offset or len(out) >= limit):
            total += count  # the page does not reach into this tree: no need to walk it
            continue
        for f in expand(read, entry):
            if inside or f["path"].startswith(prefix + "/") or f["path"] == prefix:
                if total >= offset and len(out) < limit:
                    out.append(f)
                total += 1
    return out, total
