"""How fresh a model version's training data is, from what the store recorded.

Two ages, both measured from ``now``:

- the **snapshot's**: when the snapshot the version was registered from was taken (when the
  model was trained);
- the **training data's newest file**: the training files are the data files that snapshot
  recorded as read (``input``, or an ``output`` with ``read``: written, then read) or given
  with ``--data`` (``tracked``, or ``tracked: true`` on a file also read or written), not
  those it only wrote; for each, the
  time its current content (path and blake3 hash) was *first* recorded by any snapshot in
  the store; the newest of those times is when the training data last changed. Taking
  snapshots of unchanged data does not make it fresher; editing one file does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ..store.datarefs import data_files
from ..store.store import Store

TRAINING_ROLES = frozenset({"input", "tracked"})


def is_training(entry: Mapping[str, Any]) -> bool:
    """Read by the kernel, or given with ``--data``: what the model was trained on."""
    return entry.get("role") in TRAINING_ROLES or bool(entry.get("read") or entry.get("tracked"))


def parse_time(stamp: str) -> datetime:
    """A record's ``created`` (RFC 3339 UTC, ``Z``) as an aware datetime."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(timezone.utc)


def stamp(moment: datetime) -> str:
    """An aware datetime as records write times (RFC 3339 UTC, milliseconds)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def age_seconds(stamp: str, now: datetime) -> float:
    return round(max(0.0, (now - parse_time(stamp)).total_seconds()), 3)


@dataclass(frozen=True)
class Freshness:
    snapshot: str
    snapshot_created: str
    snapshot_age_seconds: float
    files: int  # training files the snapshot recorded
    newest_file: str | None  # the one whose content was recorded last
    data_recorded: str | None  # when that content was first recorded
    data_age_seconds: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "snapshot": self.snapshot,
            "snapshot_created": self.snapshot_created,
            "snapshot_age_seconds": self.snapshot_age_seconds,
            "files": self.files,
            "newest_file": self.newest_file,
            "data_recorded": self.data_recorded,
            "data_age_seconds": self.data_age_seconds,
        }


def freshness(store: Store, snapshot_id: str | None, now: datetime) -> Freshness | None:
    """The freshness of a version trained in ``snapshot_id`` (None when the store does not
    have that snapshot, e.g. a model pulled without it)."""
    if not snapshot_id or not store.index.has(snapshot_id):
        return None
    snapshot = store.get(snapshot_id)
    created = str(snapshot["created"])
    files = [f for f in data_files(store.objects.get_bytes, snapshot) if is_training(f)]
    newest: tuple[str, str] | None = None  # (first recorded, path)
    if files:
        store.index_data_entries()
        first = store.index.first_recorded((f["path"], f["hash"]) for f in files)
        for f in files:
            # This snapshot recorded it, so it was first recorded no later than this one.
            when = min(first.get((f["path"], f["hash"]), created), created)
            if newest is None or (when, f["path"]) > newest:
                newest = (when, f["path"])
    return Freshness(
        snapshot=snapshot_id,
        snapshot_created=created,
        snapshot_age_seconds=age_seconds(created, now),
        files=len(files),
        newest_file=newest[1] if newest else None,
        data_recorded=newest[0] if newest else None,
        data_age_seconds=age_seconds(newest[0], now) if newest else None,
    )
