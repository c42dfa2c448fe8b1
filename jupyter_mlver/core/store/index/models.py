"""The index's model registry: versions by name and alias events."""

from __future__ import annotations

import sqlite3

from ...records import Record
from .schema import AliasRow


class RegistryQueries:
    conn: sqlite3.Connection

    def _insert_model(self, record: Record) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO models VALUES (?, ?, ?, ?, ?)",
            (
                record["id"],
                record["name"],
                record["version"],
                record.get("snapshot"),
                record.get("created"),
            ),
        )

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
