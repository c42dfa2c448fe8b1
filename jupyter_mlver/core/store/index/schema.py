"""The index's schema (its migrations) and the rows it gives back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

from ...records import Record

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
    # 5 -> 6: deployment events (append-only), replayed per deployment in (created, id) order.
    """
    CREATE TABLE deployment_events (
        id TEXT PRIMARY KEY, deployment TEXT NOT NULL, event TEXT NOT NULL, model TEXT NOT NULL,
        version INTEGER, created TEXT NOT NULL);
    CREATE INDEX ix_deployment_events ON deployment_events (deployment, created);
    """,
    # 6 -> 7: one numbering for a team. ``models.version`` is a version's number in this
    # store (its publication's, else its last renumbering's, else the one it was registered
    # with); ``published`` says the number is claimed on a remote. ``model_numbers`` holds the
    # ``mlver.number/1`` events that set them (publications, renumberings, repairs).
    """
    ALTER TABLE models ADD COLUMN published INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE model_numbers (
        id TEXT PRIMARY KEY, model TEXT NOT NULL, model_record TEXT NOT NULL,
        event TEXT NOT NULL, old INTEGER NOT NULL, new INTEGER NOT NULL, created TEXT NOT NULL);
    CREATE INDEX ix_model_numbers_record ON model_numbers (model_record, created);
    CREATE INDEX ix_model_numbers_model ON model_numbers (model, created);
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
