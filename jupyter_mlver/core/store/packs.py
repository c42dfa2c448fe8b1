"""Pack files: many small objects in one file, as git packs its loose objects.

A snapshot of 100,000 small files writes one pack instead of 100,000 files, directories and
renames. A pack is ``objects/pack/<name>.pack``: a magic line, then for each object its raw
32-byte id, its length and its bytes; its name is the blake3 of the whole file. Where each
object lives is kept in ``packs.sqlite`` (object -> pack, offset, size), so a read is one
lookup and one ``pread``; the table can always be rebuilt by scanning the packs.

A pack is written under ``tmp/``, made durable, renamed into place, and only then indexed:
no row ever names a pack that is not whole on disk.
"""

from __future__ import annotations

import os
import sqlite3
import struct
import threading
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import blake3

from ..errors import StoreError
from .sqlite import LazyDatabase

MAGIC = b"MLVERPK1\n"
HEADER = struct.Struct("<32sQ")  # object id (raw), length
#: Objects up to this size go into packs; larger ones stay loose (and can be reflinked).
PACK_MAX_OBJECT = 1024 * 1024
#: A pack is closed and a new one started beyond this size.
PACK_TARGET_SIZE = 256 * 1024 * 1024
_CHUNK = 500
#: Looking up more objects than this at once, a pass over the table may beat lookups.
_SCAN_ABOVE = 10_000

# Object ids as their 32 raw bytes and packs by number: 100,000 small objects cost a few
# megabytes of index, not tens.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS packs (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS packed (
    oid BLOB PRIMARY KEY, pack INTEGER NOT NULL, offset INTEGER NOT NULL, size INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS packed_by_pack ON packed (pack)
