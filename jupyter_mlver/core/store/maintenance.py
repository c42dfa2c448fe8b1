"""Keeping a store healthy: fsck (verify), reindex (rebuild the index), gc (collect garbage)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from .. import records
from ..hashing import hash_file
from ..records import Record
from .datarefs import Needs, Walker, data_files
from .objects import ObjectWriter
from .repack import pack_files, remove_strays, rewrite_packs, verify_packs
from .store import Store


@dataclass
class FsckReport:
    objects: int = 0
    records: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Objects whose content does not match their name, and objects records need but the
    #: store lacks: what ``repair`` works from.
    corrupt: set[str] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class RepairReport:
    """What ``repair`` put back (``path -> object``) and what it could not, with why."""

    restored: dict[str, str] = field(default_factory=dict)
    unrepaired: list[str] = field(default_factory=list)


@dataclass
class GcReport:
    objects: int = 0
    bytes: int = 0
    tmp_files: int = 0
    kept: int = 0


def _label(record: Record) -> str:
    return f"{records.kind(record)} {record['id'][:12]}"


def _check_objects(store: Store, report: FsckReport) -> set[str]:
    """Every loose and packed object's hash; the ids present."""
    loose = list(store.objects.iter_loose())
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for oid, ok in zip(loose, pool.map(store.objects.verify, loose), strict=True):
            if not ok:
                report.corrupt.add(oid)
                report.problems.append(
                    f"object {oid} is corrupt: its content does not match its name"
                )
    packs = verify_packs(store.objects)
    report.corrupt |= packs.corrupt
    report.problems += packs.problems
    if packs.strays:
        report.warnings.append(
            f"{len(packs.strays)} pack(s) are not indexed (an interrupted write); "
            "`jupyter mlver gc` removes them"
        )
    present = set(loose) | set(store.objects.packs.iter_ids())
    report.objects = len(present)
    return present


def _check_records(store: Store, report: FsckReport, present: set[str]) -> dict[str, Record]:
    """Every record's references, trees walked; the readable records by id."""
    # Data copies a `pull --no-data` left on a remote are absent by choice, not damage.
    from ..remote.ledger import left_out

    absent_by_choice = left_out(store.dir)
    left: set[str] = set()
    found: dict[str, Record] = {}
    walker = Walker(store.objects.get_bytes)
    for record in store.iter_records():
        if record["id"] in report.corrupt:
            continue
        found[record["id"]] = record
        needs = walker.record(record)
        missing = sorted(ref for ref in needs.plain | set(needs.data) if ref not in present)
        left.update(ref for ref in missing if ref in absent_by_choice)
        for ref in (ref for ref in missing if ref not in absent_by_choice):
            report.missing.add(ref)
            report.problems.append(f"{_label(record)} references missing object {ref}")
        for tree in sorted(needs.unreadable - report.missing - report.corrupt):
            report.problems.append(f"{_label(record)}: tree {tree} cannot be read")
    if left:
        report.warnings.append(
            f"{len(left)} data cop(ies) were left on a remote by `pull --no-data`; "
            "`jupyter mlver pull` fetches them"
        )
    report.records = len(found)
    return found


def _check_index(store: Store, report: FsckReport, found: dict[str, Record]) -> None:
    integrity = store.index.conn.execute("PRAGMA integrity_check").fetchone()[0]
    if integrity != "ok":
        report.problems.append(
            f"index.sqlite is damaged: {integrity} (run `jupyter mlver reindex`)"
        )
    indexed = set(store.index.record_ids())
    for rid in sorted(indexed - set(found)):
        report.problems.append(f"index lists record {rid} but its object is missing or corrupt")
    unindexed = [r for rid, r in found.items() if rid not in indexed]
    if unindexed:
        report.warnings.append(
            f"{len(unindexed)} record object(s) are not in the index (an interrupted write); "
            "`jupyter mlver reindex` adds them, `jupyter mlver gc` removes them"
        )


def fsck(store: Store) -> FsckReport:
    """Verify every object's hash (loose and packed), every record's references (trees
    walked) and the index."""
    report = FsckReport()
    present = _check_objects(store, report)
    found = _check_records(store, report, present)
    _check_index(store, report, found)
    return report


