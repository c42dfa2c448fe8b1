"""Text views of the store's maintenance: fsck, reindex, migrate, gc."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..format import (
    human_bytes,
)
from ..models.text import renumbering

if TYPE_CHECKING:
    from ...core.store.maintenance import Checked, Collected
    from ...core.store.migrate import MigrateReport


def fsck(c: Checked) -> str:
    report, repaired = c.report, c.repaired
    lines = []
    if repaired is not None:
        lines += [
            f"repaired: {path} (object {oid[:12]}) copied again from the working tree"
            for path, oid in repaired.restored.items()
        ]
        lines += [f"not repaired: {line}" for line in repaired.unrepaired]
    lines += [f"error: {line}" for line in report.problems]
    lines += [f"warning: {line}" for line in report.warnings]
    verdict = "ok" if report.ok else f"{len(report.problems)} problem(s)"
    lines.append(f"checked {report.objects} objects, {report.records} records: {verdict}")
    if not report.ok and repaired is None:
        lines.append(
            "hint: `jupyter mlver fsck --repair` copies missing data files again from the "
            "working tree where they are unchanged"
        )
    return "\n".join(lines)


def reindexed(count: int) -> str:
    return f"reindexed {count} records"


def migrated(r: MigrateReport) -> str:
    moved = (
        f"; {r.packed} small data copies ({human_bytes(r.packed_bytes)}) moved into packs"
        if r.packed
        else ""
    )
    lines = [renumbering(n) for n in r.renumbered]
    if r.format_before == r.format:
        nothing = "; nothing to do" if not lines else ""
        return "\n".join([f"the store is already format {r.format}{moved or nothing}", *lines])
    return "\n".join(
        [f"upgraded the store from format {r.format_before} to {r.format}{moved}", *lines]
    )


def collected(c: Collected) -> str:
    r = c.report
    verb = "would remove" if c.dry_run else "removed"
    return (
        f"{verb} {r.objects} unreferenced objects ({r.bytes:,} bytes) and "
        f"{r.tmp_files} temporary files; {r.kept} objects kept"
    )
