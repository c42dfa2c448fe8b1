"""What this store knows each remote holds: ``.mlver/remotes.sqlite``.

Trust but verify. An object is written here only after an upload of it returned, or after
the remote listed it or served it with a matching hash, so the ledger never claims what
was not seen; losing rows (a kill before a commit) only costs a re-check. Every push and
pull lists the remote's record markers first; if a record the ledger says is there is gone
(the bucket was wiped or replaced), everything the ledger says about that remote is
forgotten and each object is checked again. ``push --verify`` ignores the ledger.

A push with nothing to send makes no request at all if that check passed less than
``TRUST_SECONDS`` ago (so pushing after every snapshot costs a few milliseconds); after
that, or with ``--verify``, it asks the remote again.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path

from ..store.sqlite import connect

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    remote TEXT NOT NULL, oid TEXT NOT NULL, PRIMARY KEY (remote, oid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS records (
    remote TEXT NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL, data INTEGER NOT NULL,
    PRIMARY KEY (remote, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checked (remote TEXT PRIMARY KEY, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS left_out (oid TEXT PRIMARY KEY, remote TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS packs (
    remote TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (remote, name)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS packed (
    remote TEXT NOT NULL, oid TEXT NOT NULL, pack TEXT NOT NULL, offset INTEGER NOT NULL,
    size INTEGER NOT NULL, PRIMARY KEY (remote, oid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS claims (
    remote TEXT NOT NULL, model TEXT NOT NULL, number INTEGER NOT NULL, record TEXT,
    PRIMARY KEY (remote, model, number)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS conditional (remote TEXT PRIMARY KEY, at REAL NOT NULL)
"""
_CHUNK = 500
#: How long a listing of the remote's records vouches for the ledger (see above).
TRUST_SECONDS = 600.0
FILENAME = "remotes.sqlite"


