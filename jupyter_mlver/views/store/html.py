"""HTML views of the store's maintenance (fsck, reindex, migrate, gc) for notebooks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..format import human_bytes
from ..markup import card, code, e, kv_table, lines, muted

if TYPE_CHECKING:
    from ...core.store.maintenance import Checked, Collected
    from ...core.store.migrate import MigrateReport


def fsck(c: Checked) -> str:
    report, repaired = c.report, c.repaired
    rows = [("objects", e(report.objects)), ("records", e(report.records))]
    items: list[str] = []
    if repaired is not None:
        items += [
            f"repaired {code(path)} (object {code(oid[:12])}): copied again from the working tree"
            for path, oid in repaired.restored.items()
        ]
        items += [
            f'<span class="mlver-error">not repaired: {e(x)}</span>' for x in repaired.unrepaired
        ]
    items += [f'<span class="mlver-error">{e(p)}</span>' for p in report.problems]
    items += [f'<div class="mlver-warn">{e(w)}</div>' for w in report.warnings]
    if not report.ok and repaired is None:
        items.append(muted("`fsck --repair` copies missing data files again from the working tree"))
    verdict = "ok" if report.ok else f"{len(report.problems)} problem(s)"
    return card(f"fsck: {e(verdict)}", kv_table(rows) + lines(items), failed=not report.ok)


def reindexed(count: int) -> str:
    return card("reindexed", e(f"{count} records"))


def migrated(r: MigrateReport) -> str:
    rows = [("format", e(f"{r.format_before} → {r.format}"))]
    if r.packed:
        rows.append(("packed", e(f"{r.packed} small data copies ({human_bytes(r.packed_bytes)})")))
    title = "already up to date" if r.format_before == r.format and not r.packed else "migrated"
    return card(f"store {title}", kv_table(rows))


def collected(c: Collected) -> str:
    r = c.report
    rows = [
        ("unreferenced objects", e(f"{r.objects} ({human_bytes(r.bytes)})")),
        ("temporary files", e(r.tmp_files)),
        ("objects kept", e(r.kept)),
    ]
    return card("gc: would remove" if c.dry_run else "gc: removed", kv_table(rows))
