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
