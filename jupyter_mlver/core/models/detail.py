"""One model version as every front door shows it (``model show``, ``model register``,
``GET models/<NAME:VERSION>``, the panel): its record, the aliases it holds, the snapshot it
came from and its serving images."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..records import ImageRecord, ModelRecord, SnapshotRecord
from ..store.store import Store


@dataclass
class ModelVersion:
    """A model version as shown: its record, the aliases it holds, the snapshot it came
    from (None when this store does not have it) and its serving images, newest first."""

    record: ModelRecord
    aliases: list[str]
    snapshot: SnapshotRecord | None = None
    images: list[ImageRecord] = field(default_factory=list)
    #: Returned by a registration of an artifact this version already had (nothing new).
    existing: bool = False


def version_detail(store: Store, record: ModelRecord) -> ModelVersion:
    """The detail of a version's record (resolve a ref with ``registry.resolve`` first)."""
    from . import aliases as al
    from . import registry

    if record.get("id") and store.index.has(record["id"]):
        # with its number here and whether it is published
        record = store.get(record["id"], ModelRecord)
    held = [a for a, v in al.holders(store, record["name"]).items() if v == record["version"]]
    sid = record.get("snapshot")
    snapshot = store.get(sid, SnapshotRecord) if sid and store.index.has(sid) else None
    return ModelVersion(record, held, snapshot, registry.images(store, record))
