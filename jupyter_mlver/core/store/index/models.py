"""The index's model registry: versions by name and alias events."""

from __future__ import annotations

import sqlite3

from ...records import Record
from .schema import AliasRow

#: A version's number: its first publication's, else its last renumbering's, else the one
#: it was registered with (already in the row). A published number never changes.
_APPLY_NUMBER = """
UPDATE models SET
    version = COALESCE(
        (SELECT new FROM model_numbers WHERE model_record = :id AND event = 'published'
         ORDER BY created, id LIMIT 1),
        (SELECT new FROM model_numbers WHERE model_record = :id
         ORDER BY created DESC, id DESC LIMIT 1),
        version),
    published = EXISTS (
        SELECT 1 FROM model_numbers WHERE model_record = :id AND event = 'published')
WHERE id = :id
"""


class RegistryQueries:
    conn: sqlite3.Connection

    def _insert_model(self, record: Record) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO models (id, name, version, snapshot, created)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                record["id"],
                record["name"],
                record["version"],
                record.get("snapshot"),
                record.get("created"),
            ),
        )
        self.conn.execute(_APPLY_NUMBER, {"id": record["id"]})

    def _insert_number(self, record: Record) -> None:
        """A numbering event (``models.numbers``): the version's number follows it."""
        self.conn.execute(
            "INSERT OR IGNORE INTO model_numbers VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                record["id"],
                record["model"],
                record["model_record"],
                record["event"],
                record["old"],
                record["new"],
                record.get("created"),
            ),
        )
        self.conn.execute(_APPLY_NUMBER, {"id": record["model_record"]})

    def _insert_alias(self, record: Record) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO alias_events VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                record["id"],
                record["model"],
                record["alias"],
                record["version"],
                record["model_record"],
                int(bool(record.get("rollback"))),
                record.get("created"),
            ),
        )

    def model_names(self) -> list[tuple[str, int, int]]:
        """``(name, latest version, number of versions)`` of every model, by name."""
        rows = self.conn.execute(
            "SELECT name, max(version), count(*) FROM models GROUP BY name ORDER BY name"
        )
        return [(r[0], int(r[1]), int(r[2])) for r in rows]

    def model_versions(self, name: str) -> list[tuple[int, str]]:
        """``(version, record id)`` of a model, oldest first."""
        rows = self.conn.execute(
            "SELECT version, id FROM models WHERE name = ? ORDER BY version, created, id", (name,)
        )
        return [(int(r[0]), r[1]) for r in rows]

    def model_number(self, rid: str) -> tuple[int, bool] | None:
        """A version record's number in this store and whether it is published (claimed on
        a remote), or None when the record is not indexed."""
        row = self.conn.execute(
            "SELECT version, published FROM models WHERE id = ?", (rid,)
        ).fetchone()
        return (int(row[0]), bool(row[1])) if row else None

    def model_rows(self, name: str) -> list[tuple[int, str, bool]]:
        """``(version, record id, published)`` of a model, by version (a number held by two
        records, which only a store made before numbers were claimed can have, lists both)."""
        rows = self.conn.execute(
            "SELECT version, id, published FROM models WHERE name = ?"
            " ORDER BY version, created, id",
            (name,),
        )
        return [(int(r[0]), r[1], bool(r[2])) for r in rows]

    def unpublished_models(self) -> set[str]:
        """The version records whose number is not claimed on a remote (local versions)."""
        return {r[0] for r in self.conn.execute("SELECT id FROM models WHERE published = 0")}

    def numbering_events(self, name: str) -> list[str]:
        """Ids of a model's ``mlver.number/1`` events, oldest first."""
        rows = self.conn.execute(
            "SELECT id FROM model_numbers WHERE model = ? ORDER BY created, id", (name,)
        )
        return [r[0] for r in rows]

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
        where, args = "e.model = ?", [model]
        if alias is not None:
            where, args = "e.model = ? AND e.alias = ?", [model, alias]
        # The version an event points at is its record's number now (a local version's
        # number changes when it is published or renumbered; its aliases follow it).
        rows = self.conn.execute(
            "SELECT e.id, e.alias, COALESCE(m.version, e.version), e.model_record, e.rollback,"
            " e.created FROM alias_events e LEFT JOIN models m ON m.id = e.model_record"
            f" WHERE {where} ORDER BY e.created, e.id",
            args,
        )
        return [AliasRow(r[0], r[1], int(r[2]), r[3], bool(r[4]), r[5]) for r in rows]
