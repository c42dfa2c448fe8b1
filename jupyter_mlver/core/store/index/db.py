"""The SQLite index over records (WAL). Everything in it can be rebuilt from the objects."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ... import records
from ...errors import StoreError
from ...records import Record
from ..datarefs import Reader
from ..sqlite import connect
from .deployments import DeploymentQueries
from .images import ImageQueries
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
from .snapshots import SnapshotQueries

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


class Index(SnapshotQueries, ImageQueries, RegistryQueries, DeploymentQueries):
    """The index: one connection, migrations, transactions and the records of every kind,
    each kind's rows and queries in its own module."""

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
        rid, created = record["id"], record.get("created")
        if kind == "tag":
            self._add_tag(record["name"], record["snapshot"], created or "", rid, skip_taken_tags)
        self.conn.execute("INSERT OR IGNORE INTO records VALUES (?, ?, ?)", (rid, kind, created))
        if kind == "snapshot":
            self._insert_snapshot(record, skip_taken_tags)
        elif kind == "image":
            self._insert_image(record, fingerprint)
        elif kind == "model":
            self._insert_model(record)
        elif kind == "alias":
            self._insert_alias(record)
        elif kind == "deployment":
            self._insert_deployment(record)
        elif kind == "number":
            self._insert_number(record)

    def add_data_entries(self, snapshots: Iterable[Record], read: Reader) -> None:
        """Index the data entries of snapshots indexed before the ``data_entries`` table
        (``read`` gives tree objects)."""
        with self.transaction():
            for record in snapshots:
                self._insert_data_entries(record, read)

    def insert(self, record: Record) -> None:
        """Index one stored record inside a transaction the caller holds (``transaction()``),
        so what it read to build the record cannot change before the record is indexed."""
        self._insert(record)

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

    def record_ids(self, kind: str | None = None, *, besides: str | None = None) -> list[str]:
        """Every record's id, or those of one kind, or all but one kind (``besides``)."""
        if kind is None and besides is None:
            return [r[0] for r in self.conn.execute("SELECT id FROM records")]
        if kind is None:
            rows = self.conn.execute("SELECT id FROM records WHERE kind != ?", (besides,))
            return [r[0] for r in rows]
        return [r[0] for r in self.conn.execute("SELECT id FROM records WHERE kind = ?", (kind,))]

    def ids_with_prefix(self, prefix: str) -> list[tuple[str, str]]:
        upper = prefix + "g"  # 'g' sorts after every hex digit
        rows = self.conn.execute(
            "SELECT id, kind FROM records WHERE id >= ? AND id < ? AND kind != 'tag' LIMIT 10",
            (prefix, upper),
        )
        return [(r[0], r[1]) for r in rows]

    def generation(self) -> int:
        """A number that changes whenever a record (snapshot, tag, image...) is indexed:
        a cheap test of "anything new?" for pollers such as the side panel."""
        row = self.conn.execute("SELECT max(rowid) FROM records").fetchone()
        return int(row[0] or 0)
