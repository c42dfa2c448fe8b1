"""What every front door shows of the store: one record with what belongs to it, and a page
of snapshots. The REST API, ``%mlver show`` and ``jupyter mlver show`` all call these."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict

from .. import records
from ..records import EnvironmentRecord, ImageRecord, Record, SnapshotRecord
from ..store.datarefs import data_files
from ..store.index.db import ALL, SnapshotRow
from ..store.store import Store

#: The most of a snapshot's uncommitted diff a detail carries as text.
DIFF_TEXT_MAX = 256 * 1024


class DiffText(TypedDict):
    text: str
    bytes: int
    truncated: bool


class RemoteState(TypedDict):
    name: str
    pushed: bool  # the record is complete on the remote, as far as this store knows
    data: bool  # its data copies went too


@dataclass
class SnapshotDetail:
    """A record (any kind) and, for a snapshot, its environment, images, tags, the text of
    its uncommitted diff and which remotes have it."""

    record: Record
    environment: EnvironmentRecord | None = None
    images: list[ImageRecord] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    git_diff: DiffText | None = None
    remotes: list[RemoteState] = field(default_factory=list)

    @property
    def is_snapshot(self) -> bool:
        return bool(self.record.get("schema") == records.SNAPSHOT)

    def to_json(self) -> dict[str, Any]:
        return {
            "record": self.record,
            "environment": self.environment,
            "images": self.images,
            "tags": self.tags,
            "git_diff": self.git_diff,
            "remotes": self.remotes,
        }


def pushed(store: Store) -> dict[str, dict[str, bool]]:
    """Remote name -> {record id: data copies too}: what this store knows it pushed (or
    pulled), from its local ledger; no network."""
    from .. import remote

    return {r.name: remote.pushed_records(store, r.name) for r in remote.list_remotes(store)}


def _diff_text(store: Store, record: Mapping[str, Any]) -> DiffText | None:
    diff_id = (record.get("git") or {}).get("diff")
    if not diff_id or not store.objects.exists(diff_id):
        return None
    data = store.objects.get_bytes(diff_id)
    return {
        "text": data[:DIFF_TEXT_MAX].decode("utf-8", errors="replace"),
        "bytes": len(data),
        "truncated": len(data) > DIFF_TEXT_MAX,
    }


def snapshot_detail(
    store: Store, rid: str, *, diff_text: bool = True, files: bool = False
) -> SnapshotDetail:
    """Record ``rid`` with everything a reader of it needs. Objects missing from the store
    (not pulled, gc'd) are left out rather than failing the whole view. With ``files`` a
    snapshot's data lists every file, directories expanded from their trees."""
    record = store.get(rid)
    if files and record.get("schema") == records.SNAPSHOT:
        record = {**record, "data": data_files(store.objects.get_bytes, record)}
    detail = SnapshotDetail(record)
    if not detail.is_snapshot:
        return detail
    env_id = record.get("environment")
    if env_id and store.objects.exists(env_id):
        detail.environment = store.get(env_id, EnvironmentRecord)
    detail.images = [
        store.get(i, ImageRecord) for i in store.index.images_of(rid) if store.objects.exists(i)
    ]
    detail.tags = store.index.tags_of(rid)
    if diff_text:
        detail.git_diff = _diff_text(store, record)
    detail.remotes = [
        {"name": name, "pushed": rid in ids, "data": ids.get(rid, False)}
        for name, ids in pushed(store).items()
    ]
    return detail


@dataclass(frozen=True)
class SnapshotQuery:
    """Which snapshots a page holds: a notebook's (its store path) or ``ALL``, those whose
    message, notebook, tags or param names contain ``q``, the one tagged ``tag``."""

    notebook: object = ALL
    q: str | None = None
    tag: str | None = None
    limit: int | None = 20
    offset: int = 0


Paths = Callable[[str | None], str | None]


def _same(path: str | None) -> str | None:
    return path


@dataclass
class SnapshotPage:
    """Snapshots newest first: ``rows`` of ``total`` matching; ``scope`` is the notebook's
    store path or None for every notebook; ``latest`` the newest match whatever the offset;
    ``pushed`` (remote -> {record id: with data}) and ``records`` when asked for."""

    query: SnapshotQuery
    rows: list[SnapshotRow] = field(default_factory=list)
    total: int = 0
    latest: str | None = None
    generation: int = 0
    pushed: dict[str, dict[str, bool]] = field(default_factory=dict)
    records: list[SnapshotRecord] | None = None

    @property
    def scope(self) -> str | None:
        return None if self.query.notebook is ALL else str(self.query.notebook)

    def _page(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "offset": self.query.offset,
            "limit": self.query.limit,
            "generation": self.generation,
        }

    def to_json(self, paths: Paths = _same) -> dict[str, Any]:
        """``GET snapshots``: summaries with the remotes each is on; ``paths`` maps a store
        path to the caller's (the server's root)."""
        return {
            **self._page(),
            "snapshots": [
                {
                    **row.summary,
                    "id": row.id,
                    "created": row.created,
                    "notebook": paths(row.notebook),
                    "parent": row.parent,
                    "environment": row.environment,
                    "tags": row.tags,
                    "pushed": sorted(n for n, ids in self.pushed.items() if row.id in ids),
                }
                for row in self.rows
            ],
            "latest": self.latest,
        }

    def experiments_json(self, paths: Paths = _same) -> dict[str, Any]:
        """``GET experiments``: one table row per snapshot (a series as its last value and
        its length) and the names of every param, metric and series on the page."""
        rows = [_experiment(row, paths) for row in self.rows]
        return {
            **self._page(),
            "experiments": rows,
            **{key: sorted({name for r in rows for name in r[key]}) for key in _COLUMNS},
        }


_COLUMNS = ("params", "metrics", "series")


def _experiment(row: SnapshotRow, paths: Paths) -> dict[str, Any]:
    summary = row.summary
    metrics: dict[str, Any] = {}
    series: dict[str, int] = {}
    for key, value in (summary.get("metrics") or {}).items():
        if isinstance(value, list):
            series[key] = len(value)
            value = value[-1] if value else None
        metrics[key] = value
    return {
        "id": row.id,
        "created": row.created,
        "notebook": paths(row.notebook),
        "parent": row.parent,
        "message": summary.get("message", ""),
        "author": (summary.get("author") or {}).get("name"),
        "tags": row.tags,
        "params": summary.get("params") or {},
        "metrics": metrics,
        "series": series,
        "data_files": summary.get("data_files", 0),
    }


def list_snapshots(
    store: Store,
    query: SnapshotQuery = SnapshotQuery(),
    *,
    whole_records: bool = False,
    remotes: bool = False,
) -> SnapshotPage:
    """The one page of snapshots every front door shows (``list``, ``GET snapshots``, the
    dashboard's ``GET experiments``)."""

    def page(limit: int | None, offset: int = 0) -> tuple[list[SnapshotRow], int]:
        return store.index.snapshots(
            notebook=query.notebook,
            q=query.q or None,
            tag=query.tag or None,
            limit=limit,
            offset=offset,
        )

    rows, total = page(query.limit, query.offset)
    if rows and query.offset == 0:
        latest: str | None = rows[0].id
    else:
        newest, _ = page(1)
        latest = newest[0].id if newest else None
    return SnapshotPage(
        query,
        rows,
        total,
        latest,
        store.index.generation(),
        pushed(store) if remotes and rows else {},
        [store.get(row.id, SnapshotRecord) for row in rows] if whole_records else None,
    )
