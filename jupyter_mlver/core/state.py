"""Hash cache: a file whose (inode, size, mtime_ns) is unchanged is not read again.

Each entry also remembers whether the store held a copy of that content when it was last
seen, so a warm snapshot of many unchanged files costs one stat per file and nothing more;
``gc`` clears the flag for every object it removes.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from .sqlite import connect

#: A file modified this recently may change again within the same timestamp tick
#: ("racily clean" in git's words), so its hash is not cached yet.
RACY_WINDOW_NS = 1_000_000_000
_VERSION = 2


#: (inode, size, mtime_ns): a plain tuple, built once per file on the hot path.
StatKey = tuple[int, int, int]


def stat_key(st: os.stat_result) -> StatKey:
    return (st.st_ino, st.st_size, st.st_mtime_ns)


class CacheEntry(NamedTuple):
    """A cached row: ``(path, inode, size, mtime_ns, hash, stored)``."""

    path: str
    inode: int
    size: int
    mtime_ns: int
    hash: str
    stored: int

    def matches(self, key: StatKey) -> bool:
        return self.inode == key[0] and self.size == key[1] and self.mtime_ns == key[2]


class StateCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = connect(self.path)
            if conn.execute("PRAGMA user_version").fetchone()[0] != _VERSION:
                # A cache: an old layout is simply dropped.
                conn.execute("DROP TABLE IF EXISTS hashes")
                conn.execute(f"PRAGMA user_version = {_VERSION}")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS hashes (path TEXT PRIMARY KEY, inode INTEGER,"
                " size INTEGER, mtime_ns INTEGER, hash TEXT NOT NULL, stored INTEGER NOT NULL)"
            )
            conn.execute("CREATE INDEX IF NOT EXISTS ix_hashes_hash ON hashes (hash)")
            self._conn = conn
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def load(self, files: Iterable[str], trees: Iterable[str]) -> dict[str, CacheEntry]:
        """Cached entries for everything under the given trees and for the given files."""
        q = "SELECT path, inode, size, mtime_ns, hash, stored FROM hashes"
        cursor = self.conn.cursor()
        cursor.row_factory = lambda _, row: CacheEntry._make(row)
        out: dict[str, CacheEntry] = {}
        prefixes = []
        for tree in trees:
            prefix = tree.rstrip(os.sep) + os.sep
            prefixes.append(prefix)
            # Every path under the tree sorts between "<tree>/" and "<tree>0" ('0' follows '/').
            upper = prefix[:-1] + chr(ord(os.sep) + 1)
            out.update(
                (e.path, e)
                for e in cursor.execute(f"{q} WHERE path >= ? AND path < ?", (prefix, upper))
            )
        under_tree = tuple(prefixes)
        singles = [f for f in files if not (under_tree and f.startswith(under_tree))]
        for i in range(0, len(singles), 500):
            chunk = singles[i : i + 500]
            marks = ",".join("?" * len(chunk))
            out.update((e.path, e) for e in cursor.execute(f"{q} WHERE path IN ({marks})", chunk))
        return out

    def save(self, entries: Iterable[tuple[str, StatKey, str, bool]]) -> None:
        now = time.time_ns()
        rows = [
            (path, *key, digest, int(stored))
            for path, key, digest, stored in entries
            if now - key[2] > RACY_WINDOW_NS
        ]
        if rows:
            with self.conn:
                self.conn.execute("BEGIN IMMEDIATE")
                self.conn.executemany(
                    "INSERT OR REPLACE INTO hashes VALUES (?, ?, ?, ?, ?, ?)", rows
                )

    def forget_stored(self, hashes: Iterable[str]) -> None:
        """The store no longer holds these objects."""
        chunk: list[str] = []
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            for digest in hashes:
                chunk.append(digest)
                if len(chunk) == 500:
                    self._unset(chunk)
                    chunk = []
            if chunk:
                self._unset(chunk)

    def _unset(self, chunk: list[str]) -> None:
        marks = ",".join("?" * len(chunk))
        self.conn.execute(f"UPDATE hashes SET stored = 0 WHERE hash IN ({marks})", chunk)