"""
_SELECT = "SELECT packed.oid, packs.name, offset, size FROM packed JOIN packs ON packs.id = pack"

Location = tuple[str, int, int]  # pack name, offset of the bytes, size


def _raw(oids: Iterable[str]) -> list[bytes]:
    return [bytes.fromhex(o) for o in oids]


class PackIndex(LazyDatabase):
    """``packs.sqlite``: where each packed object is."""

    def __init__(self, path: Path, pack_dir: Path) -> None:
        super().__init__(path)
        self.dir = pack_dir
        self._lock = threading.RLock()
        self._files: dict[str, int] = {}

    def prepare(self, conn: sqlite3.Connection) -> None:
        for statement in _SCHEMA.split(";"):
            conn.execute(statement)

    def close(self) -> None:
        super().close()
        for fd in self._files.values():
            os.close(fd)
        self._files.clear()

    def _empty(self) -> bool:
        """A store that never packed anything: no file, and none is created for reading."""
        return self._conn is None and not self.path.exists()

    def _query(self, sql: str, oids: Iterable[str]) -> list[tuple[Any, ...]]:
        """``sql`` (ending in ``IN``) for ``oids``, 500 at a time."""
        wanted = _raw(oids)
        if not wanted or self._empty():
            return []
        rows: list[tuple[Any, ...]] = []
        with self._lock:
            for i in range(0, len(wanted), _CHUNK):
                chunk = wanted[i : i + _CHUNK]
                rows += self.conn.execute(f"{sql} ({','.join('?' * len(chunk))})", chunk)
        return rows

    def locate(self, oid: str) -> Location | None:
        for _, pack, offset, size in self._query(f"{_SELECT} WHERE oid IN", [oid]):
            return pack, offset, size
        return None

    def locations(self, oids: Iterable[str]) -> dict[str, Location]:
        """Where each of ``oids`` that is packed is (one query per 500, or, when they are a
        good share of every packed object, one pass over the table)."""
        wanted = set(oids)
        if len(wanted) < _SCAN_ABOVE or self._empty():
            return {r[0].hex(): r[1:] for r in self._query(f"{_SELECT} WHERE oid IN", wanted)}
        with self._lock:
            (total,) = self.conn.execute("SELECT count(*) FROM packed").fetchone()
            if len(wanted) * 4 < total:
                return {r[0].hex(): r[1:] for r in self._query(f"{_SELECT} WHERE oid IN", wanted)}
            names = dict(self.conn.execute("SELECT id, name FROM packs").fetchall())
            raw = {bytes.fromhex(o) for o in wanted}
            return {
                oid.hex(): (names[pack], offset, size)
                for oid, pack, offset, size in self.conn.execute(
                    "SELECT oid, pack, offset, size FROM packed"
                )
                if oid in raw
            }

    def present(self, oids: Iterable[str]) -> set[str]:
        """Which of ``oids`` are packed (one query per 500)."""
        return {r[0].hex() for r in self._query("SELECT oid FROM packed WHERE oid IN", oids)}

    def sizes(self, oids: Iterable[str]) -> dict[str, int]:
        """The size of each of ``oids`` that is packed."""
        return {
            r[0].hex(): r[1] for r in self._query("SELECT oid, size FROM packed WHERE oid IN", oids)
        }

    def iter_ids(self) -> Iterator[str]:
        if self._empty():
            return
        with self._lock:
            rows = self.conn.execute("SELECT oid FROM packed").fetchall()
        for (oid,) in rows:
            yield oid.hex()

    def entries(self, pack: str | None = None) -> list[tuple[str, str, int, int]]:
        """``(oid, pack, offset, size)`` of every packed object (of one pack)."""
        if self._empty():
            return []
        with self._lock:
            if pack is None:
                rows = self.conn.execute(_SELECT).fetchall()
            else:
                rows = self.conn.execute(f"{_SELECT} WHERE packs.name = ?", (pack,)).fetchall()
        return [(oid.hex(), name, offset, size) for oid, name, offset, size in rows]

    def add(
        self, packs: list[tuple[str, list[tuple[str, int, int]]]], replacing: Iterable[str] = ()
    ) -> None:
        """Index published packs' objects in one transaction, taking over the objects of the
        packs they replace; otherwise an object already packed keeps its place."""
        replaced = list(replacing)
        verb = "INSERT OR REPLACE" if replaced else "INSERT OR IGNORE"
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                for name in replaced:
                    self._drop_pack(name)
                for name, entries in packs:
                    self.conn.execute("INSERT OR IGNORE INTO packs (name) VALUES (?)", (name,))
                    (number,) = self.conn.execute(
                        "SELECT id FROM packs WHERE name = ?", (name,)
                    ).fetchone()
                    # In key order: appending to the B-tree is several times faster than
                    # inserting 100,000 random keys.
                    self.conn.executemany(
                        f"{verb} INTO packed VALUES (?, ?, ?, ?)",
                        (
                            (bytes.fromhex(oid), number, offset, size)
                            for oid, offset, size in sorted(entries)
                        ),
                    )
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def _drop_pack(self, name: str) -> None:
        row = self.conn.execute("SELECT id FROM packs WHERE name = ?", (name,)).fetchone()
        if row is not None:
            self.conn.execute("DELETE FROM packed WHERE pack = ?", row)
            self.conn.execute("DELETE FROM packs WHERE id = ?", row)

    def close_file(self, pack: str) -> None:
        with self._lock:
            fd = self._files.pop(pack, None)
        if fd is not None:
            os.close(fd)

    def forget(self, oids: Iterable[str] = (), packs: Iterable[str] = ()) -> None:
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                self.conn.executemany(
                    "DELETE FROM packed WHERE oid = ?", ((o,) for o in _raw(oids))
                )
                for name in packs:
                    self._drop_pack(name)
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def packs(self) -> set[str]:
        """Packs that still hold an indexed object."""
        if self._empty():
            return set()
        with self._lock:
            rows = self.conn.execute(
                "SELECT name FROM packs WHERE EXISTS (SELECT 1 FROM packed WHERE pack = packs.id)"
            )
            return {r[0] for r in rows}

    def pack_path(self, pack: str) -> Path:
        return self.dir / f"{pack}.pack"

    def read(self, location: Location) -> bytes:
        pack, offset, size = location
        with self._lock:
            fd = self._files.get(pack)
            if fd is None:
                try:
                    fd = os.open(self.pack_path(pack), os.O_RDONLY)
                except FileNotFoundError:
                    raise StoreError(
                        f"pack {pack[:12]} is missing from the store",
                        "run `jupyter mlver fsck` to see what is damaged",
                    ) from None
                self._files[pack] = fd
        return os.pread(fd, size, offset)


class PackWriter:
    """Appends small objects to a pack under ``tmp/``; the writer's ``commit`` makes it
    durable, renames it into ``objects/pack/`` and then indexes it. Thread-safe."""

    _FLUSH = 8 * 1024 * 1024

    def __init__(self, tmp_dir: Path) -> None:
        self.tmp_dir = tmp_dir
        self._lock = threading.Lock()
        self._fd = -1
        self._path: Path | None = None
        self._hasher = blake3.blake3()
        self._buffer = bytearray()
        self._offset = 0
        self._entries: list[tuple[str, int, int]] = []
        self.closed: list[tuple[Path, str, list[tuple[str, int, int]]]] = []

    def _open(self) -> None:
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        self._path = self.tmp_dir / f"{os.getpid()}-{uuid.uuid4().hex}.pack"
        self._fd = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        self._hasher = blake3.blake3()
        self._buffer = bytearray(MAGIC)
        self._offset = len(MAGIC)
        self._entries = []

    def _flush(self) -> None:
        view = memoryview(self._buffer)
        while view:
            n = os.write(self._fd, view)
            view = view[n:]
        self._hasher.update(self._buffer)
        self._buffer = bytearray()

    def add(self, oid: str, data: bytes) -> None:
        with self._lock:
            if self._path is None:
                self._open()
            self._buffer += HEADER.pack(bytes.fromhex(oid), len(data))
            self._offset += HEADER.size
            self._entries.append((oid, self._offset, len(data)))
            self._buffer += data
            self._offset += len(data)
            if len(self._buffer) >= self._FLUSH:
                self._flush()
            if self._offset >= PACK_TARGET_SIZE:
                self._close()

    def _close(self) -> None:
        if self._path is None:
            return
        self._flush()
        os.close(self._fd)
        self.closed.append((self._path, self._hasher.hexdigest(), self._entries))
        self._path = None
        self._entries = []

    def staged(self) -> list[tuple[Path, str, list[tuple[str, int, int]]]]:
        """Close the open pack; every pack staged so far: (tmp path, name, entries)."""
        with self._lock:
            self._close()
            return list(self.closed)

    def discard(self) -> None:
        with self._lock:
            self._close()
            for path, _, _ in self.closed:
                path.unlink(missing_ok=True)
            self.closed.clear()


def read_pack(path: Path) -> Iterator[tuple[str, int, bytes]]:
    """Every ``(oid, offset, bytes)`` in a pack file, in order (for fsck and rebuilding
    the index)."""
    with open(path, "rb") as f:
        if f.read(len(MAGIC)) != MAGIC:
            raise StoreError(f"{path} is not a jupyter_mlver pack")
        offset = len(MAGIC)
        while header := f.read(HEADER.size):
            if len(header) < HEADER.size:
                raise StoreError(f"pack {path.name} is truncated")
            raw, size = HEADER.unpack(header)
            offset += HEADER.size
            data = f.read(size)
            if len(data) < size:
                raise StoreError(f"pack {path.name} is truncated")
            yield raw.hex(), offset, data
            offset += size