class Ledger:
    """``objects``: objects known to be on a remote. ``records``: records whose marker is on
    it (so they are complete there); ``data`` says whether their data copies are too."""

    def __init__(self, store_dir: Path) -> None:
        self.conn = connect(store_dir / FILENAME)
        for statement in _SCHEMA.split(";"):
            self.conn.execute(statement)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def known_objects(self, remote: str, oids: Iterable[str]) -> set[str]:
        ids = list(oids)
        found: set[str] = set()
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT oid FROM objects WHERE remote = ? AND oid IN ({marks})", [remote, *chunk]
            )
            found.update(r[0] for r in rows)
        return found

    def add_objects(self, remote: str, oids: Iterable[str]) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.executemany(
                "INSERT OR IGNORE INTO objects VALUES (?, ?)", ((remote, oid) for oid in oids)
            )
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def records(self, remote: str) -> dict[str, bool]:
        """Record id -> whether its data copies are on the remote too."""
        rows = self.conn.execute("SELECT id, data FROM records WHERE remote = ?", (remote,))
        return {r[0]: bool(r[1]) for r in rows}

    def add_records(self, remote: str, entries: Iterable[tuple[str, str, bool]]) -> None:
        """``(id, kind, with_data)``; a record once known with its data stays so."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.executemany(
                "INSERT INTO records VALUES (?, ?, ?, ?) ON CONFLICT (remote, id) DO UPDATE "
                "SET data = max(data, excluded.data)",
                ((remote, rid, kind, int(data)) for rid, kind, data in entries),
            )
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def has_record(self, remote: str, rid: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM records WHERE remote = ? AND id = ?", (remote, rid)
        ).fetchone()
        return row is not None

    def checked(self, remote: str, at: float | None = None) -> None:
        """Note that the remote's records were listed and matched the ledger at ``at``."""
        self.conn.execute(
            "INSERT INTO checked VALUES (?, ?) ON CONFLICT (remote) DO UPDATE SET at = excluded.at",
            (remote, time.time() if at is None else at),
        )

    def checked_ago(self, remote: str) -> float | None:
        """Seconds since the remote was last checked against the ledger, or None."""
        row = self.conn.execute("SELECT at FROM checked WHERE remote = ?", (remote,)).fetchone()
        return None if row is None else max(0.0, time.time() - float(row[0]))

    def leave_out(self, remote: str, oids: Iterable[str], arrived: Iterable[str]) -> None:
        """Data copies a pull left out on purpose (``--no-data``, or not on the remote), so
        ``fsck`` reports them as such rather than as damage; ``arrived`` ones are no longer."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.executemany(
                "INSERT OR REPLACE INTO left_out VALUES (?, ?)", ((o, remote) for o in oids)
            )
            self.conn.executemany("DELETE FROM left_out WHERE oid = ?", ((o,) for o in arrived))
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def pack_names(self, remote: str) -> set[str]:
        """The remote's packs whose index this store has read (or written)."""
        rows = self.conn.execute("SELECT name FROM packs WHERE remote = ?", (remote,))
        return {r[0] for r in rows}

    def add_pack(self, remote: str, name: str, entries: Iterable[tuple[str, int, int]]) -> None:
        """A pack whose index is on the remote (so the pack is whole): its objects are there,
        at ``(oid, offset, size)``."""
        rows = list(entries)
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.execute("INSERT OR IGNORE INTO packs VALUES (?, ?)", (remote, name))
            self.conn.executemany(
                "INSERT OR IGNORE INTO packed VALUES (?, ?, ?, ?, ?)",
                ((remote, oid, name, offset, size) for oid, offset, size in rows),
            )
            self.conn.executemany(
                "INSERT OR IGNORE INTO objects VALUES (?, ?)", ((remote, r[0]) for r in rows)
            )
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def locations(self, remote: str, oids: Iterable[str]) -> dict[str, tuple[str, int, int]]:
        """Where each of ``oids`` is in the remote's packs (those that are packed)."""
        ids = list(oids)
        out: dict[str, tuple[str, int, int]] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT oid, pack, offset, size FROM packed WHERE remote = ? AND oid IN ({marks})",
                [remote, *chunk],
            )
            out.update((r[0], (r[1], r[2], r[3])) for r in rows)
        return out

    def claims(self, remote: str) -> dict[tuple[str, int], str | None]:
        """``(model, number)`` -> the version record holding it, for every claim on the
        remote this store has read (claims are never rewritten: what was read stays true)."""
        rows = self.conn.execute(
            "SELECT model, number, record FROM claims WHERE remote = ?", (remote,)
        )
        return {(r[0], int(r[1])): r[2] for r in rows}

    def add_claims(self, remote: str, rows: Iterable[tuple[str, int, str | None]]) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.executemany(
                "INSERT OR IGNORE INTO claims VALUES (?, ?, ?, ?)",
                ((remote, m, n, r) for m, n, r in rows),
            )
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def conditional_ok(self, remote: str) -> bool:
        """Whether the remote was seen refusing a second conditional create of one key."""
        row = self.conn.execute("SELECT 1 FROM conditional WHERE remote = ?", (remote,))
        return row.fetchone() is not None

    def set_conditional_ok(self, remote: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO conditional VALUES (?, ?)", (remote, time.time()))

    def forget(self, remote: str) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        for table in ("objects", "records", "checked", "packs", "packed", "claims", "conditional"):
            self.conn.execute(f"DELETE FROM {table} WHERE remote = ?", (remote,))
        self.conn.execute("COMMIT")


def left_out(store_dir: Path) -> dict[str, str]:
    """Data copy -> the remote it was left on, for every data copy a pull did not bring.
    Read-only, and empty for a store that never pulled (nothing is created)."""
    path = store_dir / FILENAME
    if not path.exists():
        return {}
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=60)
    try:
        return dict(conn.execute("SELECT oid, remote FROM left_out"))
    except sqlite3.OperationalError:  # written by a version without the table
        return {}
    finally:
        conn.close()
