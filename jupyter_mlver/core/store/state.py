"""Hash cache: a file whose (inode, size, mtime_ns) is unchanged is not read again.

Each entry also remembers whether the store held a copy of that content when it was last
seen, so a warm snapshot of many unchanged files costs one stat per file and nothing more;
``gc`` clears the flag for every object it removes.

Files named one by one are rows; a directory given as a whole is one marshalled blob of
its files, because loading 20,000 rows costs several times more than the stat walk it saves.
"""

from __future__ import annotations

import marshal
import os
import sqlite3
import time
from collections.abc import Iterable, Mapping

import blake3

from .sqlite import LazyDatabase

#: A file modified this recently may change again within the same timestamp tick
#: ("racily clean" in git's words), so its hash is not cached yet.
RACY_WINDOW_NS = 1_000_000_000
_VERSION = 6
#: Version 3 could claim a stored copy that a killed snapshot never published; its hashes
#: are kept and its claims dropped, so the next snapshot checks each object once.
_UNTRUSTED_CLAIMS = 3
#: Versions whose rows are kept: the trees table gains the directory's tree (version 5) and
#: the digest of the walk that built it (version 6).
_UPGRADABLE = (3, 4, 5)

#: (inode, size, mtime_ns): a plain tuple, built once per file on the hot path.
StatKey = tuple[int, int, int]
#: (inode, size, mtime_ns, hash, stored)
Entry = tuple[int, int, int, str, bool]
#: A directory's tree as last built: (tree id, size, files, stored, unstored paths). Valid
#: while every file under it still matches its entry.
TreeInfo = tuple[str, int, int, bool, list[str]]


def stat_key(st: os.stat_result) -> StatKey:
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def matches(entry: Entry, key: StatKey) -> bool:
    return entry[0] == key[0] and entry[1] == key[1] and entry[2] == key[2]


def listing_digest(found: list[tuple[str, StatKey]]) -> bytes:
    """One digest of a walk (every path and stat key, in walk order): equal digests mean
    every file is exactly as it was, checked in one comparison."""
    # Marshal format 2: later formats mark objects referenced twice, so their bytes depend
    # on reference counts, not only on the values.
    return blake3.blake3(marshal.dumps(found, 2)).digest()


def _settled(entries: Mapping[str, Entry], now: int) -> dict[str, Entry]:
    return {p: e for p, e in entries.items() if now - e[2] > RACY_WINDOW_NS}


def _upgrade(conn: sqlite3.Connection, version: int) -> None:
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        if version == _UNTRUSTED_CLAIMS:
            conn.execute("UPDATE hashes SET stored = 0")
            for root, blob in conn.execute("SELECT root, entries FROM trees").fetchall():
                tree = {rel: (*e[:4], False) for rel, e in marshal.loads(blob).items()}
                conn.execute(
                    "UPDATE trees SET entries = ? WHERE root = ?", (marshal.dumps(tree), root)
                )
        columns = [r[1] for r in conn.execute("PRAGMA table_info(trees)")]
        if "tree" not in columns:
            conn.execute("ALTER TABLE trees ADD COLUMN tree BLOB")
        if "listing" not in columns:
            conn.execute("ALTER TABLE trees ADD COLUMN listing BLOB")
        if version in (_UNTRUSTED_CLAIMS, 5):
            # Without a listing a tree would be checked file by file for as long as it is
            # unchanged; dropping it makes the next snapshot rebuild it (from cached hashes).
            conn.execute("UPDATE trees SET tree = NULL")
        conn.execute(f"PRAGMA user_version = {_VERSION}")


