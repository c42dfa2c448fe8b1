"""``jupyter mlver migrate``: upgrade a store in place to the current format.

Format 1 (0.1) keeps every object loose. Format 2 adds trees and packs; its readers read
format 1 as it is. Migrating records the new format first (an atomic rewrite of
config.toml), then moves small loose data copies into packs: each batch of packs is durable
and indexed before the loose copies it replaces are removed, so a migration killed at any
point leaves a readable store, and running it again finishes the job.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import StoreError
from ..hashing import hash_bytes
from .datarefs import Needs, Walker
from .packs import PACK_MAX_OBJECT
from .store import FORMAT, Store

_BATCH_BYTES = 256 * 1024 * 1024
_FORMAT_LINE = re.compile(r"^format\s*=.*$", re.MULTILINE)


@dataclass
class MigrateReport:
    format_before: int
    format: int
    packed: int = 0
    packed_bytes: int = 0
    #: Model versions given a number of their own (``models.numbers.repair``), as JSON.
    renumbered: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "format_before": self.format_before,
            "format": self.format,
            "packed": self.packed,
            "packed_bytes": self.packed_bytes,
            "renumbered": self.renumbered,
        }


def _write_format(store: Store, version: int) -> None:
    path = store.dir / "config.toml"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    line = f"format = {version}"
    if _FORMAT_LINE.search(text):
        text = _FORMAT_LINE.sub(line, text, count=1)
    else:
        # Top-level keys must come before the first [table].
        text = f"{line}\n\n{text}"
    tmp = path.with_name(f".config.toml.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise StoreError(f"cannot rewrite {path}: {e.strerror}") from None


def _small_loose_data(store: Store) -> dict[str, int]:
    """Loose data copies small enough for a pack, with their sizes."""
    needs = Needs()
    walker = Walker(store.objects.get_bytes)
    for rid in store.index.record_ids("snapshot"):
        walker.record(store.get(rid), needs)
    sizes = store.objects.sizes(oid for oid in needs.data if store.objects.local_path(oid))
    return {oid: n for oid, n in sizes.items() if n <= PACK_MAX_OBJECT}


def migrate(store: Store) -> MigrateReport:
    """Upgrade ``store`` to ``FORMAT`` (a store already there is only repacked)."""
    with store.exclusive():
        report = MigrateReport(store.format(), FORMAT)
        if report.format_before < FORMAT:
            _write_format(store, FORMAT)
        todo = _small_loose_data(store)
        batch: list[str] = []
        size = 0
        for oid in sorted(todo):
            batch.append(oid)
            size += todo[oid]
            if size >= _BATCH_BYTES:
                _pack(store, batch, report)
                batch, size = [], 0
        _pack(store, batch, report)
    return report


def _pack(store: Store, oids: list[str], report: MigrateReport) -> None:
    if not oids:
        return
    already = store.objects.packs.present(oids)  # packed by an interrupted migration
    moved: dict[str, int] = {oid: 0 for oid in already}
    with store.objects.writer() as writer:
        for oid in oids:
            if oid in already:
                continue
            data = store.objects.path(oid).read_bytes()
            if hash_bytes(data) != oid:
                continue  # a corrupt copy stays where fsck finds it
            writer.add_packed(oid, data)
            moved[oid] = len(data)
    # The packs are durable and indexed: the loose copies are duplicates now.
    for oid, size in moved.items():
        store.objects.path(oid).unlink(missing_ok=True)
        report.packed += 1
        report.packed_bytes += size
