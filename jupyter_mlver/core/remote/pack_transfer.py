"""Small data copies travel in packs: one request for thousands of objects.

On the remote, ``packs/<name>.pack`` has the same layout as a local pack and ``<name>`` is
the blake3 of its bytes; ``packs/<name>.idx`` lists ``(object, offset, size)`` and is written
after the pack, so an index on the remote always names a whole pack. What a store has read
of a remote's indexes is kept in its ledger, so a push or pull only reads indexes it has
not seen. Every object read out of a pack is checked against its name, as any other.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import blake3

from ..store.packs import HEADER, MAGIC
from .backend import RemoteFS
from .ledger import Ledger

IDX_ENTRY = struct.Struct("<32sQQ")  # object id (raw), offset of its bytes, size
#: A remote pack is closed beyond this size (several upload in parallel).
REMOTE_PACK_SIZE = 64 * 1024 * 1024
#: Ranges of a pack closer than this are fetched in one request.
RANGE_GAP = 1024 * 1024


def pack_key(rfs: RemoteFS, name: str, suffix: str) -> str:
    return f"{rfs.root}/packs/{name}.{suffix}"


@dataclass
class BuiltPack:
    name: str
    data: bytes
    entries: list[tuple[str, int, int]]  # oid, offset, size

    def idx(self) -> bytes:
        return b"".join(IDX_ENTRY.pack(bytes.fromhex(o), off, n) for o, off, n in self.entries)


def build_pack(objects: Iterable[tuple[str, bytes]]) -> BuiltPack:
    parts = [MAGIC]
    offset = len(MAGIC)
    entries = []
    for oid, data in objects:
        parts.append(HEADER.pack(bytes.fromhex(oid), len(data)))
        offset += HEADER.size
        entries.append((oid, offset, len(data)))
        parts.append(data)
        offset += len(data)
    body = b"".join(parts)
    return BuiltPack(blake3.blake3(body).hexdigest(), body, entries)


def group(sizes: dict[str, int], limit: int = REMOTE_PACK_SIZE) -> list[list[str]]:
    """Objects in groups of at most ``limit`` bytes, in id order (stable across runs)."""
    groups: list[list[str]] = [[]]
    total = 0
    for oid in sorted(sizes):
        if groups[-1] and total + sizes[oid] > limit:
            groups.append([])
            total = 0
        groups[-1].append(oid)
        total += sizes[oid]
    return [g for g in groups if g]


def parse_idx(data: bytes) -> list[tuple[str, int, int]]:
    count, rest = divmod(len(data), IDX_ENTRY.size)
    if rest:
        raise ValueError("a pack index whose length is not a whole number of entries")
    return [
        (raw.hex(), offset, size)
        for raw, offset, size in (
            IDX_ENTRY.unpack_from(data, i * IDX_ENTRY.size) for i in range(count)
        )
    ]


def list_packs(rfs: RemoteFS) -> set[str]:
    """Names of the packs whose index is on the remote (so whole)."""
    rfs.invalidate()
    try:
        with rfs.translate("list packs", missing_ok=True):
            keys = rfs.fs.find(f"{rfs.root}/packs", detail=False)
    except FileNotFoundError:
        return set()
    return {k.rsplit("/", 1)[1][: -len(".idx")] for k in keys if k.endswith(".idx")}


def read_idx(rfs: RemoteFS, name: str) -> list[tuple[str, int, int]]:
    with rfs.translate(f"read pack index {name[:12]}"):
        data = bytes(rfs.fs.cat_file(pack_key(rfs, name, "idx")))
    try:
        return parse_idx(data)
    except ValueError:
        return []  # a damaged index only costs a re-upload; objects are verified anyway


def upload(rfs: RemoteFS, pack: BuiltPack) -> None:
    """The pack, then its index: an index never names a pack that is not whole."""
    rfs.put_bytes(pack.data, pack_key(rfs, pack.name, "pack"))
    rfs.put_bytes(pack.idx(), pack_key(rfs, pack.name, "idx"))


Entry = tuple[str, int, int]  # oid, offset, size


def ranges(entries: list[Entry]) -> Iterator[tuple[int, int, list[Entry]]]:
    """Byte ranges covering ``entries``, neighbours closer than ``RANGE_GAP`` merged."""
    start = end = 0
    batch: list[Entry] = []
    for entry in sorted(entries, key=lambda e: e[1]):
        _, offset, size = entry
        if batch and offset - end > RANGE_GAP:
            yield start, end, batch
            batch = []
        if not batch:
            start = end = offset
        batch.append(entry)
        end = max(end, offset + size)
    if batch:
        yield start, end, batch


def learn(rfs: RemoteFS, ledger: Ledger, jobs: int) -> None:
    """Read the indexes of the remote's packs this store has not seen yet into its ledger
    (one listing; one small read per new pack)."""
    new = sorted(list_packs(rfs) - ledger.pack_names(rfs.remote.ident))
    if not new:
        return
    with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(new)))) as pool:
        for name, entries in zip(new, pool.map(lambda n: read_idx(rfs, n), new), strict=True):
            ledger.add_pack(rfs.remote.ident, name, entries)


def fetch(rfs: RemoteFS, name: str, entries: list[Entry]) -> Iterator[tuple[str, bytes]]:
    """The bytes of ``entries`` (oid, offset, size) from remote pack ``name``, a few
    ranged reads per pack; not yet verified."""
    key = pack_key(rfs, name, "pack")
    for start, end, batch in ranges(entries):
        with rfs.translate(f"read pack {name[:12]}"):
            blob = bytes(rfs.fs.cat_file(key, start=start, end=end))
        for oid, offset, size in batch:
            yield oid, blob[offset - start : offset - start + size]
