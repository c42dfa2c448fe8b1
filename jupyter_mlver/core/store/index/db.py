"""The SQLite index over records (WAL). Everything in it can be rebuilt from the objects."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ... import records
from ...errors import Conflict, StoreError
from ...records import Record
from ..datarefs import Reader, expand, is_tree_entry
from ..sqlite import connect
from .models import RegistryQueries
from .schema import (
    ALL,
    MIGRATIONS,
    SCHEMA_VERSION,
    AliasRow,
    SnapshotRow,
    SnapshotSummary,
    summarize,
)

__all__ = [
    "ALL",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "AliasRow",
    "Index",
    "SnapshotRow",
    "SnapshotSummary",
    "summarize",
]


class Index(RegistryQueries):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn = connect(path)
        self._migrate()

    def close(self) -> None:
        self.conn.close()

    def _migrate(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the index at {self.path} was written by a newer jupyter_mlver "
                f"(schema {version}, this version knows {SCHEMA_VERSION})",
                "upgrade jupyter_mlver",
            )
        if version == SCHEMA_VERSION:
            return
        with self.transaction():
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            for script in MIGRATIONS[version:]:
                for statement in script.split(";"):
                    if statement.strip():
                        self.conn.execute(statement)
            self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- writing ----------------------------------------------------------------

    def add(self, *stored: Record, fingerprint: str | None = None) -> None:
        """Index stored records in one transaction; a snapshot's tags must be free (else
        ``Conflict``, and nothing is indexed)."""
        with self.transaction():
            for record in stored:
                self._insert(record, fingerprint=fingerprint)

    def _insert(
        self, record: Record, *, fingerprint: str | None = None, skip_taken_tags: bool = False
    ) -> None:
        kind = records.kind(record)
        rid = record["id"]
        created = record.get("created")
        if kind == "tag":
            self._add_tag(record["name"], record["snapshot"], created or "", rid, skip_taken_tags)
            self.conn.execute(
                "INSERT OR IGNORE INTO records VALUES (?, ?, ?)", (rid, kind, created)
            )
            return
        self.conn.execute("INSERT OR IGNORE INTO records VALUES (?, ?, ?)", (rid, kind, created))
        if kind == "snapshot":
            summary = summarize(record)
            notebook = (record.get("notebook") or {}).get("path")
            search = " ".join(
                [
                    rid,
                    summary["message"],
                    notebook or "",
                    *record.get("tags", []),
                    *map(str, summary["params"]),
                ]
            ).lower()
            self.conn.execute(
                "INSERT OR IGNORE INTO snapshots VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    rid,
                    created,
                    notebook,
                    record.get("parent"),
                    record["environment"],
                    json.dumps(summary),
                    search,
                ),
            )
            for name in record.get("tags", []):
                self._add_tag(name, rid, created or "", None, skip_taken_tags)
            # Data entries are indexed when checkout first needs them (add_data_entries), so a
            # snapshot of many files does not write a row per file on the hot path.
        else:
            self._insert_registry(kind, record, fingerprint)

    def insert(self, record: Record) -> None:
        """Index one stored record inside a transaction the caller holds (``transaction()``),
        so what it read to build the record cannot change before the record is indexed."""
        self._insert(record)

    def _insert_data_entries(self, record: Record, read: Reader) -> None:
        rid = record["id"]
        if self.conn.execute("SELECT 1 FROM data_indexed WHERE snapshot = ?", (rid,)).fetchone():
            return
        rows = []
        for d in record.get("data") or []:
            if is_tree_entry(d):
                done = self.conn.execute(
                    "INSERT OR IGNORE INTO data_trees VALUES (?, ?)", (d["path"], d["hash"])
                )
                if not done.rowcount:
                    continue  # the same directory, already listed for another snapshot
            rows += [(rid, f["path"], f["hash"], int(bool(f["stored"]))) for f in expand(read, d)]
        notebook = record.get("notebook") or {}
        if notebook.get("path") and notebook.get("hash"):
            rows.append((rid, notebook["path"], notebook["hash"], 1))
        self.conn.executemany("INSERT INTO data_entries VALUES (?, ?, ?, ?)", rows)
        self.conn.execute("INSERT INTO data_indexed VALUES (?)", (rid,))

    def add_data_entries(self, snapshots: Iterable[Record], read: Reader) -> None:
        """Index the data entries of snapshots indexed before the ``data_entries`` table
        (``read`` gives tree objects)."""
        with self.transaction():
            for record in snapshots:
                self._insert_data_entries(record, read)

    def snapshots_without_data(self) -> list[str]:
        """Oldest first: a directory shared by several snapshots is listed under the first
        one indexed, which should be the first that recorded it (see ``first_recorded``)."""
        rows = self.conn.execute(
            "SELECT id FROM snapshots WHERE id NOT IN (SELECT snapshot FROM data_indexed) "
            "ORDER BY created, id"
        )
        return [r[0] for r in rows]

    def recorded_hashes(self, path: str) -> set[str]:
        """Every content hash any snapshot recorded for this path (data file or notebook)."""
        rows = self.conn.execute("SELECT DISTINCT hash FROM data_entries WHERE path = ?", (path,))
        return {r[0] for r in rows}

    def first_recorded(self, files: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """(path, hash) -> when a snapshot first recorded that content at that path (the
        earliest ``created`` among the snapshots whose data entries list it)."""
        rows = self.conn.execute(
            "WITH w(path, hash) AS ("
            "  SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))"
            " SELECT w.path, w.hash, MIN(s.created) FROM w"
            " JOIN data_entries d ON d.path = w.path AND d.hash = w.hash"
            " JOIN snapshots s ON s.id = d.snapshot GROUP BY w.path, w.hash",
            (json.dumps([list(f) for f in files]),),
        )
        return {(r[0], r[1]): r[2] for r in rows}

    def _add_tag(
        self, name: str, snapshot: str, created: str, tag_record: str | None, skip_taken: bool
    ) -> None:
        taken = self.tag_target(name)
        if taken == snapshot:
            return
        if taken is not None:
            if skip_taken:
                return
            raise Conflict(
                f"tag {name!r} already names snapshot {taken[:12]}", "choose another name"
            )
        self.conn.execute(
            "INSERT INTO tags VALUES (?, ?, ?, ?)", (name, snapshot, tag_record, created)
        )

    def rebuild(
        self, all_records: Iterable[Record], fingerprints: dict[str, str] | None = None
    ) -> int:
        """Replace the whole index with what the given records say; returns how many."""
        fingerprints = fingerprints or {}
        ordered = sorted(
            all_records, key=lambda r: (r.get("schema") == records.TAG, r.get("created") or "")
        )
        with self.transaction():
            for table in (
                "records",
                "snapshots",
                "tags",
                "images",
                "data_entries",
                "data_indexed",
                "data_trees",
                "models",
                "alias_events",
                "model_images",
                "deployment_events",
                "model_numbers",
            ):
                self.conn.execute(f"DELETE FROM {table}")
            for record in ordered:
                self._insert(
                    record,
                    fingerprint=fingerprints.get(record.get("environment", "")),
                    skip_taken_tags=True,
                )
        return len(ordered)

    # -- reading ----------------------------------------------------------------

    def has(self, rid: str) -> bool:
        return (
            self.conn.execute("SELECT 1 FROM records WHERE id = ?", (rid,)).fetchone() is not None
        )

    def kind_of(self, rid: str) -> str | None:
        row = self.conn.execute("SELECT kind FROM records WHERE id = ?", (rid,)).fetchone()
        return row[0] if row else None

    def record_ids(self, kind: str | None = None) -> list[str]:
        if kind is None:
            return [r[0] for r in self.conn.execute("SELECT id FROM records")]
        return [r[0] for r in self.conn.execute("SELECT id FROM records WHERE kind = ?", (kind,))]

    def ids_with_prefix(self, prefix: str) -> list[tuple[str, str]]:
        upper = prefix + "g"  # 'g' sorts after every hex digit
        rows = self.conn.execute(
            "SELECT id, kind FROM records WHERE id >= ? AND id < ? AND kind != 'tag' LIMIT 10",
            (prefix, upper),
        )
        return [(r[0], r[1]) for r in rows]

    def tag_target(self, name: str) -> str | None:
        row = self.conn.execute("SELECT snapshot FROM tags WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def tags_of(self, snapshot: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT name FROM tags WHERE snapshot = ? ORDER BY created, name", (snapshot,)
        )
        return [r[0] for r in rows]

    def latest(self, notebook: object = ALL) -> str | None:
        where, args = self._notebook_filter(notebook)
        row = self.conn.execute(
            f"SELECT id FROM snapshots {where} ORDER BY created DESC, rowid DESC LIMIT 1", args
        ).fetchone()
        return row[0] if row else None

    def parent_of(self, snapshot: str) -> str | None:
        row = self.conn.execute("SELECT parent FROM snapshots WHERE id = ?", (snapshot,)).fetchone()
        if row is None:
            return None
        return str(row[0]) if row[0] else None

    @staticmethod
    def _notebook_filter(notebook: object) -> tuple[str, list[Any]]:
        if notebook is ALL:
            return "", []
        if notebook is None:
            return "WHERE notebook IS NULL", []
        return "WHERE notebook = ?", [notebook]

    def snapshots(
        self,
        *,
        notebook: object = ALL,
        q: str | None = None,
        tag: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> tuple[list[SnapshotRow], int]:
        """A page of snapshots, newest first, and the total that match."""
        where, args = self._notebook_filter(notebook)
        clauses = [where[len("WHERE ") :]] if where else []
        if q:
            clauses.append(
                "(s.search LIKE ? ESCAPE '\\'"
                " OR s.id IN (SELECT snapshot FROM tags WHERE name LIKE ? ESCAPE '\\'))"
            )
            pattern = (
                "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            )
            args += [pattern, pattern]
        if tag:
            clauses.append("s.id IN (SELECT snapshot FROM tags WHERE name = ?)")
            args.append(tag)
        cond = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        total = self.conn.execute(f"SELECT count(*) FROM snapshots s {cond}", args).fetchone()[0]
        page = self.conn.execute(
            f"SELECT s.id, s.created, s.notebook, s.parent, s.environment, s.summary,"
            f" (SELECT json_group_array(name) FROM tags t WHERE t.snapshot = s.id)"
            f" FROM snapshots s {cond} ORDER BY s.created DESC, s.rowid DESC LIMIT ? OFFSET ?",
            [*args, -1 if limit is None else limit, offset],
        ).fetchall()
        rows = [
            SnapshotRow(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), sorted(json.loads(r[6])))
            for r in page
        ]
        return rows, total

    def generation(self) -> int:
        """A number that changes whenever a record (snapshot, tag, image...) is indexed:
        a cheap test of "anything new?" for pollers such as the side panel."""
        row = self.conn.execute("SELECT max(rowid) FROM records").fetchone()
        return int(row[0] or 0)

    def images_of(self, snapshot: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT id FROM images WHERE snapshot = ? ORDER BY created DESC", (snapshot,)
        )
        return [r[0] for r in rows]

    def images_with_fingerprint(self, fingerprint: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT id FROM images WHERE fingerprint = ? ORDER BY created DESC", (fingerprint,)
        )
        return [r[0] for r in rows]