class StateCache(LazyDatabase):
    """``state.sqlite``: the hash cache (files by path, stat and hash; trees by root)."""

    def prepare(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version in _UPGRADABLE:
            _upgrade(conn, version)
        elif version != _VERSION:
            # A cache: an old layout is simply dropped.
            conn.execute("DROP TABLE IF EXISTS hashes")
            conn.execute("DROP TABLE IF EXISTS trees")
            conn.execute(f"PRAGMA user_version = {_VERSION}")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS hashes (path TEXT PRIMARY KEY, inode INTEGER,"
            " size INTEGER, mtime_ns INTEGER, hash TEXT NOT NULL, stored INTEGER NOT NULL)"
        )
        conn.execute(
            "CREATE TABLE IF NOT EXISTS trees"
            " (root TEXT PRIMARY KEY, entries BLOB, tree BLOB, listing BLOB)"
        )

    def load_files(self, files: Iterable[str]) -> dict[str, Entry]:
        wanted = list(files)
        out: dict[str, Entry] = {}
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for path, *entry in self.conn.execute(
                f"SELECT path, inode, size, mtime_ns, hash, stored FROM hashes"
                f" WHERE path IN ({marks})",
                chunk,
            ):
                out[path] = (entry[0], entry[1], entry[2], entry[3], bool(entry[4]))
        return out

    def load_tree(self, root: str) -> tuple[TreeInfo | None, bytes | None]:
        """A directory's last tree and the digest of the walk that built it (``listing``)."""
        row = self.conn.execute(
            "SELECT tree, listing FROM trees WHERE root = ?", (root,)
        ).fetchone()
        if row is None or row[0] is None:
            return None, None
        return marshal.loads(row[0]), row[1]

    def load_tree_files(self, root: str) -> dict[str, Entry]:
        """The cached files under a directory, by absolute path."""
        row = self.conn.execute("SELECT entries FROM trees WHERE root = ?", (root,)).fetchone()
        return marshal.loads(row[0]) if row is not None else {}

    def save_files(self, entries: Mapping[str, Entry]) -> None:
        rows = [(p, *e[:4], int(e[4])) for p, e in _settled(entries, time.time_ns()).items()]
        if rows:
            with self.conn:
                self.conn.execute("BEGIN IMMEDIATE")
                self.conn.executemany(
                    "INSERT OR REPLACE INTO hashes VALUES (?, ?, ?, ?, ?, ?)", rows
                )

    def save_tree(
        self, root: str, entries: Mapping[str, Entry], tree: TreeInfo | None, listing: bytes
    ) -> None:
        """Replace a directory's cached listing with ``entries`` (absolute paths under it),
        the tree they made and the digest of the walk that found them."""
        settled = _settled(entries, time.time_ns())
        # Keyed by absolute path, as a walk finds them: loading needs no rebuilding.
        blob = marshal.dumps(settled)
        # A tree vouches for its directory only while every file in it is cached.
        whole = tree is not None and len(settled) == len(entries)
        info = marshal.dumps(tree) if whole else None
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.execute(
                "INSERT OR REPLACE INTO trees VALUES (?, ?, ?, ?)",
                (root, blob, info, listing if whole else None),
            )

    def forget_stored(self, hashes: Iterable[str]) -> None:
        """The store no longer holds these objects."""
        gone = set(hashes)
        if not gone:
            return
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            chunk = list(gone)
            for i in range(0, len(chunk), 500):
                part = chunk[i : i + 500]
                marks = ",".join("?" * len(part))
                self.conn.execute(f"UPDATE hashes SET stored = 0 WHERE hash IN ({marks})", part)
            rows = self.conn.execute("SELECT root, entries, tree FROM trees").fetchall()
            for root, blob, info in rows:
                files = marshal.loads(blob)
                lost_tree = info is not None and marshal.loads(info)[0] in gone
                if lost_tree or any(e[3] in gone and e[4] for e in files.values()):
                    files = {r: (*e[:4], e[4] and e[3] not in gone) for r, e in files.items()}
                    # The directory's tree no longer vouches for its objects.
                    self.conn.execute(
                        "UPDATE trees SET entries = ?, tree = NULL, listing = NULL WHERE root = ?",
                        (marshal.dumps(files), root),
                    )
