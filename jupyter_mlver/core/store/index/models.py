"""The index's queries over models, aliases, serving images and deployments (a part of
``Index``, kept apart to keep the snapshot index small)."""

from __future__ import annotations

import sqlite3

from .schema import AliasRow


class RegistryQueries:
    conn: sqlite3.Connection

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

    # -- deployments -------------------------------------------------------------------

    def deployment_events(self, deployment: str) -> list[str]:
        """Ids of a deployment's events, in the order they happened."""
        rows = self.conn.execute(
            "SELECT id FROM deployment_events WHERE deployment = ? ORDER BY created, id",
            (deployment,),
        )
        return [r[0] for r in rows]

    def deployments(self) -> list[str]:
        rows = self.conn.execute("SELECT DISTINCT deployment FROM deployment_events ORDER BY 1")
        return [r[0] for r in rows]
