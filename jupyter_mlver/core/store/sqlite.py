"""SQLite connections tuned the same way for the index and the hash cache."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..errors import StoreError

BUSY_TIMEOUT_S = 60.0


def connect(path: Path) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.Error as e:
        raise StoreError(
            f"cannot open {path}: {e}",
            "check that the store directory is writable, or set MLVER_STORE",
        ) from None
    return conn


class LazyDatabase:
    """A database opened on first use, then prepared (its tables made or upgraded) by
    ``prepare``: a store that only reads never creates the files it does not need."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None

    def prepare(self, conn: sqlite3.Connection) -> None:
        """Make the tables (subclasses)."""

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = connect(self.path)
            self.prepare(conn)
            self._conn = conn
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
