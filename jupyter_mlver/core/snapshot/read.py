"""What every front door shows of the store: one record with what belongs to it, and a page
of snapshots. The REST API, ``%mlver show`` and ``jupyter mlver show`` all call these."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypedDict

from .. import records
from ..records import Record
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
    environment: Record | None = None
    images: list[Record] = field(default_factory=list)
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


def _diff_text(store: Store, record: Record) -> DiffText | None:
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
        detail.environment = store.get(env_id)
    detail.images = [store.get(i) for i in store.index.images_of(rid) if store.objects.exists(i)]
    detail.tags = store.index.tags_of(rid)
    if diff_text:
        detail.git_diff = _diff_text(store, record)
    detail.remotes = [
        {"name": name, "pushed": rid in ids, "data": ids.get(rid, False)}
        for name, ids in pushed(store).items()
    ]
    return detail


@dataclass
class SnapshotPage:
    """Snapshots newest first: ``rows`` of ``total`` matching; ``scope`` is the notebook's
    store path or None for every notebook; ``records`` the whole records when asked for."""

    rows: list[SnapshotRow]
    total: int
    scope: str | None
    records: list[Record] | None = None


def list_snapshots(
    store: Store,
    notebook: object = ALL,
    *,
    q: str | None = None,
    tag: str | None = None,
    limit: int | None = 20,
    offset: int = 0,
    whole_records: bool = False,
) -> SnapshotPage:
    rows, total = store.index.snapshots(
        notebook=notebook, q=q or None, tag=tag or None, limit=limit, offset=offset
    )
    return SnapshotPage(
        rows,
        total,
        None if notebook is ALL else str(notebook),
        [store.get(row.id) for row in rows] if whole_records else None,
    )