def repair(store: Store, report: FsckReport | None = None) -> RepairReport:
    """Copy again from the working tree every missing or corrupt data copy whose file
    there still has the recorded hash; name what cannot be put back.

    Whatever the hash cache claimed about the damaged objects is dropped first, so the
    next snapshot copies them again rather than trusting the claim.
    """
    report = report if report is not None else fsck(store)
    damaged = report.corrupt | report.missing
    out = RepairReport()
    if not damaged:
        return out
    paths: dict[str, list[str]] = {}
    for record in store.iter_records():
        if record.get("schema") != records.SNAPSHOT:
            continue
        for entry in data_files(store.objects.get_bytes, record):
            if entry.get("stored") and entry["hash"] in damaged:
                paths.setdefault(entry["hash"], []).append(entry["path"])
    with store.writing(), store.objects.writer() as writer:
        store.state.forget_stored(damaged)
        for oid in sorted(damaged):
            why = _restore(store, writer, oid, sorted(set(paths.get(oid, ()))), out)
            if why:
                out.unrepaired.append(f"object {oid}: {why}")
    return out


def _restore(
    store: Store, writer: ObjectWriter, oid: str, candidates: list[str], out: RepairReport
) -> str | None:
    """Stage ``oid`` from the first candidate file that hashes to it; else say why not."""
    if not candidates:
        return "it is not a data copy, so the working tree cannot give it back (pull it?)"
    reasons = []
    for rel in candidates:
        path = store.root / rel
        try:
            digest = hash_file(path)
        except FileNotFoundError:
            reasons.append(f"{rel} is gone")
            continue
        except OSError as e:
            reasons.append(f"{rel} cannot be read ({e.strerror})")
            continue
        if digest != oid:
            reasons.append(f"{rel} has changed since")
            continue
        store.objects.remove(oid)  # a corrupt copy, if any, makes way for the good one
        writer.add_file(path, oid)
        out.restored[rel] = oid
        return None
    return "; ".join(reasons) + " (pull it from a remote that has it?)"


def reindex(store: Store) -> int:
    """Rebuild the index from the record objects alone; returns how many were indexed."""
    found = list(store.iter_records())
    fingerprints = {r["id"]: r["fingerprint"] for r in found if r["schema"] == records.ENVIRONMENT}
    with store.exclusive():
        return store.index.rebuild(found, fingerprints)


def reachable(store: Store, roots: Iterable[str]) -> set[str]:
    """The records ``roots`` and every object they need, trees walked once each."""
    keep: set[str] = set()
    needs = Needs()
    walker = Walker(store.objects.get_bytes)
    for rid in roots:
        keep.add(rid)
        try:
            record = store.get(rid)
        except Exception:  # a damaged record keeps what it can; fsck reports it
            continue
        walker.record(record, needs)
    return keep | needs.plain | set(needs.data)


def gc(store: Store, dry_run: bool = False) -> GcReport:
    """Remove ``tmp/`` leftovers, stray packs and objects no indexed record needs; packs
    holding garbage are rewritten with their live objects only."""
    report = GcReport()
    with store.exclusive():
        if store.objects.tmp.is_dir():
            for entry in os.scandir(store.objects.tmp):
                report.tmp_files += 1
                if not dry_run:
                    os.unlink(entry.path)
        keep = reachable(store, store.index.record_ids())
        report.kept = len(keep)
        garbage = [oid for oid in store.objects.iter_ids() if oid not in keep]
        report.objects = len(garbage)
        strays = sorted(pack_files(store.objects) - store.objects.packs.packs())
        if dry_run:
            report.bytes = sum(store.objects.size(oid) for oid in garbage)
            return report
        store.state.forget_stored(garbage)
        located = {oid: store.objects.packs.locate(oid) for oid in garbage}
        report.bytes = sum(store.objects.remove(oid) for oid in garbage)
        report.bytes += remove_strays(store.objects, strays)
        rewrite_packs(store.objects, {loc[0] for loc in located.values() if loc is not None})
    return report


@dataclass
class Collected:
    """What ``gc`` removed, or would remove with ``--dry-run``."""

    report: GcReport
    dry_run: bool


@dataclass
class Checked:
    """What ``fsck`` found (after ``--repair``, what is left) and what the repair did."""

    report: FsckReport
    repaired: RepairReport | None  # None: no --repair

    def to_json(self) -> dict[str, Any]:
        r = self.report
        out = {
            "ok": r.ok,
            "objects": r.objects,
            "records": r.records,
            "problems": r.problems,
            "warnings": r.warnings,
        }
        if self.repaired is not None:
            out["repaired"] = self.repaired.restored
            out["unrepaired"] = self.repaired.unrepaired
        return out
