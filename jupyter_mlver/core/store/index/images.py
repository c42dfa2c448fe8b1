"""The index's images: environment images by snapshot and fingerprint (what decides reuse),
serving images by model version and environment."""

from __future__ import annotations

import sqlite3

from ...records import Record


class ImageQueries:
    conn: sqlite3.Connection

    def _insert_image(self, record: Record, fingerprint: str | None) -> None:
        rid, created = record["id"], record.get("created")
        if record.get("model"):
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
            return
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
