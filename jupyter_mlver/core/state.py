"""Hash cache: a file whose (inode, size, mtime_ns) is unchanged is not read again."""

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


class StatKey(NamedTuple):
    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, st: os.stat_result) -> StatKey:
        return cls(st.st_ino, st.st_size, st.st_mtime_ns)


class StateCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = connect(self.path)
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS hashes (path TEXT PRIMARY KEY, inode INTEGER,"
                " size INTEGER, mtime_ns INTEGER, hash TEXT NOT NULL)"
            )
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def load(self, files: Iterable[str], trees: Iterable[str]) -> dict[str, tuple[StatKey, str]]:
        """Cached entries for the given absolute files and for everything under the given trees."""
        out: dict[str, tuple[StatKey, str]] = {}
        rows: list[tuple[str, int, int, int, str]] = []
        q = "SELECT path, inode, size, mtime_ns, hash FROM hashes"
        for tree in trees:
            prefix = tree.rstrip(os.sep) + os.sep
            # Every path under the tree sorts between "<tree>/" and "<tree>0" ('0' follows '/').
            upper = prefix[:-1] + chr(ord(os.sep) + 1)
            rows += self.conn.execute(
                f"{q} WHERE path >= ? AND path < ?", (prefix, upper)
            ).fetchall()
        file_list = [f for f in files if f not in out]
        for i in range(0, len(file_list), 500):
            chunk = file_list[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows += self.conn.execute(f"{q} WHERE path IN ({marks})", chunk).fetchall()
        for path, inode, size, mtime_ns, digest in rows:
            out[path] = (StatKey(inode, size, mtime_ns), digest)
        return out

    def save(self, entries: Iterable[tuple[str, StatKey, str]]) -> None:
        now = time.time_ns()
        rows = [
            (path, key.inode, key.size, key.mtime_ns, digest)
            for path, key, digest in entries
            if now - key.mtime_ns > RACY_WINDOW_NS
        ]
        if rows:
            with self.conn:
                self.conn.execute("BEGIN IMMEDIATE")
                self.conn.executemany("INSERT OR REPLACE INTO hashes VALUES (?, ?, ?, ?, ?)", rows)
