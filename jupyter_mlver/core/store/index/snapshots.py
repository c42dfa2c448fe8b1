"""The index's snapshots: a row per snapshot (its summary and search text), tags, and the
data entries checkout and governance look files up by."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from ...errors import Conflict
from ...records import Record
from ..datarefs import Reader, expand, is_tree_entry
from .schema import ALL, SnapshotRow, summarize


class SnapshotQueries:
    conn: sqlite3.Connection

    def _insert_snapshot(self, record: Record, skip_taken_tags: bool) -> None:
        rid, created = record["id"], record.get("created")
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
