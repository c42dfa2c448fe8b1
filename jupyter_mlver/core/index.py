"""The SQLite index over records (WAL). Everything in it can be rebuilt from the objects."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from . import records
from .datarefs import Reader, expand, is_tree_entry
from .errors import Conflict, StoreError
from .records import Record
from .sqlite import connect

# Each entry migrates the index from version i to i + 1; never edit a released one.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE records (id TEXT PRIMARY KEY, kind TEXT NOT NULL, created TEXT);
    CREATE TABLE snapshots (
        id TEXT PRIMARY KEY, created TEXT NOT NULL, notebook TEXT, parent TEXT,
        environment TEXT NOT NULL, summary TEXT NOT NULL, search TEXT NOT NULL);
    CREATE INDEX ix_snapshots_created ON snapshots (created);
    CREATE INDEX ix_snapshots_notebook ON snapshots (notebook, created);
    CREATE INDEX ix_snapshots_parent ON snapshots (parent);
    CREATE TABLE tags (
        name TEXT PRIMARY KEY, snapshot TEXT NOT NULL, record TEXT, created TEXT NOT NULL);
    CREATE INDEX ix_tags_snapshot ON tags (snapshot);
    CREATE TABLE images (
        id TEXT PRIMARY KEY, snapshot TEXT, environment TEXT NOT NULL, fingerprint TEXT,
        image_id TEXT, created TEXT NOT NULL);
    CREATE INDEX ix_images_snapshot ON images (snapshot);
    CREATE INDEX ix_images_fingerprint ON images (fingerprint);
    """,
    # 1 -> 2: every (path, hash) a snapshot recorded (data files and the notebook), so
    # checkout can tell in one indexed lookup whether a file's content is in any snapshot.
    # ``data_indexed`` marks the snapshots done; the others are filled in when checkout
    # first needs them (``Index.snapshots_without_data``), keeping snapshots fast.
    """
    CREATE TABLE data_entries (
        snapshot TEXT NOT NULL, path TEXT NOT NULL, hash TEXT NOT NULL, stored INTEGER NOT NULL);
    CREATE INDEX ix_data_entries_path ON data_entries (path, hash);
    CREATE INDEX ix_data_entries_snapshot ON data_entries (snapshot);
    CREATE TABLE data_indexed (snapshot TEXT PRIMARY KEY);
    """,
    # 2 -> 3: the model registry. Versions are unique per name in one store; two stores that
    # each registered the same version number keep both after a pull (``model_ids`` says so).
    # Alias events replay in (created, id) order; the last one says who holds the alias.
    """
    CREATE TABLE models (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, version INTEGER NOT NULL, snapshot TEXT,
        created TEXT NOT NULL);
    CREATE INDEX ix_models_name ON models (name, version);
    CREATE TABLE alias_events (
        id TEXT PRIMARY KEY, model TEXT NOT NULL, alias TEXT NOT NULL, version INTEGER NOT NULL,
        model_record TEXT NOT NULL, rollback INTEGER NOT NULL, created TEXT NOT NULL);
    CREATE INDEX ix_alias_events_model ON alias_events (model, alias, created);
    """,
    # 3 -> 4: directories recorded as trees whose files are already in ``data_entries``, so an
    # unchanged directory in many snapshots adds its rows once.
    """
    CREATE TABLE data_trees (path TEXT NOT NULL, tree TEXT NOT NULL, PRIMARY KEY (path, tree));
    """,
    # 4 -> 5: serving images (Image records with a ``model``), found by the model version
    # they serve and kept apart from the environment images a snapshot lists.
    """
    CREATE TABLE model_images (
        id TEXT PRIMARY KEY, model_record TEXT NOT NULL, environment TEXT NOT NULL,
        image_id TEXT, created TEXT NOT NULL);
    CREATE INDEX ix_model_images_model ON model_images (model_record, created);
    CREATE INDEX ix_model_images_environment ON model_images (environment, created);
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class AliasRow:
    id: str
    alias: str
    version: int
    model_record: str
    rollback: bool
    created: str


#: ``notebook=ALL`` lists every snapshot; ``notebook=None`` lists those taken outside a notebook.
ALL = object()


class SnapshotSummary(TypedDict):
    """What a list row shows of a snapshot, kept in the index (no record read)."""

    message: str
    author: dict[str, Any] | None
    params: dict[str, Any]
    metrics: dict[str, Any]
    git: dict[str, Any] | None  # commit, branch, dirty
    data_files: int
    data_bytes: int
    warnings: int
    source: str | None  # where the notebook came from: frontend | disk | history


@dataclass(frozen=True)
class SnapshotRow:
    id: str
    created: str
    notebook: str | None
    parent: str | None
    environment: str
    summary: SnapshotSummary
    tags: list[str]


def summarize(record: Record) -> SnapshotSummary:
    """What a list view needs, without reading the record object."""
    git = record.get("git") or {}
    data = record.get("data") or []
    execution = record.get("execution") or {}
    return {
        "message": record.get("message", ""),
        "author": record.get("author"),
        "params": record.get("params") or {},
        "metrics": record.get("metrics") or {},
        "git": {k: git.get(k) for k in ("commit", "branch", "dirty")} if git else None,
        "data_files": sum(d.get("files", 1) for d in data),
        "data_bytes": sum(d.get("size", 0) for d in data),
        "warnings": len(execution.get("warnings") or []),
        "source": (record.get("notebook") or {}).get("source"),
    }


class Index:
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
        elif kind == "image" and record.get("model"):
            self.conn.execute(
                "INSERT OR IGNORE INTO model_images VALUES (?, ?, ?, ?, ?)",
                (
                    rid,
                    record["model"]["record"],
                    record["environment"],
                    record.get("image_id"),
                    created,
                ),
            )
        elif kind == "image":
            self.conn.execute(
                "INSERT OR IGNORE INTO images VALUES (?, ?, ?, ?, ?, ?)",
                (
                    rid,
                    record.get("snapshot"),
                    record["environment"],
                    fingerprint,
                    record.get("image_id"),
                    created,
                ),
            )
        elif kind == "model":
            self.conn.execute(
                "INSERT OR IGNORE INTO models VALUES (?, ?, ?, ?, ?)",
                (rid, record["name"], record["version"], record.get("snapshot"), created),
            )
        elif kind == "alias":
            self.conn.execute(
                "INSERT OR IGNORE INTO alias_events VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    rid,
                    record["model"],
                    record["alias"],
                    record["version"],
                    record["model_record"],
                    int(bool(record.get("rollback"))),
                    created,
                ),
            )

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
        rows = self.conn.execute(
            "SELECT id FROM snapshots WHERE id NOT IN (SELECT snapshot FROM data_indexed)"
        )
        return [r[0] for r in rows]

    def recorded_hashes(self, path: str) -> set[str]:
        """Every content hash any snapshot recorded for this path (data file or notebook)."""
        rows = self.conn.execute("SELECT DISTINCT hash FROM data_entries WHERE path = ?", (path,))
        return {r[0] for r in rows}

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

    # -- the model registry -------------------------------------------------------

    def images_of_model(self, model_record: str) -> list[str]:
        """The serving images built for a model version, newest first."""
        rows = self.conn.execute(
            "SELECT id FROM model_images WHERE model_record = ? ORDER BY created DESC, rowid DESC",
            (model_record,),
        )
        return [r[0] for r in rows]

    def model_images_of_environment(self, environment: str) -> list[str]:
        """The serving images built on an environment, newest first."""
        rows = self.conn.execute(
            "SELECT id FROM model_images WHERE environment = ? ORDER BY created DESC, rowid DESC",
            (environment,),
        )
        return [r[0] for r in rows]

    def model_names(self) -> list[tuple[str, int, int]]:
        """``(name, latest version, number of versions)`` of every model, by name."""
        rows = self.conn.execute(
            "SELECT name, max(version), count(DISTINCT version) FROM models"
            " GROUP BY name ORDER BY name"
        )
        return [(r[0], int(r[1]), int(r[2])) for r in rows]

    def model_versions(self, name: str) -> list[tuple[int, str]]:
        """``(version, record id)`` of a model, oldest first."""
        rows = self.conn.execute(
            "SELECT version, id FROM models WHERE name = ? ORDER BY version, created, id", (name,)
        )
        return [(int(r[0]), r[1]) for r in rows]

    def model_ids(self, name: str, version: int) -> list[str]:
        rows = self.conn.execute(
            "SELECT id FROM models WHERE name = ? AND version = ? ORDER BY created, id",
            (name, version),
        )
        return [r[0] for r in rows]

    def latest_model_version(self, name: str) -> int | None:
        row = self.conn.execute(
            "SELECT max(version) FROM models WHERE name = ?", (name,)
        ).fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def alias_events(self, model: str, alias: str | None = None) -> list[AliasRow]:
        """A model's alias moves (of one alias, or of all), in the order they happened."""
        where, args = "model = ?", [model]
        if alias is not None:
            where, args = "model = ? AND alias = ?", [model, alias]
        rows = self.conn.execute(
            "SELECT id, alias, version, model_record, rollback, created FROM alias_events"
            f" WHERE {where} ORDER BY created, id",
            args,
        )
        return [AliasRow(r[0], r[1], int(r[2]), r[3], bool(r[4]), r[5]) for r in rows]
