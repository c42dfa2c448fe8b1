"""The index's deployment events, by deployment."""

from __future__ import annotations

import sqlite3

from ...records import Record


class DeploymentQueries:
    conn: sqlite3.Connection

    def _insert_deployment(self, record: Record) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO deployment_events VALUES (?, ?, ?, ?, ?, ?)",
            (
                record["id"],
                record["deployment"],
                record["event"],
                record["model"],
                record.get("version"),
                record.get("created"),
            ),
        )

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
