"""Keeping packs healthy: verify them, rewrite those holding garbage, drop stray ones.

A packed object cannot be deleted in place: ``gc`` forgets its row, then rewrites each pack
that holds garbage with only its live objects (the new pack durable and indexed before the
old one is unlinked), so a kill at any point leaves every live object findable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..errors import StoreError
from .objects import ObjectStore
from .packs import read_pack


@dataclass
class PackCheck:
    objects: int = 0
    corrupt: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    strays: list[str] = field(default_factory=list)  # pack files nothing indexes


def pack_files(objects: ObjectStore) -> set[str]:
    try:
        return {
            name[: -len(".pack")]
            for name in os.listdir(objects.packs.dir)
            if name.endswith(".pack")
        }
    except FileNotFoundError:
        return set()


def verify_packs(objects: ObjectStore) -> PackCheck:
    """Read every indexed pack once: each object must hash to its id and sit where the
    index says; an indexed pack must exist; a pack nothing indexes is a stray."""
    from ..hashing import hash_bytes

    check = PackCheck()
    rows: dict[str, dict[str, int]] = {}
    for oid, pack, offset, _size in objects.packs.entries():
        rows.setdefault(pack, {})[oid] = offset
    on_disk = pack_files(objects)
    check.strays = sorted(on_disk - set(rows))
    for pack, wanted in sorted(rows.items()):
        if pack not in on_disk:
            check.corrupt.update(wanted)
            check.problems.append(f"pack {pack} is missing ({len(wanted)} objects)")
            continue
        seen: set[str] = set()
        try:
            for oid, offset, data in read_pack(objects.packs.pack_path(pack)):
                if oid not in wanted or wanted[oid] != offset:
                    continue  # an object indexed in another pack
                seen.add(oid)
                if hash_bytes(data) != oid:
                    check.corrupt.add(oid)
                    check.problems.append(
                        f"object {oid} is corrupt: its content does not match its name"
                    )
        except StoreError as e:
            check.problems.append(f"pack {pack}: {e.message}")
        for oid in set(wanted) - seen:
            check.corrupt.add(oid)
            check.problems.append(f"object {oid} is missing from pack {pack}")
        check.objects += len(wanted)
    return check


def rewrite_packs(objects: ObjectStore, packs: set[str]) -> None:
    """Rewrite ``packs`` with only the objects the index still lists in them."""
    for pack in sorted(packs):
        live = objects.packs.entries(pack)
        if live:
            with objects.writer() as writer:
                for oid, _, offset, size in live:
                    writer.add_packed(oid, objects.packs.read((pack, offset, size)))
                writer.replaces_pack(pack)
        else:
            objects.packs.forget(packs=[pack])
        objects.packs.close_file(pack)
        if pack not in objects.packs.packs():  # (a rewrite identical to it keeps its name)
            objects.packs.pack_path(pack).unlink(missing_ok=True)


def remove_strays(objects: ObjectStore, strays: list[str]) -> int:
    freed = 0
    for pack in strays:
        path = objects.packs.pack_path(pack)
        try:
            freed += path.stat().st_size
            path.unlink()
        except FileNotFoundError:
            pass
    return freed
