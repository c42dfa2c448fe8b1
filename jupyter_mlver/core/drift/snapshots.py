"""Drift of a snapshot's tabular data files: against another snapshot's copies, the files
now on disk, or one given file (sampled live inputs, a new batch).

A snapshot keeps a copy of each data file in the store (unless taken ``--hash-only``);
that copy is the reference. A file recorded without a copy is still usable when the file
on disk has the recorded hash.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import cast

from .. import records
from ..errors import InvalidInput, MlverError
from ..hashing import hash_file
from ..records import DriftTarget, SnapshotRecord
from ..store.datarefs import data_files
from ..store.index.db import ALL
from ..store.store import Store
from .frames import DriftOptions, compare_frames
from .report import DriftReport, FileDrift, Side
from .tables import is_table, read_table

Entry = dict[str, object]


def _snapshot(store: Store, rid: str) -> SnapshotRecord:
    record = store.get(rid)
    if record.get("schema") != records.SNAPSHOT:
        raise InvalidInput(f"{rid[:12]} is a {records.kind(record)} record, not a snapshot")
    return cast(SnapshotRecord, record)


def _tables(store: Store, record: SnapshotRecord) -> list[Entry]:
    """The snapshot's tabular files, directories expanded from their trees."""
    files = data_files(store.objects.get_bytes, record)
    return [d for d in files if is_table(str(d["path"]))]


def _select(
    store: Store, record: SnapshotRecord, paths: Sequence[str | os.PathLike[str]]
) -> list[Entry]:
    """The snapshot's tabular files at or under ``paths`` (relative to the current directory)."""
    tables = _tables(store, record)
    if not paths:
        if not tables:
            raise InvalidInput(
                f"snapshot {record['id'][:12]} recorded no tabular data files",
                "drift compares .csv, .tsv, .parquet, .jsonl and .json files a snapshot "
                "recorded (--data PATH, or files the notebook read)",
            )
        return tables
    chosen: dict[str, Entry] = {}
    for p in paths:
        rel = store.relpath(p)
        prefix = "" if rel in (".", "") else rel.rstrip("/") + "/"
        found = [
            d for d in tables if not prefix or d["path"] == rel or str(d["path"]).startswith(prefix)
        ]
        if not found:
            raise InvalidInput(
                f"{p} is not a tabular data file of snapshot {record['id'][:12]}",
                "see the snapshot's files with `jupyter mlver show REF`",
            )
        chosen.update((str(d["path"]), d) for d in found)
    return [d for d in tables if str(d["path"]) in chosen]


def _on_disk(store: Store, path: str) -> Path:
    candidate = Path(path)
    return candidate if candidate.is_absolute() else store.root / candidate


def _recorded(
    store: Store, record: SnapshotRecord, entry: Entry, scratch: Path
) -> tuple[Path, Side]:
    """Where the snapshot's copy of a file can be read: the store (a packed copy is written
    out to ``scratch``), else the same bytes on disk."""
    path, digest = str(entry["path"]), str(entry["hash"])
    side = Side("snapshot", path, snapshot=record["id"], hash=digest)
    if entry.get("stored") and store.objects.exists(digest):
        loose = store.objects.local_path(digest)
        if loose is not None:
            return loose, side
        copy = scratch / digest
        if not copy.exists():
            store.objects.copy_to(digest, copy)
        return copy, side
    disk = _on_disk(store, path)
    if disk.is_file() and hash_file(disk) == digest:
        return disk, side
    raise InvalidInput(
        f"snapshot {record['id'][:12]} has no copy of {path}",
        "it was recorded with --hash-only and the file on disk has changed since",
    )


def _compare(
    path: str,
    reference: tuple[Path, Side],
    current: tuple[Path, Side],
    options: DriftOptions,
    histograms: bool,
) -> FileDrift:
    (ref_file, ref_side), (cur_file, cur_side) = reference, current
    ref_frame = read_table(ref_file, name=path)
    cur_frame = read_table(cur_file, name=cur_side.path if cur_side.source == "file" else path)
    ref_side.rows, cur_side.rows = len(ref_frame), len(cur_frame)
    table = compare_frames(ref_frame, cur_frame, options, histograms=histograms)
    return FileDrift(path, ref_side, cur_side, table)


def drift_snapshot(
    store: Store,
    ref_id: str,
    other_id: str | None = None,
    *,
    paths: Sequence[str | os.PathLike[str]] = (),
    current: str | os.PathLike[str] | None = None,
    options: DriftOptions | None = None,
    histograms: bool = False,
    changed_only: bool = False,
) -> DriftReport:
    """Snapshot ``ref_id``'s tabular files against snapshot ``other_id``'s, the file
    ``current``, or (neither given) the files on disk. ``changed_only`` leaves out files
    whose content is the same on both sides."""
    if other_id is not None and current is not None:
        raise InvalidInput("give a second snapshot or --current, not both")
    options = options or DriftOptions()
    record = _snapshot(store, ref_id)
    entries = _select(store, record, paths)
    reference: DriftTarget = {"source": "snapshot", "snapshot": ref_id}
    other = _snapshot(store, other_id) if other_id is not None else None
    if other is not None and other_id is not None:
        target: DriftTarget = {"source": "snapshot", "snapshot": other_id}
    elif current is not None:
        if len(entries) != 1:
            raise InvalidInput(
                f"--current compares one file, but snapshot {ref_id[:12]} has "
                f"{len(entries)} tabular files",
                "name the one to compare with --path",
            )
        target = {"source": "file", "path": str(current)}
    else:
        target = {"source": "disk"}
    other_tables = {str(d["path"]): d for d in _tables(store, other)} if other is not None else {}
    with tempfile.TemporaryDirectory(prefix="mlver-drift-") as scratch:
        files = _files(
            store,
            record,
            entries,
            other,
            other_tables,
            current,
            target,
            changed_only,
            options,
            histograms,
            Path(scratch),
        )
    return DriftReport(reference, target, files)


def _files(
    store: Store,
    record: SnapshotRecord,
    entries: list[Entry],
    other: SnapshotRecord | None,
    other_tables: dict[str, Entry],
    current: str | os.PathLike[str] | None,
    target: DriftTarget,
    changed_only: bool,
    options: DriftOptions,
    histograms: bool,
    scratch: Path,
) -> list[FileDrift]:

    files: list[FileDrift] = []
    for entry in entries:
        path = str(entry["path"])
        cur: tuple[Path, Side] | str
        if other is not None:
            match = other_tables.get(path)
            if match is not None and changed_only and match["hash"] == entry["hash"]:
                continue
            cur = (
                _recorded_or_note(store, other, match, scratch)
                if match is not None
                else f"not in snapshot {other['id'][:12]}"
            )
        elif current is not None:
            file = Path(current)
            if not file.is_file():
                raise InvalidInput(f"{current} is not a file")
            cur = (file, Side("file", str(current), hash=hash_file(file)))
        else:
            disk = _on_disk(store, path)
            digest = hash_file(disk) if disk.is_file() else None
            if changed_only and digest == entry["hash"]:
                continue
            cur = (disk, Side("disk", path, hash=digest)) if digest else "not on disk"
        ref = _recorded_or_note(store, record, entry, scratch)
        if isinstance(ref, str) or isinstance(cur, str):
            note = ref if isinstance(ref, str) else str(cur)
            files.append(_skipped(record, entry, target, note))
        else:
            files.append(_compare(path, ref, cur, options, histograms))
    return files


def _recorded_or_note(
    store: Store, record: SnapshotRecord, entry: Entry, scratch: Path
) -> tuple[Path, Side] | str:
    try:
        return _recorded(store, record, entry, scratch)
    except MlverError as e:
        return str(e)


def _skipped(record: SnapshotRecord, entry: Entry, target: DriftTarget, note: str) -> FileDrift:
    path = str(entry["path"])
    ref = Side("snapshot", path, snapshot=record["id"], hash=str(entry["hash"]))
    cur = Side(str(target["source"]), str(target.get("path") or path), target.get("snapshot"))
    return FileDrift(path, ref, cur, note=note)


def drift_refs(
    store: Store,
    ref: str,
    other: str | None = None,
    *,
    notebook: object = ALL,
    paths: Sequence[str | os.PathLike[str]] = (),
    current: str | os.PathLike[str] | None = None,
    options: DriftOptions | None = None,
    histograms: bool = False,
) -> DriftReport:
    """``drift_snapshot`` for refs (``HEAD~1``, a tag, an id prefix)."""
    ref_id = store.resolve(ref, notebook)
    other_id = store.resolve(other, notebook) if other is not None else None
    return drift_snapshot(
        store,
        ref_id,
        other_id,
        paths=paths,
        current=current,
        options=options,
        histograms=histograms,
    )
